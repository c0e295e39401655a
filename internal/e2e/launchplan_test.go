package e2e_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/e2e/harness"
	"github.com/flytedask/flytedask/register"
)

// nightlySpec is the example spec with a cron and a fixed-rate launch plan.
const nightlySpec = "../../examples/specs/nightly.yaml"

// Issue 14: workflows and launch plans judged by the real FlyteAdmin v1.1.131, flytectl v0.9.4 and
// the native flytescheduler of the same release.

var (
	lpIntType  = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	lpTimeType = &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_DATETIME}}
	lpRunAt    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

func lpInt(v int64) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: v}}}}}}
}

func lpTime(t time.Time) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{
		Primitive: &core.Primitive{Value: &core.Primitive_Datetime{Datetime: timestamppb.New(t)}}}}}}
}

// lpEntities builds, by hand, what a spec with one Dask task and two launch plans builds (the shapes
// of launch-plans.md §1; decision 5): task `task` with inputs n (integer) and run_at (datetime),
// workflow task_wf (node n0, inputs bound by promise to node "", output o0 bound to n0), its default
// launch plan, a cron launch plan `cron` (02:30 daily, kickoff input run_at, n fixed to 3) and a
// fixed-rate launch plan `rate` (every minute, n fixed to 5, run_at fixed). Ids are empty, as
// bundles write them.
func lpEntities(t *testing.T, task, cron, rate string) bundle.Entities {
	t.Helper()
	spec, err := harness.DaskTaskSpec(&core.Identifier{ResourceType: core.ResourceType_TASK, Name: task}, 2)
	require.NoError(t, err)
	iface := spec.Template.Interface
	iface.Inputs.Variables["run_at"] = &core.Variable{Type: lpTimeType, Description: "run_at"}
	wfID := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: task + "_wf"}
	binding := func(v string) *core.Binding {
		return &core.Binding{Var: v, Binding: &core.BindingData{Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: "", Var: v}}}}
	}
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:        wfID,
		Metadata:  &core.WorkflowMetadata{},
		Interface: proto.Clone(iface).(*core.TypedInterface),
		Nodes: []*core.Node{{
			Id:       "n0",
			Metadata: &core.NodeMetadata{Name: task, Retries: &core.RetryStrategy{Retries: 1}},
			Inputs:   []*core.Binding{binding("n"), binding("run_at")},
			Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
				Reference: &core.TaskNode_ReferenceId{ReferenceId: &core.Identifier{ResourceType: core.ResourceType_TASK, Name: task}},
			}},
		}},
		Outputs:          []*core.Binding{{Var: "o0", Binding: &core.BindingData{Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: "n0", Var: "o0"}}}}},
		MetadataDefaults: &core.WorkflowMetadataDefaults{},
	}}
	param := func(typ *core.LiteralType, name string) *core.Parameter {
		return &core.Parameter{Var: &core.Variable{Type: typ, Description: name}, Behavior: &core.Parameter_Required{Required: true}}
	}
	lp := func(name string) *admin.LaunchPlan {
		return &admin.LaunchPlan{
			Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: name},
			Spec: &admin.LaunchPlanSpec{
				WorkflowId:          wfID,
				EntityMetadata:      &admin.LaunchPlanMetadata{},
				DefaultInputs:       &core.ParameterMap{Parameters: map[string]*core.Parameter{"n": param(lpIntType, "n"), "run_at": param(lpTimeType, "run_at")}},
				FixedInputs:         &core.LiteralMap{},
				Labels:              &admin.Labels{},
				Annotations:         &admin.Annotations{},
				RawOutputDataConfig: &admin.RawOutputDataConfig{},
			},
		}
	}
	def := lp(task + "_wf")
	c := lp(cron)
	c.Spec.EntityMetadata.Schedule = &admin.Schedule{
		ScheduleExpression:  &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: "30 2 * * *"}},
		KickoffTimeInputArg: "run_at",
	}
	c.Spec.FixedInputs.Literals = map[string]*core.Literal{"n": lpInt(3)}
	delete(c.Spec.DefaultInputs.Parameters, "n")
	r := lp(rate)
	r.Spec.EntityMetadata.Schedule = &admin.Schedule{ScheduleExpression: &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: 1, Unit: admin.FixedRateUnit_MINUTE}}}
	r.Spec.FixedInputs.Literals = map[string]*core.Literal{"n": lpInt(5), "run_at": lpTime(lpRunAt)}
	r.Spec.DefaultInputs.Parameters = map[string]*core.Parameter{}
	r.Spec.Labels = &admin.Labels{Values: map[string]string{"team": "data"}}
	return bundle.Entities{Tasks: []*admin.TaskSpec{spec}, Workflows: []*admin.WorkflowSpec{wf}, LaunchPlans: []*admin.LaunchPlan{def, c, r}}
}

