package register_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

var intType = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}

func intLiteral(v int64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: v}}}}}}
}

// lpEntities is what a spec with one task T and launch plans over it builds (launch-plans.md §1,
// decision 5): the task, workflow T_wf (node n0, inputs bound by promise to node ""), its default
// launch plan and the named ones. ids carry project/domain/version as given by pin ("" = empty).
func lpEntities(t testing.TB, task string, pin string, named ...string) bundle.Entities {
	spec := exampleSpec(task, "ghcr.io/example/dask:1")
	spec.Template.Interface = &core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{"n": {Type: intType, Description: "n"}}}}
	pinned := func(rt core.ResourceType, name string) *core.Identifier {
		id := &core.Identifier{ResourceType: rt, Name: name}
		if pin != "" {
			id.Project, id.Domain, id.Version = "other-project", "other-domain", pin
		}
		return id
	}
	spec.Template.Id = pinned(core.ResourceType_TASK, task)
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:        pinned(core.ResourceType_WORKFLOW, task+"_wf"),
		Metadata:  &core.WorkflowMetadata{},
		Interface: spec.Template.Interface,
		Nodes: []*core.Node{{
			Id:       "n0",
			Metadata: &core.NodeMetadata{Name: task, Retries: &core.RetryStrategy{}},
			Inputs: []*core.Binding{{Var: "n", Binding: &core.BindingData{Value: &core.BindingData_Promise{
				Promise: &core.OutputReference{NodeId: "", Var: "n"}}}}},
			Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{ReferenceId: pinned(core.ResourceType_TASK, task)}}},
		}},
	}}
	lp := func(name string, fixed bool) *admin.LaunchPlan {
		l := &admin.LaunchPlan{Id: pinned(core.ResourceType_LAUNCH_PLAN, name), Spec: &admin.LaunchPlanSpec{
			WorkflowId:     pinned(core.ResourceType_WORKFLOW, task+"_wf"),
			EntityMetadata: &admin.LaunchPlanMetadata{},
			DefaultInputs:  &core.ParameterMap{Parameters: map[string]*core.Parameter{"n": {Var: &core.Variable{Type: intType, Description: "n"}, Behavior: &core.Parameter_Required{Required: true}}}},
			FixedInputs:    &core.LiteralMap{},
		}}
		if fixed {
			l.Spec.DefaultInputs = &core.ParameterMap{}
			l.Spec.FixedInputs = &core.LiteralMap{Literals: map[string]*core.Literal{"n": intLiteral(3)}}
			l.Spec.EntityMetadata.Schedule = &admin.Schedule{ScheduleExpression: &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: 1, Unit: admin.FixedRateUnit_MINUTE}}}
		}
		return l
	}
	e := bundle.Entities{Tasks: []*admin.TaskSpec{spec}, Workflows: []*admin.WorkflowSpec{wf}, LaunchPlans: []*admin.LaunchPlan{lp(task+"_wf", false)}}
	for _, n := range named {
		e.LaunchPlans = append(e.LaunchPlans, lp(n, true))
	}
	return e
}

var lpTarget = register.Target{Project: "flytesnacks", Domain: "development", Version: "v2"}

func outcomes(rs []register.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Kind() + " " + r.Name() + " " + r.Outcome.String()
	}
	return out
}

