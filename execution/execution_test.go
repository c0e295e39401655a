package execution_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/execution"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/literal"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

var (
	intType = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	strType = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_STRING}}
)

func lit(t *testing.T, typ *core.LiteralType, v any) *core.Literal {
	t.Helper()
	l, err := literal.Of(typ, v)
	require.NoError(t, err)
	return l
}

const (
	project  = "flytesnacks"
	domain   = "development"
	taskName = "workflows.dask_example.hello_dask"
)

var taskRef = execution.Ref{Kind: execution.Task, Project: project, Domain: domain, Name: taskName, Version: "v1"}
var lpRef = execution.Ref{Kind: execution.LaunchPlan, Project: project, Domain: domain, Name: "nightly", Version: "v1"}

// newFake returns the fake with a task (inputs n: int, label: str) and a launch plan (inputs n:
// int required, label: str default "x", size: int fixed 7).
func newFake(t *testing.T) *registertest.Admin {
	t.Helper()
	a := registertest.New()
	a.Put(&core.TaskTemplate{
		Id: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: project, Domain: domain, Name: taskName, Version: "v1"},
		Interface: &core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
			"n": {Type: intType}, "label": {Type: strType},
		}}},
	})
	a.PutLaunchPlan(&admin.LaunchPlan{
		Id:   &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Project: project, Domain: domain, Name: "nightly", Version: "v1"},
		Spec: &admin.LaunchPlanSpec{FixedInputs: &core.LiteralMap{Literals: map[string]*core.Literal{"size": lit(t, intType, 7)}}},
		Closure: &admin.LaunchPlanClosure{ExpectedInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{
			"n":     {Var: &core.Variable{Type: intType}, Behavior: &core.Parameter_Required{Required: true}},
			"label": {Var: &core.Variable{Type: strType}, Behavior: &core.Parameter_Default{Default: lit(t, strType, "x")}},
			"size":  {Var: &core.Variable{Type: intType}, Behavior: &core.Parameter_Default{Default: lit(t, intType, 7)}},
		}}},
	})
	return a
}

// fastRetries keeps retry waits short.
var fastRetries = register.ClientOptions{Retry: register.RetryPolicy{BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Window: 2 * time.Second}}

func newClient(a *registertest.Admin) *execution.Client {
	return execution.NewClient(a.AdminClient(), fastRetries)
}

func values(t *testing.T, m *core.LiteralMap) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, l := range m.GetLiterals() {
		v, err := literal.Value(l)
		require.NoError(t, err)
		out[k] = v
	}
	return out
}

func TestLaunchTask(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"})
	require.NoError(t, err)
	assert.Equal(t, project, id.Project)
	assert.Equal(t, domain, id.Domain)
	require.NoError(t, execution.ValidateName(id.Name))

	ex := a.Executions()
	require.Len(t, ex, 1)
	assert.Equal(t, id.Name, ex[0].GetName(), "the client sends the name it generated")
	lp := ex[0].GetSpec().GetLaunchPlan()
	assert.Equal(t, core.ResourceType_TASK, lp.GetResourceType())
	assert.Equal(t, taskName, lp.GetName())
	assert.Equal(t, "v1", lp.GetVersion())
	assert.Equal(t, map[string]any{"n": int64(3), "label": "hi"}, values(t, ex[0].GetInputs()))
}

func TestLaunchPlanDefaultsAndFixed(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	l, err := c.Fetch(context.Background(), lpRef)
	require.NoError(t, err)
	var names []string
	for _, p := range l.Params {
		names = append(names, fmt.Sprintf("%s required=%t default=%t fixed=%t", p.Name, p.Required, p.Default != nil, p.Fixed != nil))
	}
	assert.Equal(t, []string{"label required=false default=true fixed=false", "n required=true default=false fixed=false", "size required=false default=false fixed=true"}, names)

	inputs, err := l.Parse(map[string]string{"n": "5"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"n": int64(5), "label": "x"}, values(t, inputs), "the default is sent, the fixed input is not")
	id, err := c.Start(context.Background(), l, inputs, execution.WithName("nightly-1"))
	require.NoError(t, err)
	assert.Equal(t, "nightly-1", id.Name)
	ex := a.Executions()
	require.Len(t, ex, 1)
	assert.Equal(t, map[string]any{"n": int64(5), "label": "x", "size": int64(7)}, values(t, ex[0].GetInputs()))
}

