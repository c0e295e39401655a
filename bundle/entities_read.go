package bundle

import (
	"errors"
	"sort"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/proto"
)

// Workflow is one workflow file of a bundle.
type Workflow struct {
	// Path is the cleaned, slash-separated path of the file, as in Task.Path.
	Path string
	// Spec is the decoded workflow spec; Spec.Template.Id is non-nil with a non-empty Name.
	Spec *admin.WorkflowSpec
}

// Name returns the workflow's template id name.
func (w Workflow) Name() string { return w.Spec.GetTemplate().GetId().GetName() }

// LaunchPlan is one launch plan file of a bundle.
type LaunchPlan struct {
	// Path is the cleaned, slash-separated path of the file, as in Task.Path.
	Path string
	// Spec is the decoded launch plan; Spec.Id is non-nil with a non-empty Name.
	Spec *admin.LaunchPlan
}

// Name returns the launch plan's id name.
func (l LaunchPlan) Name() string { return l.Spec.GetId().GetName() }

// Entities returns the bundle's tasks, workflows and launch plans, each kind in the bundle's order
// (the order of the file paths). The messages are the bundle's own, not copies.
//
// Registering every task, then every workflow, then every launch plan (what package register does
// with them) is a valid order for every bundle pyflyte writes except one whose workflow calls a
// launch plan of the same bundle; package register orders those by their references.
func (b *Bundle) Entities() Entities {
	e := Entities{
		Tasks:       b.Specs(),
		Workflows:   make([]*admin.WorkflowSpec, len(b.Workflows)),
		LaunchPlans: make([]*admin.LaunchPlan, len(b.LaunchPlans)),
	}
	for i, w := range b.Workflows {
		e.Workflows[i] = w.Spec
	}
	for i, l := range b.LaunchPlans {
		e.LaunchPlans[i] = l.Spec
	}
	return e
}

type keyed[T any] struct {
	key string
	v   T
}

func sortedKeyed[T any](in []keyed[T]) []T {
	sort.Slice(in, func(i, j int) bool { return in[i].key < in[j].key })
	out := make([]T, len(in))
	for i, k := range in {
		out[i] = k.v
	}
	return out
}

func (c *collector) addWorkflow(key, clean string, data []byte) error {
	spec := &admin.WorkflowSpec{}
	err := proto.Unmarshal(data, spec)
	if err == nil {
		switch t := spec.Template; {
		case t == nil:
			err = errors.New("spec has no template")
		case t.Id == nil:
			err = errors.New("template has no id")
		case t.Id.Name == "":
			err = errors.New("template id has an empty name")
		}
	}
	if err != nil {
		return entryErr(key, ErrDecode, "%v; a *%s file must hold a binary admin.WorkflowSpec with template.id.name set", err, WorkflowSuffix)
	}
	c.workflows = append(c.workflows, keyed[Workflow]{key: key, v: Workflow{Path: clean, Spec: spec}})
	return nil
}

func (c *collector) addLaunchPlan(key, clean string, data []byte) error {
	lp := &admin.LaunchPlan{}
	err := proto.Unmarshal(data, lp)
	if err == nil {
		switch {
		case lp.Id == nil:
			err = errors.New("launch plan has no id")
		case lp.Id.Name == "":
			err = errors.New("id has an empty name")
		}
	}
	if err != nil {
		return entryErr(key, ErrDecode, "%v; a *%s file must hold a binary admin.LaunchPlan with id.name set", err, LaunchPlanSuffix)
	}
	c.launchPlans = append(c.launchPlans, keyed[LaunchPlan]{key: key, v: LaunchPlan{Path: clean, Spec: lp}})
	return nil
}