func TestRegisterEntities(t *testing.T) {
	for _, pin := range []string{"", "v1"} {
		t.Run("pin="+pin, func(t *testing.T) {
			f := registertest.New()
			c := register.NewClient(f.Client(), register.ClientOptions{})
			e := lpEntities(t, "pkg.job", pin, "nightly")
			orig := proto.Clone(e.Workflows[0])
			var progress []string
			res, err := c.RegisterEntities(context.Background(), e, lpTarget, register.WithProgress(func(r register.Result) {
				progress = append(progress, r.Kind()+" "+r.Name())
			}))
			require.NoError(t, err)
			assert.Equal(t, []string{"task pkg.job Created", "workflow pkg.job_wf Created", "launch plan pkg.job_wf Created", "launch plan nightly Created"}, outcomes(res))
			assert.Equal(t, []int{0, 0, 0, 1}, []int{res[0].Index, res[1].Index, res[2].Index, res[3].Index})
			assert.Len(t, progress, 4)
			assert.True(t, proto.Equal(orig, e.Workflows[0]), "input not modified")

			// Every id is the target's: the workflow's template id and node reference, the launch
			// plans' ids and workflow ids.
			want := func(rt core.ResourceType, name string) *core.Identifier {
				return &core.Identifier{ResourceType: rt, Project: "flytesnacks", Domain: "development", Name: name, Version: "v2"}
			}
			wfs := f.Workflows()
			require.Len(t, wfs, 1)
			assert.True(t, proto.Equal(want(core.ResourceType_WORKFLOW, "pkg.job_wf"), wfs[0].Id))
			assert.True(t, proto.Equal(want(core.ResourceType_TASK, "pkg.job"), wfs[0].Nodes[0].GetTaskNode().GetReferenceId()))
			lps := f.LaunchPlans()
			require.Len(t, lps, 2)
			for _, lp := range lps {
				assert.True(t, proto.Equal(want(core.ResourceType_WORKFLOW, "pkg.job_wf"), lp.Spec.WorkflowId), lp.Id.Name)
				assert.Equal(t, admin.LaunchPlanState_INACTIVE, lp.Closure.State, "not activated without the option")
			}
			created := f.EntityStats().Created
			require.Len(t, created, 3)
			assert.Equal(t, "workflow pkg.job_wf", created[0], "the workflow before its launch plans")
			assert.ElementsMatch(t, []string{"launch plan pkg.job_wf", "launch plan nightly"}, created[1:])

			// Again, identical: AlreadyExisted everywhere, success.
			res, err = c.RegisterEntities(context.Background(), e, lpTarget)
			require.NoError(t, err)
			assert.Equal(t, []string{"task pkg.job AlreadyExisted", "workflow pkg.job_wf AlreadyExisted", "launch plan pkg.job_wf AlreadyExisted", "launch plan nightly AlreadyExisted"}, outcomes(res))
		})
	}
}

// --activate-launch-plans activates after creating and also when the plan already existed, so a
// re-run (CI) is idempotent; activating v3 deactivates v2.
func TestRegisterEntitiesActivate(t *testing.T) {
	f := registertest.New()
	c := register.NewClient(f.Client(), register.ClientOptions{})
	e := lpEntities(t, "pkg.job", "", "nightly")
	ctx := context.Background()
	for run := 0; run < 2; run++ {
		res, err := c.RegisterEntities(ctx, e, lpTarget, register.WithActivateLaunchPlans())
		require.NoError(t, err)
		for _, r := range res[2:] {
			assert.True(t, r.Activated, r.String())
			assert.Contains(t, r.Reason, "activated")
		}
		assert.False(t, res[1].Activated)
	}
	// Launch plans of one wave are registered (and activated) concurrently: each run activates both,
	// in either order.
	updates := f.EntityStats().Updates
	require.Len(t, updates, 4)
	for run := 0; run < 2; run++ {
		assert.ElementsMatch(t, []string{"pkg.job_wf@v2 ACTIVE", "nightly@v2 ACTIVE"}, updates[2*run:2*run+2], "run %d", run)
	}
	for _, lp := range f.LaunchPlans() {
		assert.Equal(t, admin.LaunchPlanState_ACTIVE, lp.Closure.State)
	}
	v3 := lpTarget
	v3.Version = "v3"
	_, err := c.RegisterEntities(ctx, e, v3, register.WithActivateLaunchPlans())
	require.NoError(t, err)
	states := map[string]admin.LaunchPlanState{}
	for _, lp := range f.LaunchPlans() {
		states[lp.Id.Name+"@"+lp.Id.Version] = lp.Closure.State
	}
	assert.Equal(t, map[string]admin.LaunchPlanState{
		"nightly@v2": admin.LaunchPlanState_INACTIVE, "nightly@v3": admin.LaunchPlanState_ACTIVE,
		"pkg.job_wf@v2": admin.LaunchPlanState_INACTIVE, "pkg.job_wf@v3": admin.LaunchPlanState_ACTIVE,
	}, states)

	// A failed activation fails the launch plan (and the run).
	f.EntityHook(func(_ context.Context, method string, _ proto.Message) error {
		if method == "UpdateLaunchPlan" {
			return status.Error(codes.PermissionDenied, "no")
		}
		return nil
	})
	res, err := c.RegisterEntities(ctx, e, lpTarget, register.WithActivateLaunchPlans())
	var be *register.BatchError
	require.True(t, errors.As(err, &be), "%v", err)
	assert.Equal(t, register.Failed, res[2].Outcome)
	assert.Equal(t, codes.PermissionDenied, res[2].Code)
	assert.Contains(t, res[2].Reason, "activation failed: no")
}

