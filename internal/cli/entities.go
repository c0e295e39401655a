package cli

import (
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
)

// entityIDs lists the ids of e whose versions decide a bundle's target:
// the tasks' template ids, the workflows' template ids and the launch
// plans' ids.
func entityIDs(e bundle.Entities) []*core.Identifier {
	ids := make([]*core.Identifier, 0, e.Len())
	for _, s := range e.Tasks {
		ids = append(ids, s.GetTemplate().GetId())
	}
	for _, w := range e.Workflows {
		ids = append(ids, w.GetTemplate().GetId())
	}
	for _, l := range e.LaunchPlans {
		ids = append(ids, l.GetId())
	}
	return ids
}

// describeEntities is "2 tasks" for tasks alone, else e.g. "1 task, 1
// workflow, 2 launch plans".
func describeEntities(e bundle.Entities) string {
	if len(e.Workflows)+len(e.LaunchPlans) == 0 {
		return plural(len(e.Tasks), "task")
	}
	return fmt.Sprintf("%s, %s, %s", plural(len(e.Tasks), "task"), plural(len(e.Workflows), "workflow"), plural(len(e.LaunchPlans), "launch plan"))
}

func (in *input) describe() string { return describeEntities(in.entities) }

// noun is "tasks" for tasks alone, else "entities".
func (in *input) noun() string {
	if len(in.entities.Workflows)+len(in.entities.LaunchPlans) == 0 {
		return "tasks"
	}
	return "entities"
}

// hasKinds reports whether results cover more than tasks.
func hasKinds(results []register.Result) bool {
	for _, r := range results {
		if r.Kind() != "task" {
			return true
		}
	}
	return false
}

// entityLabel is NAME for a task and "KIND NAME" for a workflow or launch
// plan (a workflow and its default launch plan share the name).
func entityLabel(kind, name string) string {
	name = displayName(name)
	if kind == "task" {
		return name
	}
	return kind + " " + name
}