// TestInputProblems: every problem at once, by path, and nothing launched.
func TestInputProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		ref  execution.Ref
		in   map[string]string
		want []string
	}{
		{"missing", taskRef, map[string]string{"n": "1"}, []string{"inputs.label: required input of type string is missing"}},
		{"unknown", taskRef, map[string]string{"n": "1", "label": "a", "nn": "2"}, []string{`inputs.nn: unknown input: the task's inputs are label (string), n (integer)`}},
		{"bad value", taskRef, map[string]string{"n": "one", "label": "a"}, []string{`inputs.n: want integer, got "one"`}},
		{"fixed", lpRef, map[string]string{"n": "1", "size": "8"}, []string{"inputs.size: fixed by the launch plan to 7; it cannot be given"}},
		{"lp unknown", lpRef, map[string]string{"m": "1"}, []string{"inputs.n: required input of type integer is missing", "inputs.m: unknown input: the launch plan's inputs are label (string, default \"x\"), n (integer), size (fixed)"}},
		{"all", taskRef, map[string]string{"n": "x", "zz": "1"}, []string{"inputs.label: required", "inputs.n: want integer", "inputs.zz: unknown input"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newFake(t)
			c := newClient(a)
			l, err := c.Fetch(context.Background(), tc.ref)
			require.NoError(t, err)
			_, err = l.Parse(tc.in)
			var ve *field.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Errors, len(tc.want), err.Error())
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(ve.Errors[i].Error(), w), "%q does not start with %q", ve.Errors[i].Error(), w)
			}
			assert.Empty(t, a.Executions())
		})
	}
}

func TestBindGoValues(t *testing.T) {
	c := newClient(newFake(t))
	_, err := c.Launch(context.Background(), taskRef, map[string]any{"n": "3", "label": "a"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "inputs.n")
	assert.Contains(t, err.Error(), "integer")
}

func TestRefValidate(t *testing.T) {
	err := execution.Ref{}.Validate()
	require.Error(t, err)
	for _, p := range []string{"kind", "project", "domain", "name", "version"} {
		assert.Contains(t, err.Error(), p+": ")
	}
}

// TestRetriedCreateIsOneExecution: the first CreateExecution is stored but its reply is lost; the
// retry gets AlreadyExists, which is the same execution.
func TestRetriedCreateIsOneExecution(t *testing.T) {
	a := newFake(t)
	a.CreateExecutionReply(func(n int) error {
		if n == 1 {
			return status.Error(codes.Unavailable, "connection reset")
		}
		return nil
	})
	c := newClient(a)
	var existed []execution.ID
	onExisting := execution.WithExisting(func(id execution.ID) { existed = append(existed, id) })
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, onExisting)
	require.NoError(t, err)
	require.Len(t, a.Executions(), 1)
	assert.Equal(t, id.Name, a.Executions()[0].GetName())
	assert.Equal(t, 2, a.ExecutionCalls()["CreateExecution"])
	assert.Empty(t, existed, "AlreadyExists to a retry is this call's own execution")

	// The same named launch again: the same execution, which existed before the call.
	id2, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName(id.Name), onExisting)
	require.NoError(t, err)
	assert.Equal(t, id, id2)
	assert.Equal(t, []execution.ID{id}, existed)
	// Other inputs under that name: refused, nothing started.
	_, err = c.Launch(context.Background(), taskRef, map[string]any{"n": 4, "label": "hi"}, execution.WithName(id.Name))
	require.ErrorIs(t, err, execution.ErrNameTaken)
	assert.Contains(t, err.Error(), "inputs n differ")
	// Another launch plan under that name.
	_, err = c.Launch(context.Background(), lpRef, map[string]any{"n": 3}, execution.WithName(id.Name), onExisting)
	require.ErrorIs(t, err, execution.ErrNameTaken)
	assert.Len(t, a.Executions(), 1)
	assert.Len(t, existed, 1, "a refused name is not reported as existing")
}

func TestValidateName(t *testing.T) {
	for name, ok := range map[string]bool{
		"a": true, "abc-123": true, strings.Repeat("a", 63): true,
		"": false, "1abc": false, "Abc": false, "a_b": false, strings.Repeat("a", 64): false, "a.b": false,
	} {
		assert.Equal(t, ok, execution.ValidateName(name) == nil, name)
	}
	for i := 0; i < 100; i++ {
		n := execution.NewName()
		require.NoError(t, execution.ValidateName(n))
		assert.Len(t, n, 20)
	}
	c := newClient(newFake(t))
	_, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 1, "label": "a"}, execution.WithName("Bad_Name"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lower-case")
}

func running(logs ...*core.TaskLog) registertest.Node {
	return registertest.Node{ID: "workflowsdaskexamplehellodask", Phase: core.NodeExecution_RUNNING,
		Attempts: []registertest.Attempt{{Phase: core.TaskExecution_RUNNING, Logs: logs}}}
}

