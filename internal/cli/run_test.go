package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/rogpeppe/go-internal/testscript"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/literal"
	"github.com/flytedask/flytedask/register/registertest"
)

var (
	intT  = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	strT  = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_STRING}}
	listT = &core.LiteralType{Type: &core.LiteralType_CollectionType{CollectionType: intT}}
)

func mustLit(t *core.LiteralType, v any) *core.Literal {
	l, err := literal.Of(t, v)
	if err != nil {
		panic(err)
	}
	return l
}

// runAdmin is the fake FlyteAdmin of the run/status/abort scripts: the task sum_task@v1 (inputs
// n: int, label: str, xs: list[int]; output total: int) and the launch plan nightly@v1 over it
// (n required, label default "x", xs fixed [1,2]) in flytesnacks/development. What an execution
// does depends on its name: "fail..." fails, "slow..." runs for ever, "flaky..." succeeds after
// FlyteAdmin was unavailable for a few polls, any other succeeds with total = 42.
func runAdmin() *registertest.Admin {
	a := registertest.New()
	id := func(rt core.ResourceType, name string) *core.Identifier {
		return &core.Identifier{ResourceType: rt, Project: "flytesnacks", Domain: "development", Name: name, Version: "v1"}
	}
	a.Put(&core.TaskTemplate{Id: id(core.ResourceType_TASK, "sum_task"), Interface: &core.TypedInterface{
		Inputs: &core.VariableMap{Variables: map[string]*core.Variable{"n": {Type: intT}, "label": {Type: strT}, "xs": {Type: listT}}},
	}})
	a.PutLaunchPlan(&admin.LaunchPlan{
		Id:   id(core.ResourceType_LAUNCH_PLAN, "nightly"),
		Spec: &admin.LaunchPlanSpec{FixedInputs: &core.LiteralMap{Literals: map[string]*core.Literal{"xs": mustLit(listT, []any{1, 2})}}},
		Closure: &admin.LaunchPlanClosure{ExpectedInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{
			"n":     {Var: &core.Variable{Type: intT}, Behavior: &core.Parameter_Required{Required: true}},
			"label": {Var: &core.Variable{Type: strT}, Behavior: &core.Parameter_Default{Default: mustLit(strT, "x")}},
			"xs":    {Var: &core.Variable{Type: listT}, Behavior: &core.Parameter_Default{Default: mustLit(listT, []any{1, 2})}},
		}}},
	})
	node := func(phase core.NodeExecution_Phase, att core.TaskExecution_Phase, err *core.ExecutionError) []registertest.Node {
		n := registertest.Node{ID: "n0", Phase: phase, Error: err}
		if att != core.TaskExecution_UNDEFINED {
			n.Attempts = []registertest.Attempt{{Phase: att, Error: err, Logs: []*core.TaskLog{
				{Name: "Kubernetes Logs(Dask Runner Logs)", Uri: "http://localhost:30082/#!/log/flytesnacks-development/runner-0/pod?namespace=flytesnacks-development"}}}}
		}
		return []registertest.Node{n}
	}
	perr := &core.ExecutionError{Code: "USER:Unknown", Message: "[1/1] currentAttempt done. Last Error: USER::wrong sum: 41 != 42", Kind: core.ExecutionError_USER}
	a.OnCreateExecution(func(req *admin.ExecutionCreateRequest) []registertest.Step {
		name := req.GetName()
		switch {
		case strings.HasPrefix(name, "fail"):
			return []registertest.Step{
				{Phase: core.WorkflowExecution_RUNNING, Nodes: node(core.NodeExecution_RUNNING, core.TaskExecution_RUNNING, nil)},
				{Phase: core.WorkflowExecution_FAILED, Error: perr, Nodes: node(core.NodeExecution_FAILED, core.TaskExecution_FAILED, perr)},
			}
		case strings.HasPrefix(name, "slow"):
			return []registertest.Step{{Phase: core.WorkflowExecution_RUNNING, Nodes: node(core.NodeExecution_RUNNING, core.TaskExecution_RUNNING, nil)}}
		}
		return []registertest.Step{
			{Phase: core.WorkflowExecution_QUEUED},
			{Phase: core.WorkflowExecution_RUNNING, Nodes: node(core.NodeExecution_QUEUED, core.TaskExecution_UNDEFINED, nil)},
			{Phase: core.WorkflowExecution_RUNNING, Nodes: node(core.NodeExecution_RUNNING, core.TaskExecution_RUNNING, nil), Polls: 3},
			{Phase: core.WorkflowExecution_SUCCEEDED, Nodes: node(core.NodeExecution_SUCCEEDED, core.TaskExecution_SUCCEEDED, nil),
				Outputs: &core.LiteralMap{Literals: map[string]*core.Literal{"total": mustLit(intT, 42)}}},
		}
	})
	var mu sync.Mutex
	gets := map[string]int{}
	a.SetExecutionHook(func(_ context.Context, method, name string) error {
		mu.Lock()
		defer mu.Unlock()
		if method == "GetExecution" && strings.HasPrefix(name, "flaky") {
			gets[name]++
			if n := gets[name]; n >= 2 && n <= 4 {
				return status.Error(codes.Unavailable, "connection refused")
			}
		}
		return nil
	})
	return a
}

// fakes maps a running script to its fake FlyteAdmin.
var fakes sync.Map

// serveAdmin serves a on 127.0.0.1 and returns its address and a stop function.
func serveAdmin(a *registertest.Admin) (string, func(), error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := grpc.NewServer()
	service.RegisterAdminServiceServer(srv, a)
	go func() { _ = srv.Serve(lis) }()
	return lis.Addr().String(), srv.Stop, nil
}

// TestRunScripts runs testdata/run/*.txtar: run, status and abort against the fake FlyteAdmin of
// runAdmin, served over gRPC by the script command "fakeadmin" (which sets $ADMIN).
func TestRunScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/run",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FLYTECTL_CONFIG", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// fakeadmin: start runAdmin's FlyteAdmin for this script; $ADMIN is its address.
			"fakeadmin": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 0 {
					ts.Fatalf("usage: fakeadmin")
				}
				a := runAdmin()
				addr, stop, err := serveAdmin(a)
				ts.Check(err)
				ts.Defer(stop)
				ts.Setenv("ADMIN", addr)
				fakes.Store(ts, a)
			},
			// executions: print the executions the fake created, one per line:
			// "NAME RESOURCE_TYPE LAUNCHED_NAME INPUT=JSON...", inputs sorted.
			"executions": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 0 {
					ts.Fatalf("usage: executions")
				}
				v, ok := fakes.Load(ts)
				if !ok {
					ts.Fatalf("no fakeadmin in this script")
				}
				for _, ex := range v.(*registertest.Admin).Executions() {
					lp := ex.GetSpec().GetLaunchPlan()
					line := []string{ex.GetName(), lp.GetResourceType().String(), lp.GetName() + "@" + lp.GetVersion()}
					lits := ex.GetInputs().GetLiterals()
					for _, k := range slices.Sorted(maps.Keys(lits)) {
						val, err := literal.Value(lits[k])
						ts.Check(err)
						b, err := json.Marshal(val)
						ts.Check(err)
						line = append(line, k+"="+string(b))
					}
					fmt.Fprintln(ts.Stdout(), strings.Join(line, " "))
				}
			},
		},
	})
}

func getReq(name string) *admin.WorkflowExecutionGetRequest {
	return &admin.WorkflowExecutionGetRequest{Id: &core.WorkflowExecutionIdentifier{Project: "flytesnacks", Domain: "development", Name: name}}
}
