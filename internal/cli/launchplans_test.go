package cli

import (
	"path/filepath"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/bundle"
)

// lpBundle writes the quickstart task plus the one-node workflow over it, its default launch plan
// and a fixed-rate launch plan (hand-built; the shapes launch plans build) and returns the path.
func lpBundle(t *testing.T) string {
	t.Helper()
	qs, err := bundle.ReadFile(quickstartTGZ)
	require.NoError(t, err)
	task := qs.Specs()[0]
	name := task.GetTemplate().GetId().GetName()
	wfID := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: name + "_wf"}
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:        wfID,
		Interface: task.GetTemplate().GetInterface(),
		Nodes: []*core.Node{{Id: "n0", Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
			Reference: &core.TaskNode_ReferenceId{ReferenceId: &core.Identifier{ResourceType: core.ResourceType_TASK, Name: name}}}}}},
	}}
	lp := func(n string) *admin.LaunchPlan {
		return &admin.LaunchPlan{Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: n},
			Spec: &admin.LaunchPlanSpec{WorkflowId: wfID, EntityMetadata: &admin.LaunchPlanMetadata{}}}
	}
	every := lp("every_minute")
	every.Spec.EntityMetadata.Schedule = &admin.Schedule{ScheduleExpression: &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: 1, Unit: admin.FixedRateUnit_MINUTE}}}
	e := bundle.Entities{Tasks: qs.Specs(), Workflows: []*admin.WorkflowSpec{wf}, LaunchPlans: []*admin.LaunchPlan{lp(name + "_wf"), every}}
	path := filepath.Join(t.TempDir(), "lp.tgz")
	require.NoError(t, e.WriteFile(path))
	return path
}

func TestRegisterLaunchPlans(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	path := lpBundle(t)
	target := []string{"--project", "flytesnacks", "--domain", "development", "--version", "lp1"}
	args := append([]string{"register", path, "--endpoint", srv.addr, "--insecure", "--activate-launch-plans"}, target...)

	code, stdout, stderr := runCLI(t, append([]string{"register", path, "--dry-run"}, target...)...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, ""+
		"KIND         NAME                                  VERSION  OUTCOME        ATTEMPTS  INFO\n"+
		"task         workflows.dask_example.hello_dask     lp1      WouldRegister  0         valid, not sent (dry run)\n"+
		"workflow     workflows.dask_example.hello_dask_wf  lp1      WouldRegister  0         valid, not sent (dry run)\n"+
		"launch plan  workflows.dask_example.hello_dask_wf  lp1      WouldRegister  0         valid, not sent (dry run)\n"+
		"launch plan  every_minute                          lp1      WouldRegister  0         valid, not sent (dry run)\n", stdout)
	assert.Equal(t, "dry run: 1 task, 1 workflow, 2 launch plans would be registered to flytesnacks/development@lp1; nothing was sent\n", stderr)

	code, stdout, stderr = runCLI(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, ""+
		"KIND         NAME                                  VERSION  OUTCOME  ATTEMPTS  INFO\n"+
		"task         workflows.dask_example.hello_dask     lp1      Created  1         registered\n"+
		"workflow     workflows.dask_example.hello_dask_wf  lp1      Created  1         registered\n"+
		"launch plan  workflows.dask_example.hello_dask_wf  lp1      Created  1         registered; activated\n"+
		"launch plan  every_minute                          lp1      Created  1         registered; activated\n", stdout)
	assert.Contains(t, stderr, "registering 1 task, 1 workflow, 2 launch plans to flytesnacks/development@lp1")
	assert.Contains(t, stderr, "registered launch plan every_minute: Created\n")
	for _, lp := range srv.LaunchPlans() {
		assert.Equal(t, admin.LaunchPlanState_ACTIVE, lp.GetClosure().GetState())
	}

	// Re-run: success, and the plans are activated again (flytectl --enableSchedule would not).
	code, stdout, stderr = runCLI(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stdout, "launch plan  every_minute                          lp1      AlreadyExisted  1         AlreadyExists: identical launch plan already registered; activated\n")
	assert.Len(t, srv.EntityStats().Updates, 4)

	// diff: every entity the same.
	code, stdout, stderr = runCLI(t, append([]string{"diff", path, "--endpoint", srv.addr, "--insecure"}, target...)...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, ""+
		"workflows.dask_example.hello_dask: same\n"+
		"workflow workflows.dask_example.hello_dask_wf: same\n"+
		"launch plan workflows.dask_example.hello_dask_wf: same\n"+
		"launch plan every_minute: same\n", stdout)
	code, stdout, _ = runCLI(t, append([]string{"diff", path, "--endpoint", srv.addr, "--insecure"}, "--project", "flytesnacks", "--domain", "development", "--version", "lp2")...)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, stdout, "launch plan every_minute: not registered\n")

	// inspect and package read/write them.
	code, stdout, stderr = runCLI(t, "inspect", path, "--format", "yaml")
	require.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stdout, "launchPlans:\n")
	assert.Empty(t, stderr)
}
