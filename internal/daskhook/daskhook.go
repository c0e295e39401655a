// Package daskhook lets internal/taskhook build a Dask custom struct whose roles' "resources"
// values come from a memo, without growing package dask's public API: package dask sets the hook
// in an init function (dask/hook.go).
package daskhook

import (
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/resources"
)

// ResourcesValue returns a role's "resources" value for its requests and limits, as
// dask.Config.Custom writes it.
type ResourcesValue func(requests, limits resources.Spec) *structpb.Value

// custom holds a func(dask.Config, ResourcesValue) (*structpb.Struct, error): this package
// cannot name dask.Config (dask imports it), so Set and Custom are generic and Custom asserts
// the type.
var custom any

// build is dask's own ResourcesValue.
var build ResourcesValue

// Set installs f, dask.Config.Custom taking the roles' "resources" values from its second
// argument (nil: built as Custom builds them), and rv, the builder of those values Custom uses.
// Package dask calls it once, in init.
func Set[C any](f func(c C, rv ResourcesValue) (*structpb.Struct, error), rv ResourcesValue) {
	custom, build = f, rv
}

// Resources builds a role's "resources" value as dask.Config.Custom does.
func Resources(requests, limits resources.Spec) *structpb.Value { return build(requests, limits) }

// Custom returns c.Custom() with the scheduler's and the workers' "resources" values from rv.
// It panics if C is not dask.Config (a programming error).
func Custom[C any](c C, rv ResourcesValue) (*structpb.Struct, error) {
	return custom.(func(C, ResourcesValue) (*structpb.Struct, error))(c, rv)
}