func TestRegisterEntitiesConflictDiff(t *testing.T) {
	f := registertest.New()
	c := register.NewClient(f.Client(), register.ClientOptions{})
	e := lpEntities(t, "pkg.job", "", "nightly")
	_, err := c.RegisterEntities(context.Background(), e, lpTarget)
	require.NoError(t, err)
	e.LaunchPlans[1].Spec.FixedInputs.Literals["n"] = intLiteral(4)
	res, err := c.RegisterEntities(context.Background(), e, lpTarget)
	require.Error(t, err)
	lp := res[3]
	assert.Equal(t, register.Failed, lp.Outcome)
	assert.Equal(t, codes.InvalidArgument, lp.Code)
	assert.True(t, lp.Conflict)
	require.Len(t, lp.Diff, 1)
	assert.Equal(t, "spec.fixedInputs.literals.n.scalar.primitive.integer", lp.Diff[0].Path)
	assert.Equal(t, "3", lp.Diff[0].Old)
	assert.Equal(t, "4", lp.Diff[0].New)

	// A changed workflow: its diff, and its launch plans are not attempted.
	e.Workflows[0].Template.Nodes[0].Metadata.Name = "renamed"
	res, err = c.RegisterEntities(context.Background(), e, lpTarget, register.WithContinueOnError())
	require.Error(t, err)
	wf := res[1]
	assert.Equal(t, register.Failed, wf.Outcome)
	assert.True(t, wf.Conflict)
	require.Len(t, wf.Diff, 1)
	assert.Equal(t, "template.nodes[0].metadata.name", wf.Diff[0].Path)
	assert.Equal(t, register.NotAttempted, res[3].Outcome)
	berr := err

	// DiffEntities sees the same differences without registering.
	d, err := c.DiffEntities(context.Background(), e, lpTarget)
	require.NoError(t, err)
	require.Len(t, d, 4)
	assert.Equal(t, []register.DiffStatus{register.Same, register.Changed, register.Same, register.Changed}, []register.DiffStatus{d[0].Status, d[1].Status, d[2].Status, d[3].Status})
	assert.Equal(t, "workflow", d[1].Kind())
	assert.Equal(t, wf.Diff, d[1].Differences)
	other := lpTarget
	other.Version = "v9"
	d, err = c.DiffEntities(context.Background(), e, other)
	require.NoError(t, err)
	for _, r := range d {
		assert.Equal(t, register.NotRegistered, r.Status, r.Kind())
		assert.NoError(t, r.Err)
	}

	// BatchError.First is a deep copy, as for tasks: editing the results does not change it.
	var be *register.BatchError
	require.ErrorAs(t, berr, &be)
	msg := berr.Error()
	res[1].ID.Name, res[1].Diff[0].Path = "EDITED", "EDITED"
	assert.Equal(t, msg, berr.Error())
	assert.Equal(t, "template.nodes[0].metadata.name", be.First.Diff[0].Path)
}

// Everything is validated before anything is sent, and every problem is reported at once.
func TestRegisterEntitiesValidation(t *testing.T) {
	f := registertest.New()
	c := register.NewClient(f.Client(), register.ClientOptions{})
	e := lpEntities(t, "pkg.job", "", "nightly", "hourly")
	e.Tasks[0].Template.Type = ""
	e.Workflows[0].Template.Nodes = nil
	e.LaunchPlans[1].Spec.WorkflowId = nil
	e.LaunchPlans[2].Id.Name = "nightly"
	res, err := c.RegisterEntities(context.Background(), e, lpTarget)
	var ve *register.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.ErrorIs(t, err, register.ErrInvalidSpec)
	idx := []int{}
	for _, p := range ve.Problems {
		idx = append(idx, p.Index)
	}
	assert.Equal(t, []int{0, 1, 3, 4}, idx)
	assert.Contains(t, res[1].Reason, "template.nodes is empty")
	assert.Contains(t, res[3].Reason, "spec.workflow_id is missing")
	assert.Contains(t, res[4].Reason, "duplicate launch plan name, also launch plan [1]")
	assert.Equal(t, register.NotAttempted, res[2].Outcome)
	assert.Empty(t, f.Stats().Created)
	assert.Empty(t, f.EntityStats().Created)

	dry := register.DryRunEntities(lpEntities(t, "pkg.job", "", "nightly"), lpTarget)
	assert.Equal(t, []string{"task pkg.job WouldRegister", "workflow pkg.job_wf WouldRegister", "launch plan pkg.job_wf WouldRegister", "launch plan nightly WouldRegister"}, outcomes(dry))
}

