package registertest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/register/registertest"
)

func execFake(t *testing.T) *registertest.Admin {
	t.Helper()
	a := registertest.New()
	a.Put(&core.TaskTemplate{
		Id: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "p", Domain: "d", Name: "t", Version: "v1"},
		Interface: &core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
			"n": {Type: &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}},
		}}},
	})
	return a
}

func intLit(n int64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: n}}}}}}
}

func createReq(name string, inputs map[string]*core.Literal) *admin.ExecutionCreateRequest {
	return &admin.ExecutionCreateRequest{Project: "p", Domain: "d", Name: name,
		Spec:   &admin.ExecutionSpec{LaunchPlan: &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "p", Domain: "d", Name: "t", Version: "v1"}},
		Inputs: &core.LiteralMap{Literals: inputs}}
}

func TestCreateExecutionRules(t *testing.T) {
	ctx := context.Background()
	ok := map[string]*core.Literal{"n": intLit(1)}
	for _, tc := range []struct {
		name string
		req  *admin.ExecutionCreateRequest
		code codes.Code
	}{
		{"valid", createReq("e-1", ok), codes.OK},
		{"upper case", createReq("E1", ok), codes.InvalidArgument},
		{"too long", createReq("a"+strings.Repeat("b", 63), ok), codes.InvalidArgument},
		{"digit first", createReq("1e", ok), codes.InvalidArgument},
		{"missing input", createReq("e-2", nil), codes.InvalidArgument},
		{"unknown input", createReq("e-3", map[string]*core.Literal{"n": intLit(1), "m": intLit(2)}), codes.InvalidArgument},
		{"no such task", func() *admin.ExecutionCreateRequest {
			r := createReq("e-4", ok)
			r.Spec.LaunchPlan.Version = "v2"
			return r
		}(), codes.NotFound},
		{"workflow id", func() *admin.ExecutionCreateRequest {
			r := createReq("e-5", ok)
			r.Spec.LaunchPlan.ResourceType = core.ResourceType_WORKFLOW
			return r
		}(), codes.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := execFake(t)
			_, err := a.CreateExecution(ctx, tc.req)
			assert.Equal(t, tc.code, status.Code(err), "%v", err)
		})
	}
	a := execFake(t)
	_, err := a.CreateExecution(ctx, createReq("same", ok))
	require.NoError(t, err)
	_, err = a.CreateExecution(ctx, createReq("same", ok))
	assert.Equal(t, codes.AlreadyExists, status.Code(err))
	resp, err := a.CreateExecution(ctx, createReq("", ok))
	require.NoError(t, err)
	assert.Regexp(t, `^a[a-z0-9]{19}$`, resp.GetId().GetName())
	assert.Len(t, a.Executions(), 2)
}

func TestScriptedPhasesAndPaging(t *testing.T) {
	ctx := context.Background()
	a := execFake(t)
	var nodes []registertest.Node
	for _, id := range []string{"a", "b", "c"} {
		nodes = append(nodes, registertest.Node{ID: id, Phase: core.NodeExecution_RUNNING})
	}
	a.Script("e", registertest.Step{Phase: core.WorkflowExecution_QUEUED, Polls: 2}, registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: nodes})
	_, err := a.CreateExecution(ctx, createReq("e", map[string]*core.Literal{"n": intLit(1)}))
	require.NoError(t, err)
	id := &core.WorkflowExecutionIdentifier{Project: "p", Domain: "d", Name: "e"}
	var phases []string
	for i := 0; i < 4; i++ {
		ex, err := a.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: id})
		require.NoError(t, err)
		phases = append(phases, ex.GetClosure().GetPhase().String())
	}
	assert.Equal(t, []string{"QUEUED", "QUEUED", "RUNNING", "RUNNING"}, phases)

	_, err = a.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: id})
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "limit 0")
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		list, err := a.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: id, Limit: 2, Token: token})
		require.NoError(t, err)
		for _, n := range list.GetNodeExecutions() {
			got = append(got, n.GetId().GetNodeId())
		}
		if token = list.GetToken(); token == "" {
			break
		}
	}
	assert.Equal(t, []string{"start-node", "a", "b", "c", "end-node"}, got)
	_, err = a.TerminateExecution(ctx, &admin.ExecutionTerminateRequest{Id: id, Cause: "stop"})
	require.NoError(t, err)
	ex, err := a.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, core.WorkflowExecution_ABORTING, ex.GetClosure().GetPhase())
	ex, err = a.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: id})
	require.NoError(t, err)
	assert.Equal(t, core.WorkflowExecution_ABORTED, ex.GetClosure().GetPhase())
	assert.Equal(t, "stop", ex.GetClosure().GetAbortMetadata().GetCause())

	a.Reset()
	_, err = a.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: id})
	assert.Equal(t, codes.NotFound, status.Code(err), "Reset forgets executions")
}