func writeLPBundle(t *testing.T, e bundle.Entities) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lp.tgz")
	require.NoError(t, e.WriteFile(path))
	return path
}

// lpNames returns unique entity names for one test (the database outlives the tests).
func lpNames(prefix string) (task, cron, rate string) {
	v := strings.ReplaceAll(harness.UniqueVersion(""), "-", "_")
	return "e2e." + prefix + "_" + v, prefix + "_cron_" + v, prefix + "_rate_" + v
}

// (a) FlyteAdmin compiles the workflow and stores the launch plans; read back they equal what was
// sent; activated they are ACTIVE; a second identical run exits 0.
func TestLaunchPlanRegister(t *testing.T) {
	ep := harness.Endpoint(t)
	task, cron, rate := lpNames("lpreg")
	e := lpEntities(t, task, cron, rate)
	path := writeLPBundle(t, e)
	version := harness.UniqueVersion("lp")
	args := []string{"register", path, "--endpoint", ep, "--insecure", "--project", harness.Project, "--domain", harness.Domain, "--version", version, "--activate-launch-plans"}

	start := time.Now()
	res := runCLI(t, args...)
	require.Equal(t, 0, res.Code, "%s", res)
	for _, row := range []string{"task +" + regexp.QuoteMeta(task) + " ", "workflow +" + regexp.QuoteMeta(task) + "_wf ", "launch plan +" + regexp.QuoteMeta(cron) + " ", "launch plan +" + regexp.QuoteMeta(rate) + " "} {
		assert.Regexp(t, "(?m)^"+row+" *"+version+" +Created ", res.Stdout)
	}
	assert.Equal(t, 3, strings.Count(res.Stdout, "; activated"), res.Stdout)
	t.Logf("first registration: %s", time.Since(start))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc := harness.Dial(t, ep)
	client := register.NewClient(svc, register.ClientOptions{})
	target := register.Target{Project: harness.Project, Domain: harness.Domain, Version: version}
	// Read back: DiffEntities compares what FlyteAdmin returns (GetTask, GetWorkflow's compiled
	// template, GetLaunchPlan's spec) with what register sends.
	diffs, err := client.DiffEntities(ctx, e, target)
	require.NoError(t, err)
	for _, d := range diffs {
		assert.NoError(t, d.Err)
		assert.Equal(t, register.Same, d.Status, "%s %s: %v", d.Kind(), d.ID.GetName(), d.Differences)
	}
	for _, name := range []string{task + "_wf", cron, rate} {
		lp, err := svc.GetLaunchPlan(ctx, &admin.ObjectGetRequest{Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN,
			Project: harness.Project, Domain: harness.Domain, Name: name, Version: version}})
		require.NoError(t, err)
		assert.Equal(t, admin.LaunchPlanState_ACTIVE, lp.GetClosure().GetState(), name)
		assert.Equal(t, version, lp.GetSpec().GetWorkflowId().GetVersion())
		assert.Equal(t, harness.Project, lp.GetSpec().GetWorkflowId().GetProject())
	}
	wf, err := svc.GetWorkflow(ctx, &admin.ObjectGetRequest{Id: &core.Identifier{ResourceType: core.ResourceType_WORKFLOW,
		Project: harness.Project, Domain: harness.Domain, Name: task + "_wf", Version: version}})
	require.NoError(t, err)
	tasks := wf.GetClosure().GetCompiledWorkflow().GetTasks()
	require.Len(t, tasks, 1, "compiled against the registered task")
	assert.Equal(t, version, tasks[0].GetTemplate().GetId().GetVersion())

	// A second identical run: exit 0, everything AlreadyExisted, plans activated again.
	res = runCLI(t, args...)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 5, strings.Count(res.Stdout, " AlreadyExisted "), res.Stdout)
	assert.Equal(t, 3, strings.Count(res.Stdout, "; activated"), res.Stdout)

	// diff says same for all five.
	res = runCLI(t, "diff", path, "--endpoint", ep, "--insecure", "--project", harness.Project, "--domain", harness.Domain, "--version", version)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 5, strings.Count(res.Stdout, ": same\n"), res.Stdout)
}

// (b) flytectl register files of a flytedask bundle with launch plans registers everything, either
// tool first; the other tool then finds every entity identical.
func TestLaunchPlanFlytectl(t *testing.T) {
	ep := harness.Endpoint(t)
	ctl := newFlytectl(t, ep)
	task, cron, rate := lpNames("lpctl")
	path := writeLPBundle(t, lpEntities(t, task, cron, rate))
	flytedask := func(version string) cliResult {
		return runCLI(t, "register", path, "--endpoint", ep, "--insecure", "--project", harness.Project, "--domain", harness.Domain, "--version", version)
	}

	// flytectl first, then flytedask.
	v1 := harness.UniqueVersion("ctl-first")
	res := ctl.registerFiles(t, path, v1)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 5, strings.Count(res.Stdout, "| Success |"), res.Stdout)
	assert.NotContains(t, res.Stdout, "Failed")
	res = flytedask(v1)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 5, strings.Count(res.Stdout, " AlreadyExisted "), res.Stdout)

	// flytedask first, then flytectl.
	v2 := harness.UniqueVersion("fd-first")
	res = flytedask(v2)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 5, strings.Count(res.Stdout, " Created "), res.Stdout)
	res = ctl.registerFiles(t, path, v2)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 5, strings.Count(res.Stdout, "AlreadyExists"), res.Stdout)
	assert.NotContains(t, res.Stdout, "Failed")
}

