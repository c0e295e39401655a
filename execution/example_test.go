package execution_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/execution"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/literal"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

// exampleAdmin is an in-memory FlyteAdmin holding the task hello_dask (input n: integer) whose
// executions run and succeed with the output total = 42.
func exampleAdmin() *registertest.Admin {
	a := registertest.New()
	integer := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	a.Put(&core.TaskTemplate{
		Id:        &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"},
		Interface: &core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{"n": {Type: integer}}}},
	})
	total, _ := literal.Of(integer, 42)
	a.OnCreateExecution(func(*admin.ExecutionCreateRequest) []registertest.Step {
		return []registertest.Step{
			{Phase: core.WorkflowExecution_QUEUED},
			{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{{ID: "hellodask", Phase: core.NodeExecution_RUNNING,
				Attempts: []registertest.Attempt{{Phase: core.TaskExecution_RUNNING, Logs: []*core.TaskLog{{Name: "(Dask Runner Logs)", Uri: "https://logs.example.com/runner"}}}}}}},
			{Phase: core.WorkflowExecution_SUCCEEDED, Outputs: &core.LiteralMap{Literals: map[string]*core.Literal{"total": total}}},
		}
	})
	return a
}

// Launch a task with typed inputs and follow it to the end. A program talking to a real FlyteAdmin
// creates the client with execution.New(opts) instead, opts coming from
// register.LoadFlytectlConfig.
func Example() {
	ctx := context.Background()
	c := execution.NewClient(exampleAdmin().AdminClient(), register.ClientOptions{})
	defer c.Close()

	ref := execution.Ref{Kind: execution.Task, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"}
	id, err := c.Launch(ctx, ref, map[string]any{"n": 10}, execution.WithName("smoke-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("launched", id, id.ConsoleURL("", register.Options{Endpoint: "dns:///flyte.example.com"}))

	res, err := c.Follow(ctx, id, execution.WithPollInterval(time.Millisecond), execution.WithEvents(func(ev execution.Event) {
		switch ev.Kind {
		case execution.PhaseChanged:
			fmt.Println("phase", ev.Status.Phase)
		case execution.AttemptChanged:
			for _, l := range ev.Attempt.Logs {
				fmt.Printf("node %s attempt %d %s: %s %s\n", ev.Node.ID, ev.Attempt.Number, ev.Attempt.Phase, l.Name, l.URI)
			}
		case execution.Unavailable:
			fmt.Println("FlyteAdmin unavailable, still waiting:", ev.Err)
		}
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Phase, "total =", res.Outputs["total"].Value)
	// Output:
	// launched flytesnacks/development/smoke-1 https://flyte.example.com/console/projects/flytesnacks/domains/development/executions/smoke-1
	// phase QUEUED
	// phase RUNNING
	// node hellodask attempt 0 RUNNING: (Dask Runner Logs) https://logs.example.com/runner
	// phase SUCCEEDED
	// SUCCEEDED total = 42
}

// Inputs are checked against the interface FlyteAdmin has, every problem at once, before anything
// is launched.
func ExampleLaunchable_Parse() {
	ctx := context.Background()
	c := execution.NewClient(exampleAdmin().AdminClient(), register.ClientOptions{})
	l, err := c.Fetch(ctx, execution.Ref{Kind: execution.Task, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range l.Params {
		fmt.Printf("input %s: %s, required %t\n", p.Name, literal.TypeString(p.Type), p.Required)
	}
	_, err = l.Parse(map[string]string{"n": "ten", "m": "1"})
	var ve *field.ValidationError
	if errors.As(err, &ve) {
		for _, e := range ve.Errors {
			fmt.Println(e)
		}
	}
	// Output:
	// input n: integer, required true
	// inputs.n: want integer, got "ten"
	// inputs.m: unknown input: the task's inputs are n (integer)
}

// Abort a running execution; following it then ends in ABORTED with the cause.
func ExampleClient_Abort() {
	ctx := context.Background()
	a := exampleAdmin()
	a.OnCreateExecution(func(*admin.ExecutionCreateRequest) []registertest.Step {
		return []registertest.Step{{Phase: core.WorkflowExecution_RUNNING}}
	})
	c := execution.NewClient(a.AdminClient(), register.ClientOptions{})
	id, _ := c.Launch(ctx, execution.Ref{Kind: execution.Task, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"},
		map[string]any{"n": 1}, execution.WithName("long-job"))
	if err := c.Abort(ctx, id, "cancelled by the pipeline"); err != nil {
		fmt.Println(err)
		return
	}
	res, _ := c.Follow(ctx, id, execution.WithPollInterval(time.Millisecond))
	fmt.Println(res.Phase, res.AbortCause)
	// Output:
	// ABORTED cancelled by the pipeline
}

// Status is one GetExecution.
func ExampleClient_Status() {
	ctx := context.Background()
	c := execution.NewClient(exampleAdmin().AdminClient(), register.ClientOptions{})
	id, _ := c.Launch(ctx, execution.Ref{Kind: execution.Task, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"},
		map[string]any{"n": 1}, execution.WithName("quick"))
	st, err := c.Status(ctx, id)
	fmt.Println(st.Phase, st.Done(), err)
	// Output:
	// QUEUED false <nil>
}

// A task at hand (e.g. built from a spec) gives its inputs without a GetTask call.
func ExampleTaskLaunchable() {
	integer := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	l := execution.TaskLaunchable(execution.Ref{Kind: execution.Task, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"},
		&core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{"n": {Type: integer}}}})
	for _, p := range l.Params {
		fmt.Printf("input %s: %s, required %t\n", p.Name, literal.TypeString(p.Type), p.Required)
	}
	// Output:
	// input n: integer, required true
}

// A launch plan at hand (e.g. built from a spec, before FlyteAdmin computed its expected inputs)
// gives its inputs: defaults from spec.default_inputs, fixed inputs that cannot be given.
func ExampleLaunchPlanLaunchable() {
	integer := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	ten, _ := literal.Of(integer, 10)
	seven, _ := literal.Of(integer, 7)
	lp := &admin.LaunchPlan{Spec: &admin.LaunchPlanSpec{
		DefaultInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{
			"n":    {Var: &core.Variable{Type: integer}, Behavior: &core.Parameter_Default{Default: ten}},
			"seed": {Var: &core.Variable{Type: integer}, Behavior: &core.Parameter_Required{Required: true}},
		}},
		FixedInputs: &core.LiteralMap{Literals: map[string]*core.Literal{"workers": seven}},
	}}
	l := execution.LaunchPlanLaunchable(execution.Ref{Kind: execution.LaunchPlan, Project: "flytesnacks", Domain: "development", Name: "nightly", Version: "v1"}, lp)
	for _, p := range l.Params {
		fmt.Printf("input %s: required %t, default %v, fixed %v\n", p.Name, p.Required, p.Default != nil, p.Fixed != nil)
	}
	_, err := l.Parse(map[string]string{"workers": "3"})
	fmt.Println(err)
	// Output:
	// input n: required false, default true, fixed false
	// input seed: required true, default false, fixed false
	// input workers: required false, default false, fixed true
	// 2 validation errors:
	// 	inputs.seed: required input of type integer is missing
	// 	inputs.workers: fixed by the launch plan to 7; it cannot be given
}

// A re-run with the same execution name and inputs starts nothing: Start returns the id of the
// execution that exists, and WithExisting says so.
func ExampleWithExisting() {
	ctx := context.Background()
	c := execution.NewClient(exampleAdmin().AdminClient(), register.ClientOptions{})
	ref := execution.Ref{Kind: execution.Task, Project: "flytesnacks", Domain: "development", Name: "hello_dask", Version: "v1"}
	for range 2 {
		existed := false
		id, err := c.Launch(ctx, ref, map[string]any{"n": 10}, execution.WithName("nightly-2026-01-02"),
			execution.WithExisting(func(execution.ID) { existed = true }))
		if err != nil {
			fmt.Println(err)
			return
		}
		if existed {
			fmt.Println("already existed:", id)
		} else {
			fmt.Println("launched:", id)
		}
	}
	// Output:
	// launched: flytesnacks/development/nightly-2026-01-02
	// already existed: flytesnacks/development/nightly-2026-01-02
}
