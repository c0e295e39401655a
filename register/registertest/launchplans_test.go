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