var runnerLog = &core.TaskLog{Name: "Kubernetes Logs(Dask Runner Logs)", Uri: "http://localhost:30082/#!/log/ns/runner/pod"}

func TestFollowSucceeded(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("ok"))
	require.NoError(t, err)
	done := running(runnerLog)
	done.Phase = core.NodeExecution_SUCCEEDED
	done.Attempts[0].Phase = core.TaskExecution_SUCCEEDED
	a.Script("ok",
		registertest.Step{Phase: core.WorkflowExecution_QUEUED},
		registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{{ID: "workflowsdaskexamplehellodask", Phase: core.NodeExecution_QUEUED}}},
		registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{running(runnerLog)}, Polls: 3},
		registertest.Step{Phase: core.WorkflowExecution_SUCCEEDED, Nodes: []registertest.Node{done},
			Outputs: &core.LiteralMap{Literals: map[string]*core.Literal{"total": lit(t, intType, 42)}}},
	)
	var events []string
	res, err := c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond), execution.WithEvents(func(ev execution.Event) {
		s := ev.Kind.String() + " " + ev.Status.Phase.String()
		if ev.Node != nil {
			s += " " + ev.Node.ID + " " + ev.Node.Phase.String()
		}
		if ev.Attempt != nil {
			s += fmt.Sprintf(" attempt %d %s %v", ev.Attempt.Number, ev.Attempt.Phase, ev.Attempt.Logs)
		}
		events = append(events, s)
	}))
	require.NoError(t, err)
	assert.Equal(t, core.WorkflowExecution_SUCCEEDED, res.Phase)
	assert.Equal(t, map[string]execution.Output{"total": {Value: int64(42)}}, res.Outputs)
	require.Len(t, res.Nodes, 1, "start-node and end-node are left out")
	assert.Equal(t, []execution.Log{{Name: runnerLog.Name, URI: runnerLog.Uri}}, res.Nodes[0].Attempts[0].Logs)
	assert.Equal(t, []string{
		"PhaseChanged QUEUED",
		"PhaseChanged RUNNING",
		"NodeChanged RUNNING workflowsdaskexamplehellodask QUEUED",
		"NodeChanged RUNNING workflowsdaskexamplehellodask RUNNING",
		"AttemptChanged RUNNING workflowsdaskexamplehellodask RUNNING attempt 0 RUNNING [{Kubernetes Logs(Dask Runner Logs) http://localhost:30082/#!/log/ns/runner/pod}]",
		"PhaseChanged SUCCEEDED",
		"NodeChanged SUCCEEDED workflowsdaskexamplehellodask SUCCEEDED",
		"AttemptChanged SUCCEEDED workflowsdaskexamplehellodask SUCCEEDED attempt 0 SUCCEEDED [{Kubernetes Logs(Dask Runner Logs) http://localhost:30082/#!/log/ns/runner/pod}]",
	}, events)
}

func TestFollowFailed(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("bad"))
	require.NoError(t, err)
	perr := &core.ExecutionError{Code: "USER:Unknown", Message: "exit status 3", Kind: core.ExecutionError_USER}
	n := running()
	n.Phase, n.Error = core.NodeExecution_FAILED, perr
	n.Attempts[0].Phase, n.Attempts[0].Error = core.TaskExecution_FAILED, perr
	a.Script("bad", registertest.Step{Phase: core.WorkflowExecution_FAILED, Error: perr, Nodes: []registertest.Node{n}})
	res, err := c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond))
	require.NoError(t, err, "a failed execution is a result, not an error")
	assert.Equal(t, core.WorkflowExecution_FAILED, res.Phase)
	require.NotNil(t, res.Error)
	assert.Equal(t, "USER:Unknown: exit status 3", res.Error.Error())
	assert.Equal(t, "USER", res.Error.Kind)
	assert.Equal(t, "exit status 3", res.Nodes[0].Attempts[0].Error.Message)
	assert.Nil(t, res.Outputs)
	assert.Zero(t, a.ExecutionCalls()["GetExecutionData"], "outputs are fetched only for a succeeded execution")
}

