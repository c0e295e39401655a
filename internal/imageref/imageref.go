// Package imageref validates container image references with
// github.com/distribution/reference, the parser container runtimes use.
package imageref

import (
	"fmt"
	"strings"
	"sync"

	"github.com/distribution/reference"

	"github.com/flytedask/flytedask/field"
)

// valid memoizes references already found valid: a bundle of thousands of
// tasks usually shares a handful of images, and parsing is regexp-heavy.
// It stops growing at maxMemo entries.
var (
	valid   sync.Map
	memoLen int
	memoMu  sync.Mutex
)

const maxMemo = 4096

// Check returns "" when s is a valid reference (or empty) and otherwise a
// message saying what is wrong and how to fix it.
func Check(s string) string {
	if s == "" {
		return ""
	}
	if _, ok := valid.Load(s); ok {
		return ""
	}
	if strings.Contains(s, "{{") {
		return fmt.Sprintf("image %q is a template: pyflyte resolves {{.image...}} templates, flytectl and FlyteAdmin do not; give a concrete reference such as ghcr.io/acme/app:1.0", s)
	}
	if _, err := reference.ParseNormalizedNamed(s); err != nil {
		return fmt.Sprintf("invalid image reference %q: %v; use [registry/]repository[:tag][@digest] with a lower-case repository, e.g. ghcr.io/acme/dask-app:1.4.2", s, err)
	}
	memoMu.Lock()
	if memoLen < maxMemo {
		memoLen++
		valid.Store(s, struct{}{})
	}
	memoMu.Unlock()
	return ""
}

// Validate returns a problem with the image reference s at path, or nil when
// s is a valid reference. An empty s is valid here; callers decide whether
// an image is required. path is called only when there is a problem.
func Validate(path func() *field.Path, s string) *field.Error {
	if msg := Check(s); msg != "" {
		return field.Invalid(path(), s, msg)
	}
	return nil
}
