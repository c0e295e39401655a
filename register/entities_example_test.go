package register_test

import (
	"context"
	"fmt"
	"log"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

// exampleEntities is a task, the one-node workflow over it and a fixed-rate launch plan, with the
// empty ids bundles carry (normally from a spec's BuildEntities or bundle.Bundle.Entities).
func exampleEntities() bundle.Entities {
	task := exampleSpec("pkg.etl", "ghcr.io/example/dask:1")
	wfID := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "pkg.etl_wf"}
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{Id: wfID, Nodes: []*core.Node{{
		Id: "n0", Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{
			ReferenceId: &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "pkg.etl"}}}},
	}}}}
	lp := &admin.LaunchPlan{
		Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "etl_every_10m"},
		Spec: &admin.LaunchPlanSpec{WorkflowId: wfID, EntityMetadata: &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{
			ScheduleExpression: &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: 10, Unit: admin.FixedRateUnit_MINUTE}}}}},
	}
	return bundle.Entities{Tasks: []*admin.TaskSpec{task}, Workflows: []*admin.WorkflowSpec{wf}, LaunchPlans: []*admin.LaunchPlan{lp}}
}

func ExampleClient_RegisterEntities() {
	// register.New(ctx, register.Options{Endpoint: ...}) for a real FlyteAdmin; the in-memory
	// fake here behaves like FlyteAdmin v1.1.131.
	client := register.NewClient(registertest.New().Client(), register.ClientOptions{})
	target := register.Target{Project: "flytesnacks", Domain: "production", Version: "v1"}
	results, err := client.RegisterEntities(context.Background(), exampleEntities(), target, register.WithActivateLaunchPlans())
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		fmt.Println(r)
	}
	// Output:
	// pkg.etl@v1: Created (1 attempt): registered
	// workflow pkg.etl_wf@v1: Created (1 attempt): registered
	// launch plan etl_every_10m@v1: Created (1 attempt): registered; activated
}

func ExampleDryRunEntities() {
	target := register.Target{Project: "flytesnacks", Domain: "production", Version: "v1"}
	for _, r := range register.DryRunEntities(exampleEntities(), target) {
		fmt.Println(r.Kind(), r.Name(), r.Outcome)
	}
	// Output:
	// task pkg.etl WouldRegister
	// workflow pkg.etl_wf WouldRegister
	// launch plan etl_every_10m WouldRegister
}

func ExampleClient_DiffEntities() {
	client := register.NewClient(registertest.New().Client(), register.ClientOptions{})
	target := register.Target{Project: "flytesnacks", Domain: "production", Version: "v1"}
	diffs, err := client.DiffEntities(context.Background(), exampleEntities(), target)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range diffs {
		fmt.Println(d.Kind(), d.ID.GetName(), d.Status)
	}
	// Output:
	// task pkg.etl NotRegistered
	// workflow pkg.etl_wf NotRegistered
	// launch plan etl_every_10m NotRegistered
}
