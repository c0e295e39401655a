package registertest_test

import (
	"context"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/register/registertest"
)

func fullID(rt core.ResourceType, name, version string) *core.Identifier {
	return &core.Identifier{ResourceType: rt, Project: "p", Domain: "d", Name: name, Version: version}
}

func TestWorkflowsAndLaunchPlans(t *testing.T) {
	a := registertest.New()
	conn, stop, err := a.Serve()
	require.NoError(t, err)
	defer stop()
	c := service.NewAdminServiceClient(conn)
	ctx := context.Background()

	taskID := fullID(core.ResourceType_TASK, "t", "v1")
	wfID := fullID(core.ResourceType_WORKFLOW, "t_wf", "v1")
	wfReq := &admin.WorkflowCreateRequest{Id: wfID, Spec: &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id: &core.Identifier{Name: "ignored"},
		Nodes: []*core.Node{{Id: "n0", Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
			Reference: &core.TaskNode_ReferenceId{ReferenceId: taskID}}}}},
	}}}
	// The task is not registered: FlyteAdmin cannot compile the workflow.
	_, err = c.CreateWorkflow(ctx, wfReq)
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	assert.Contains(t, status.Convert(err).Message(), "failed to compile workflow")

	a.Put(&core.TaskTemplate{Id: taskID, Type: "dask"})
	_, err = c.CreateWorkflow(ctx, wfReq)
	require.NoError(t, err)
	_, err = c.CreateWorkflow(ctx, wfReq)
	assert.Equal(t, codes.AlreadyExists, status.Code(err))
	changed := proto.Clone(wfReq).(*admin.WorkflowCreateRequest)
	changed.Spec.Template.Nodes[0].Id = "n1"
	_, err = c.CreateWorkflow(ctx, changed)
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	assert.Contains(t, status.Convert(err).Message(), "different structure")
	got, err := c.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: wfID})
	require.NoError(t, err)
	assert.True(t, proto.Equal(wfID, got.GetClosure().GetCompiledWorkflow().GetPrimary().GetTemplate().GetId()), "template id overwritten with the request id")

	lpReq := &admin.LaunchPlanCreateRequest{Id: fullID(core.ResourceType_LAUNCH_PLAN, "nightly", "v1"),
		Spec: &admin.LaunchPlanSpec{WorkflowId: fullID(core.ResourceType_WORKFLOW, "other", "v1")}}
	_, err = c.CreateLaunchPlan(ctx, lpReq)
	assert.Equal(t, codes.NotFound, status.Code(err), "its workflow is not registered")
	lpReq.Spec.WorkflowId = wfID
	_, err = c.CreateLaunchPlan(ctx, lpReq)
	require.NoError(t, err)
	_, err = c.CreateLaunchPlan(ctx, lpReq)
	assert.Equal(t, codes.AlreadyExists, status.Code(err))
	lp, err := c.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: lpReq.Id})
	require.NoError(t, err)
	assert.Equal(t, admin.LaunchPlanState_INACTIVE, lp.GetClosure().GetState())

	// A second version; activating v2 deactivates v1.
	lp2 := proto.Clone(lpReq).(*admin.LaunchPlanCreateRequest)
	lp2.Id.Version = "v2"
	_, err = c.CreateLaunchPlan(ctx, lp2)
	require.NoError(t, err)
	_, err = c.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: lpReq.Id, State: admin.LaunchPlanState_ACTIVE})
	require.NoError(t, err)
	_, err = c.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: lp2.Id, State: admin.LaunchPlanState_ACTIVE})
	require.NoError(t, err)
	states := map[string]admin.LaunchPlanState{}
	for _, l := range a.LaunchPlans() {
		states[l.GetId().GetVersion()] = l.GetClosure().GetState()
	}
	assert.Equal(t, map[string]admin.LaunchPlanState{"v1": admin.LaunchPlanState_INACTIVE, "v2": admin.LaunchPlanState_ACTIVE}, states)
	_, err = c.UpdateLaunchPlan(ctx, &admin.LaunchPlanUpdateRequest{Id: fullID(core.ResourceType_LAUNCH_PLAN, "nope", "v1"), State: admin.LaunchPlanState_ACTIVE})
	assert.Equal(t, codes.NotFound, status.Code(err))

	assert.Equal(t, registertest.EntityStats{
		Created: []string{"workflow t_wf", "launch plan nightly", "launch plan nightly"},
		Updates: []string{"nightly@v1 ACTIVE", "nightly@v2 ACTIVE"},
	}, a.EntityStats())
	a.Reset()
	assert.Empty(t, a.Workflows())
	assert.Empty(t, a.LaunchPlans())
	assert.Empty(t, a.EntityStats().Created)
}

