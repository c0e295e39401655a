package bundle_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/bundle"
)

// exampleEntities is a task, the one-node workflow over it and two launch plans, the shapes
// package launchplan builds (hand-built here).
func exampleEntities() bundle.Entities {
	task := exampleSpec("mypkg.train")
	wfID := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "mypkg.train_wf"}
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:        wfID,
		Interface: &core.TypedInterface{},
		Nodes: []*core.Node{{
			Id:       "n0",
			Metadata: &core.NodeMetadata{Name: "train", Retries: &core.RetryStrategy{}},
			Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
				Reference: &core.TaskNode_ReferenceId{ReferenceId: task.Template.Id},
			}},
		}},
	}}
	lp := func(name string) *admin.LaunchPlan {
		return &admin.LaunchPlan{
			Id:   &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: name},
			Spec: &admin.LaunchPlanSpec{WorkflowId: wfID, EntityMetadata: &admin.LaunchPlanMetadata{}},
		}
	}
	return bundle.Entities{
		Tasks:       []*admin.TaskSpec{task},
		Workflows:   []*admin.WorkflowSpec{wf},
		LaunchPlans: []*admin.LaunchPlan{lp("mypkg.train_wf"), lp("nightly")},
	}
}

func ExampleEntities_WriteArchive() {
	var buf bytes.Buffer
	if err := exampleEntities().WriteArchive(&buf); err != nil {
		log.Fatal(err)
	}
	b, err := bundle.Read(&buf)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range b.Tasks {
		fmt.Println(t.Path)
	}
	for _, w := range b.Workflows {
		fmt.Println(w.Path)
	}
	for _, l := range b.LaunchPlans {
		fmt.Println(l.Path)
	}
	// Output:
	// 0_mypkg.train_1.pb
	// 1_mypkg.train_wf_2.pb
	// 2_mypkg.train_wf_3.pb
	// 3_nightly_3.pb
}

func ExampleBundle_Entities() {
	b, err := bundle.ReadFile("../testdata/pyflyte/flyte-package.tgz")
	if err != nil {
		log.Fatal(err)
	}
	e := b.Entities()
	fmt.Println(len(e.Tasks), "task,", len(e.Workflows), "workflow,", len(e.LaunchPlans), "launch plan")
	// Output: 1 task, 1 workflow, 1 launch plan
}
