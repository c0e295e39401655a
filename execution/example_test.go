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
