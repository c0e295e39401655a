package bundle

import "github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

// Entities are the registrable entities of a bundle, each kind in the order it is registered:
// every task before any workflow (FlyteAdmin compiles a workflow against tasks already registered),
// every workflow before any launch plan (a launch plan names a registered workflow). It is what
// spec files build, what bundles hold and what package register registers.
type Entities struct {
	// Tasks are admin.TaskSpec values ("{idx}_{name}_1.pb" files).
	Tasks []*admin.TaskSpec
	// Workflows are admin.WorkflowSpec values ("{idx}_{name}_2.pb" files).
	Workflows []*admin.WorkflowSpec
	// LaunchPlans are admin.LaunchPlan values ("{idx}_{name}_3.pb" files), each workflow's default
	// launch plan (named like the workflow) first, as pyflyte writes them.
	LaunchPlans []*admin.LaunchPlan
}

// Len is the number of entities of every kind.
func (e Entities) Len() int { return len(e.Tasks) + len(e.Workflows) + len(e.LaunchPlans) }