// A failed task stops the run before its workflow (which FlyteAdmin could not compile anyway).
func TestRegisterEntitiesStopsAfterTaskFailure(t *testing.T) {
	f := registertest.New()
	f.Hook = func(context.Context, *admin.TaskCreateRequest, int) error {
		return status.Error(codes.PermissionDenied, "denied")
	}
	c := register.NewClient(f.Client(), register.ClientOptions{})
	res, err := c.RegisterEntities(context.Background(), lpEntities(t, "pkg.job", "", "nightly"), lpTarget)
	var be *register.BatchError
	require.True(t, errors.As(err, &be))
	assert.Equal(t, 1, be.Failed)
	assert.Equal(t, 3, be.NotAttempted)
	assert.True(t, strings.HasPrefix(err.Error(), "register: 1 of 4 entities (1 task, 1 workflow, 2 launch plans) failed, 3 not attempted; first failure: "), err.Error())
	assert.Equal(t, []string{"task pkg.job Failed", "workflow pkg.job_wf NotAttempted", "launch plan pkg.job_wf NotAttempted", "launch plan nightly NotAttempted"}, outcomes(res))
	assert.Equal(t, "not attempted: stopped after an earlier failure", res[1].Reason)

	// With continue-on-error the workflow is sent, and FlyteAdmin refuses it: its task is missing.
	res, err = c.RegisterEntities(context.Background(), lpEntities(t, "pkg.job", "", "nightly"), lpTarget, register.WithContinueOnError())
	require.Error(t, err)
	assert.Equal(t, register.Failed, res[1].Outcome)
	assert.Contains(t, res[1].Reason, "failed to compile workflow")
	assert.Equal(t, register.NotAttempted, res[2].Outcome)
	assert.Equal(t, "not attempted: workflow pkg.job_wf was not registered", res[2].Reason)
}

// A workflow calling a launch plan of the same run is registered after that plan (and its workflow).
func TestRegisterEntitiesLaunchPlanReference(t *testing.T) {
	f := registertest.New()
	c := register.NewClient(f.Client(), register.ClientOptions{})
	e := lpEntities(t, "pkg.job", "", "nightly")
	parent := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id: &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "pkg.parent"},
		Nodes: []*core.Node{{Id: "n0", Target: &core.Node_WorkflowNode{WorkflowNode: &core.WorkflowNode{
			Reference: &core.WorkflowNode_LaunchplanRef{LaunchplanRef: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "nightly"}}}}}},
	}}
	e.Workflows = append([]*admin.WorkflowSpec{parent}, e.Workflows...)
	res, err := c.RegisterEntities(context.Background(), e, lpTarget, register.WithConcurrency(1))
	require.NoError(t, err, "%v", res)
	assert.Equal(t, []string{"workflow pkg.job_wf", "launch plan pkg.job_wf", "launch plan nightly", "workflow pkg.parent"}, f.EntityStats().Created)
}

// taskOnly is a TaskService without the workflow and launch plan methods.
type taskOnly struct{ register.TaskService }

func TestRegisterEntitiesNeedsLaunchPlanService(t *testing.T) {
	f := registertest.New()
	c := register.NewClient(taskOnly{f.Client()}, register.ClientOptions{})
	_, err := c.RegisterEntities(context.Background(), lpEntities(t, "pkg.job", "", "nightly"), lpTarget)
	require.ErrorIs(t, err, register.ErrNoLaunchPlanService)
	assert.Empty(t, f.Stats().Created)
	// Tasks alone still register.
	res, err := c.RegisterEntities(context.Background(), bundle.Entities{Tasks: lpEntities(t, "pkg.job", "").Tasks}, lpTarget)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
}

// A real pyflyte bundle (2021: placeholder ids) registers: its workflow's node reference and its
// launch plan's workflow id are hydrated to the target.
func TestRegisterEntitiesPyflyteBundle(t *testing.T) {
	b, err := bundle.ReadFile("../testdata/pyflyte/flyte-package.tgz")
	require.NoError(t, err)
	f := registertest.New()
	conn, stop, err := f.Serve()
	require.NoError(t, err)
	defer stop()
	c := register.NewClient(service.NewAdminServiceClient(conn), register.ClientOptions{})
	res, err := c.RegisterEntities(context.Background(), b.Entities(), lpTarget, register.WithActivateLaunchPlans())
	require.NoError(t, err, "%v", res)
	assert.Equal(t, []string{"task myapp.workflows.example.say_hello Created", "workflow myapp.workflows.example.my_wf Created", "launch plan myapp.workflows.example.my_wf Created"}, outcomes(res))
	lp := f.LaunchPlans()[0]
	assert.Equal(t, "v2", lp.Spec.WorkflowId.Version)
	assert.Equal(t, "flytesnacks", lp.Spec.WorkflowId.Project)
	assert.Equal(t, admin.LaunchPlanState_ACTIVE, lp.Closure.State)
}
