// Package spechook lets the CLI finish spec.Spec.BuildEntities with the TaskSpecs it has already
// built through internal/taskhook (without validating the tasks a second time), without growing
// package spec's public API: package spec sets the hook in an init function (spec/hook.go).
//
// Entities is only for the TaskSpecs of a spec decoded by spec.Decode with validation and not
// changed since, built from its Tasks in order (taskhook's promise).
package spechook

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/bundle"
)

// entities holds a func(*spec.Spec, []*admin.TaskSpec) (bundle.Entities, error): this package
// cannot name spec.Spec (spec imports it), so Set and Entities are generic and Entities asserts
// the type.
var entities any

// Set installs f, spec.Spec.BuildEntities taking its tasks' TaskSpecs from the caller. Package
// spec calls it once, in init.
func Set[S any](f func(s *S, tasks []*admin.TaskSpec) (bundle.Entities, error)) { entities = f }

// Entities returns what s.BuildEntities returns, with tasks (s.Tasks built in order) as its
// Tasks instead of building them again. It panics if S is not spec.Spec (a programming error).
func Entities[S any](s *S, tasks []*admin.TaskSpec) (bundle.Entities, error) {
	return entities.(func(*S, []*admin.TaskSpec) (bundle.Entities, error))(s, tasks)
}