// freePort returns a free TCP port on 127.0.0.1 (inside run.sh's namespace).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// (c) The native flytescheduler of FlyteAdmin v1.1.131 fires a 1-minute fixed-rate launch plan
// activated by `flytedask register --activate-launch-plans`: an execution in mode SCHEDULED with
// the plan's fixed inputs appears.
func TestScheduleFires(t *testing.T) {
	ep := harness.Endpoint(t)
	bin, cfg := os.Getenv("FLYTEDASK_E2E_SCHEDULER_BIN"), os.Getenv("FLYTEDASK_E2E_ADMIN_CONFIG")
	if bin == "" || cfg == "" {
		t.Skip("FLYTEDASK_E2E_SCHEDULER_BIN / FLYTEDASK_E2E_ADMIN_CONFIG not set: run through internal/e2e/run.sh")
	}
	// The scheduler reads admin.yaml (database, storage) plus its own profiler port.
	base, err := os.ReadFile(cfg)
	require.NoError(t, err)
	schedCfg := filepath.Join(t.TempDir(), "scheduler.yaml")
	require.NoError(t, os.WriteFile(schedCfg, append(base, fmt.Sprintf("scheduler:\n  profilerPort: %d\n", freePort(t))...), 0o600))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logPath := filepath.Join(harness.WorkDir(t), "flytescheduler.log")
	logf, err := os.Create(logPath)
	require.NoError(t, err)
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", schedCfg, "--admin.endpoint", "dns:///"+ep, "--admin.insecure")
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()

	// examples/specs/nightly.yaml: a cron launch plan and the fixed-rate every_minute, every input
	// fixed (run_at 2026-01-01T00:00:00Z, partitions 2), registered from the spec (-f).
	const rate = "every_minute"
	version := harness.UniqueVersion("sched")
	start := time.Now()
	res := runCLI(t, "register", "-f", nightlySpec, "--endpoint", ep, "--insecure", "--project", harness.Project, "--domain", harness.Domain, "--version", version, "--activate-launch-plans")
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 3, strings.Count(res.Stdout, "; activated"), res.Stdout)
	t.Logf("registered and activated at +%s", time.Since(start).Round(time.Millisecond))

	svc := harness.Dial(t, ep)
	deadline := time.Now().Add(4 * time.Minute)
	var found *admin.Execution
	for found == nil {
		if time.Now().After(deadline) {
			tail, _ := os.ReadFile(logPath)
			t.Fatalf("no scheduled execution of %s within 4 minutes; flytescheduler log:\n%s", rate, lastLines(string(tail), 40))
		}
		if cmd.ProcessState != nil {
			t.Fatalf("flytescheduler exited: %v", cmd.ProcessState)
		}
		time.Sleep(5 * time.Second)
		lctx, lcancel := context.WithTimeout(ctx, 15*time.Second)
		list, err := svc.ListExecutions(lctx, &admin.ResourceListRequest{
			Id:     &admin.NamedEntityIdentifier{Project: harness.Project, Domain: harness.Domain},
			Limit:  100,
			SortBy: &admin.Sort{Key: "created_at", Direction: admin.Sort_DESCENDING},
		})
		lcancel()
		if err != nil {
			t.Logf("ListExecutions: %v", err)
			continue
		}
		for _, x := range list.GetExecutions() {
			if x.GetSpec().GetLaunchPlan().GetName() == rate && x.GetSpec().GetLaunchPlan().GetVersion() == version {
				found = x
				break
			}
		}
	}
	t.Logf("execution %s at +%s after registration", found.GetId().GetName(), time.Since(start).Round(time.Second))
	assert.Equal(t, admin.ExecutionMetadata_SCHEDULED, found.GetSpec().GetMetadata().GetMode())
	assert.Equal(t, version, found.GetSpec().GetLaunchPlan().GetVersion())
	dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
	defer dcancel()
	data, err := svc.GetExecutionData(dctx, &admin.WorkflowExecutionGetDataRequest{Id: found.GetId()})
	require.NoError(t, err)
	in := data.GetFullInputs().GetLiterals()
	assert.True(t, proto.Equal(lpInt(2), in["partitions"]), "partitions = %v", in["partitions"])
	assert.True(t, proto.Equal(lpTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), in["run_at"]), "run_at = %v", in["run_at"])
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