// TestLaunchPlanExpectedInputs: GetLaunchPlan's closure.expected_inputs are the workflow's inputs,
// with the launch plan's default_inputs parameter, else required, fixed inputs left out, as
// FlyteAdmin computes them; CreateExecution of the launch plan checks inputs against them.
func TestLaunchPlanExpectedInputs(t *testing.T) {
	a := registertest.New()
	conn, stop, err := a.Serve()
	require.NoError(t, err)
	defer stop()
	c := service.NewAdminServiceClient(conn)
	ctx := context.Background()
	integer := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	lit := func(v int64) *core.Literal {
		return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: v}}}}}}
	}
	taskID := fullID(core.ResourceType_TASK, "t", "v1")
	a.Put(&core.TaskTemplate{Id: taskID, Type: "dask"})
	wfID := fullID(core.ResourceType_WORKFLOW, "t_wf", "v1")
	_, err = c.CreateWorkflow(ctx, &admin.WorkflowCreateRequest{Id: wfID, Spec: &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Interface: &core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
			"a": {Type: integer, Description: "free"}, "b": {Type: integer}, "c": {Type: integer}}}},
		Nodes: []*core.Node{{Id: "n0", Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{ReferenceId: taskID}}}}},
	}}})
	require.NoError(t, err)
	lpID := fullID(core.ResourceType_LAUNCH_PLAN, "lp", "v1")
	_, err = c.CreateLaunchPlan(ctx, &admin.LaunchPlanCreateRequest{Id: lpID, Spec: &admin.LaunchPlanSpec{WorkflowId: wfID,
		DefaultInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{"b": {Var: &core.Variable{Type: integer}, Behavior: &core.Parameter_Default{Default: lit(2)}}}},
		FixedInputs:   &core.LiteralMap{Literals: map[string]*core.Literal{"c": lit(3)}},
	}})
	require.NoError(t, err)
	lp, err := c.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: lpID})
	require.NoError(t, err)
	want := &core.ParameterMap{Parameters: map[string]*core.Parameter{
		"a": {Var: &core.Variable{Type: integer, Description: "free"}, Behavior: &core.Parameter_Required{Required: true}},
		"b": {Var: &core.Variable{Type: integer}, Behavior: &core.Parameter_Default{Default: lit(2)}},
	}}
	assert.True(t, proto.Equal(want, lp.GetClosure().GetExpectedInputs()), "got %v", lp.GetClosure().GetExpectedInputs())

	_, err = c.CreateExecution(ctx, &admin.ExecutionCreateRequest{Project: "p", Domain: "d", Name: "x1", Spec: &admin.ExecutionSpec{LaunchPlan: lpID},
		Inputs: &core.LiteralMap{Literals: map[string]*core.Literal{"a": lit(1)}}})
	require.NoError(t, err)
	got := a.Executions()[0].GetInputs()
	assert.True(t, proto.Equal(&core.LiteralMap{Literals: map[string]*core.Literal{"a": lit(1), "b": lit(2), "c": lit(3)}}, got), "got %v", got)
}
