// Package taskhook lets the CLI build the tasks of a spec that spec.Decode has just validated
// without validating each task a second time, and without growing package task's public API:
// package task sets the hook in an init function (task/hook.go) and the CLI calls Build.
//
// Build skips validation, so it is only for a task.Task that has passed task.Task.Validate with
// the same task.Settings and has not changed since: a spec decoded by spec.Decode without
// Options.SkipValidation, whose Tasks nobody touched. Everything else goes through
// task.Task.Build.
package taskhook

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/internal/daskhook"
	"github.com/flytedask/flytedask/resources"
)

// build holds a func(*task.Task, task.Settings, *Customs) (*admin.TaskSpec, error): this package
// cannot name package task's types (task imports it), so Set and Build are generic and Build
// asserts the type.
var build any

// Set installs f, task.Task.Build without its validation, taking its TaskTemplate.custom from
// Customs. Package task calls it once, in init.
func Set[T, S any](f func(t *T, s S, c *Customs) (*admin.TaskSpec, error)) { build = f }

// Build builds the already validated task t with s as task.Task.Build does, without validating
// it again, taking the Dask custom struct from c (nil: a new struct for each task, as
// task.Task.Build). It panics if T and S are not task.Task and task.Settings (a programming
// error).
func Build[T, S any](t *T, s S, c *Customs) (*admin.TaskSpec, error) {
	return build.(func(*T, S, *Customs) (*admin.TaskSpec, error))(t, s, c)
}

// maxCustoms bounds each memo of a Customs: a spec whose tasks all differ keeps no more than this
// many structs alive.
const maxCustoms = 64

// Customs memoizes dask.Config.Custom over the tasks of one build: tasks with equal Dask
// configurations (those of a spec's defaults, typically) get the same *structpb.Struct, built
// once, and tasks whose configurations differ still share the "resources" value of a role whose
// requests and limits are equal (the workers', typically, when only the scheduler differs). The
// TaskSpecs built with one then share those structs, so it is only for specs that are marshalled
// and dropped, as `package` does, never for specs handed to code that may change one. A nil
// *Customs memoizes nothing. It is not safe for concurrent use.
type Customs struct {
	configs   map[dask.Config]*structpb.Struct
	resources map[[2]resources.Spec]*structpb.Value
	rv        daskhook.ResourcesValue
}

// NewCustoms returns an empty Customs.
func NewCustoms() *Customs {
	m := &Customs{configs: map[dask.Config]*structpb.Struct{}, resources: map[[2]resources.Spec]*structpb.Value{}}
	m.rv = m.resourcesValue
	return m
}

// Custom returns c.Custom(), the memoized struct when m holds one for c.
func (m *Customs) Custom(c dask.Config) (*structpb.Struct, error) {
	if m == nil {
		return c.Custom()
	}
	if s, ok := m.configs[c]; ok {
		return s, nil
	}
	s, err := daskhook.Custom(c, m.rv)
	if err == nil && len(m.configs) < maxCustoms {
		m.configs[c] = s
	}
	return s, err
}

// resourcesValue is the memo of the roles' "resources" values.
func (m *Customs) resourcesValue(requests, limits resources.Spec) *structpb.Value {
	k := [2]resources.Spec{requests, limits}
	if v, ok := m.resources[k]; ok {
		return v
	}
	v := daskhook.Resources(requests, limits)
	if len(m.resources) < maxCustoms {
		m.resources[k] = v
	}
	return v
}
