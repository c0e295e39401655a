// Package imageref validates container image references with
// github.com/distribution/reference, the parser container runtimes use.
package imageref

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"

	"github.com/flytedask/flytedask/field"
)

// Validate returns a problem with the image reference s at path, or nil when
// s is a valid reference. An empty s is valid here; callers decide whether
// an image is required.
func Validate(path *field.Path, s string) *field.Error {
	if s == "" {
		return nil
	}
	if strings.Contains(s, "{{") {
		return field.Invalid(path, s, fmt.Sprintf(
			"image %q is a template: pyflyte resolves {{.image...}} templates, flytectl and FlyteAdmin do not; give a concrete reference such as ghcr.io/acme/app:1.0", s))
	}
	if _, err := reference.ParseNormalizedNamed(s); err != nil {
		return field.Invalid(path, s, fmt.Sprintf(
			"invalid image reference %q: %v; use [registry/]repository[:tag][@digest] with a lower-case repository, e.g. ghcr.io/acme/dask-app:1.4.2", s, err))
	}
	return nil
}