// TestFollowCostsOneGetExecutionPerPoll measures the cost of following a running execution whose
// node runs with its log links: after the listing that saw the phase change, exactly one
// GetExecution per poll and no other call.
func TestFollowCostsOneGetExecutionPerPoll(t *testing.T) {
	const polls = 50
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("steady"))
	require.NoError(t, err)
	done := running(runnerLog)
	done.Phase, done.Attempts[0].Phase = core.NodeExecution_SUCCEEDED, core.TaskExecution_SUCCEEDED
	a.Script("steady",
		registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{running(runnerLog)}, Polls: 1 + polls},
		registertest.Step{Phase: core.WorkflowExecution_SUCCEEDED, Nodes: []registertest.Node{done}},
	)
	var atSteady, atEnd map[string]int
	gets := 0
	_, err = c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond), execution.WithEvents(func(ev execution.Event) {
		if ev.Kind == execution.AttemptChanged && ev.Status.Phase == core.WorkflowExecution_RUNNING {
			atSteady = a.ExecutionCalls()
		}
	}))
	require.NoError(t, err)
	atEnd = a.ExecutionCalls()
	gets = atEnd["GetExecution"] - atSteady["GetExecution"]
	// Polls 2..51 saw nothing new; poll 52 saw SUCCEEDED.
	assert.Equal(t, polls+1, gets)
	assert.Equal(t, atSteady["ListNodeExecutions"]+1, atEnd["ListNodeExecutions"], "one node listing, for the final phase")
	assert.Equal(t, atSteady["ListTaskExecutions"]+1, atEnd["ListTaskExecutions"])
	assert.Equal(t, 1, atSteady["ListNodeExecutions"], "the phase change cost one listing")
	assert.Equal(t, 1, atSteady["ListTaskExecutions"])
	t.Logf("following %d polls of an unchanged running execution: %d GetExecution, %d ListNodeExecutions, %d ListTaskExecutions",
		polls, gets-1, atEnd["ListNodeExecutions"]-atSteady["ListNodeExecutions"]-1, atEnd["ListTaskExecutions"]-atSteady["ListTaskExecutions"]-1)
}

// TestFollowPendingNodeBacksOff: while the node waits for its Dask cluster, listings come at gaps
// of 1, 2, 4, 8, 8... polls.
func TestFollowPendingNodeBacksOff(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("pending"))
	require.NoError(t, err)
	queued := registertest.Node{ID: "n0", Phase: core.NodeExecution_QUEUED, Attempts: []registertest.Attempt{{Phase: core.TaskExecution_INITIALIZING}}}
	a.Script("pending",
		registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{queued}, Polls: 40},
		registertest.Step{Phase: core.WorkflowExecution_ABORTED},
	)
	_, err = c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	// Polls 1..40 RUNNING: listings at polls 1, 2, 4, 8, 16, 24, 32, 40; poll 41 ABORTED lists once more.
	assert.Equal(t, 9, a.ExecutionCalls()["ListNodeExecutions"])
}

func TestFollowRidesOutUnavailable(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("restart"))
	require.NoError(t, err)
	a.Script("restart",
		registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{running(runnerLog)}, Polls: 3},
		registertest.Step{Phase: core.WorkflowExecution_SUCCEEDED},
	)
	var n atomic.Int32
	a.SetExecutionHook(func(_ context.Context, method, _ string) error {
		if method == "GetExecution" {
			if k := n.Add(1); k >= 2 && k <= 30 {
				return status.Error(codes.Unavailable, "connection refused")
			}
		}
		return nil
	})
	var kinds []string
	res, err := c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond), execution.WithEvents(func(ev execution.Event) {
		if ev.Kind == execution.Unavailable || ev.Kind == execution.Available || ev.Kind == execution.PhaseChanged {
			kinds = append(kinds, ev.Kind.String())
		}
	}))
	require.NoError(t, err)
	assert.Equal(t, core.WorkflowExecution_SUCCEEDED, res.Phase)
	assert.Equal(t, []string{"PhaseChanged", "Unavailable", "Available", "PhaseChanged"}, kinds)
}

func TestFollowStopsWithContext(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("forever"))
	require.NoError(t, err)
	a.Script("forever", registertest.Step{Phase: core.WorkflowExecution_RUNNING})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := c.Follow(ctx, id, execution.WithPollInterval(5*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, core.WorkflowExecution_RUNNING, res.Phase, "the last status is returned")
}

func TestFollowNonTransientErrorEnds(t *testing.T) {
	c := newClient(newFake(t))
	_, err := c.Follow(context.Background(), execution.ID{Project: project, Domain: domain, Name: "nope"}, execution.WithPollInterval(time.Millisecond))
	require.Error(t, err)
	assert.Equal(t, codes.NotFound, status.Code(err))
}

func TestAbort(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("stop-me"))
	require.NoError(t, err)
	a.Script("stop-me", registertest.Step{Phase: core.WorkflowExecution_RUNNING})
	require.NoError(t, c.Abort(context.Background(), id, "aborted by CI"))
	res, err := c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, core.WorkflowExecution_ABORTED, res.Phase)
	assert.Equal(t, "aborted by CI", res.AbortCause)
	err = c.Abort(context.Background(), id, "again")
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))
}

