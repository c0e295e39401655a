// Package taskhook lets the CLI build the tasks of a spec that spec.Decode has just validated
// without validating each task a second time, and without growing package task's public API:
// package task sets the hook in an init function (task/hook.go) and the CLI calls Build.
//
// Build skips validation, so it is only for a task.Task that has passed task.Task.Validate with
// the same task.Settings and has not changed since: a spec decoded by spec.Decode without
// Options.SkipValidation, whose Tasks nobody touched. Everything else goes through
// task.Task.Build.
package taskhook

import "github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

// build holds a func(*task.Task, task.Settings) (*admin.TaskSpec, error): this package cannot
// name package task's types (task imports it), so Set and Build are generic and Build asserts
// the type.
var build any

// Set installs f, task.Task.Build without its validation. Package task calls it once, in init.
func Set[T, S any](f func(t *T, s S) (*admin.TaskSpec, error)) { build = f }

// Build builds the already validated task t with s as task.Task.Build does, without validating
// it again. It panics if T and S are not task.Task and task.Settings (a programming error).
func Build[T, S any](t *T, s S) (*admin.TaskSpec, error) {
	return build.(func(*T, S) (*admin.TaskSpec, error))(t, s)
}