// TestListingIsPagedAndRecursive: 250 nodes in pages of 100, a parent node's children listed by
// unique_parent_id.
func TestListingIsPagedAndRecursive(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), lpRef, map[string]any{"n": 1}, execution.WithName("big"))
	require.NoError(t, err)
	var nodes []registertest.Node
	for i := 0; i < 250; i++ {
		nodes = append(nodes, registertest.Node{ID: fmt.Sprintf("n%03d", i), Phase: core.NodeExecution_SUCCEEDED,
			Attempts: []registertest.Attempt{{Phase: core.TaskExecution_FAILED}, {Phase: core.TaskExecution_SUCCEEDED}}})
	}
	nodes = append(nodes, registertest.Node{ID: "sub", Parent: true, Phase: core.NodeExecution_SUCCEEDED},
		registertest.Node{ID: "inner", ParentID: "sub", Phase: core.NodeExecution_SUCCEEDED})
	a.Script("big", registertest.Step{Phase: core.WorkflowExecution_SUCCEEDED, Nodes: nodes})
	res, err := c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	require.Len(t, res.Nodes, 252)
	assert.Equal(t, "inner", res.Nodes[251].ID)
	assert.Equal(t, "sub", res.Nodes[251].ParentID)
	assert.Equal(t, []uint32{0, 1}, []uint32{res.Nodes[0].Attempts[0].Number, res.Nodes[0].Attempts[1].Number}, "attempts oldest first")
	// 253 top-level entries (start-node + 251 + nothing for a launch plan's end-node) = 3 pages, plus 1 for sub.
	assert.Equal(t, 4, a.ExecutionCalls()["ListNodeExecutions"])
}

func TestConsoleURL(t *testing.T) {
	id := execution.ID{Project: "p", Domain: "d", Name: "abc"}
	for _, tc := range []struct {
		console string
		o       register.Options
		want    string
	}{
		{"", register.Options{Endpoint: "dns:///flyte.example.com:443"}, "https://flyte.example.com:443/console/projects/p/domains/d/executions/abc"},
		{"", register.Options{Endpoint: "flyte.example.com", Insecure: true}, "http://flyte.example.com/console/projects/p/domains/d/executions/abc"},
		{"", register.Options{Endpoint: "localhost:30081", Insecure: true}, "http://localhost:30080/console/projects/p/domains/d/executions/abc"},
		{"https://console.example.com/", register.Options{Endpoint: "dns:///admin:81"}, "https://console.example.com/console/projects/p/domains/d/executions/abc"},
	} {
		assert.Equal(t, tc.want, id.ConsoleURL(tc.console, tc.o))
	}
}

func TestNewNeedsEndpoint(t *testing.T) {
	_, err := execution.New(register.Options{})
	require.ErrorIs(t, err, register.ErrConfig)
	c, err := execution.New(register.Options{Endpoint: "localhost:1", Insecure: true}, func(o *register.Options) { o.Retry.MaxRetries = -1 })
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Status(context.Background(), execution.ID{Project: "p", Domain: "d", Name: "x"})
	assert.Equal(t, codes.Unavailable, status.Code(err))
}

// TestFollowListingRefusedIsPartial: a listing refused for good does not hide the outcome.
func TestFollowListingRefusedIsPartial(t *testing.T) {
	a := newFake(t)
	c := newClient(a)
	id, err := c.Launch(context.Background(), taskRef, map[string]any{"n": 3, "label": "hi"}, execution.WithName("partial"))
	require.NoError(t, err)
	a.Script("partial",
		registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{running()}},
		registertest.Step{Phase: core.WorkflowExecution_SUCCEEDED, Outputs: &core.LiteralMap{Literals: map[string]*core.Literal{"total": lit(t, intType, 1)}}},
	)
	a.SetExecutionHook(func(_ context.Context, method, _ string) error {
		if method == "ListNodeExecutions" {
			return status.Error(codes.PermissionDenied, "no")
		}
		return nil
	})
	res, err := c.Follow(context.Background(), id, execution.WithPollInterval(time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, core.WorkflowExecution_SUCCEEDED, res.Phase)
	assert.Equal(t, codes.PermissionDenied, status.Code(res.Partial))
	assert.Equal(t, 1, a.ExecutionCalls()["ListNodeExecutions"], "a refused listing is not repeated")
	assert.Equal(t, map[string]execution.Output{"total": {Value: int64(1)}}, res.Outputs)
}
