package launchplan_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/golden"
	"github.com/flytedask/flytedask/launchplan"
	"github.com/flytedask/flytedask/task"
)

func nightlyTask() task.Task {
	return task.Task{
		Name:    "workflows.etl.nightly_dask",
		Image:   "ghcr.io/acme/dask-app:1.4.2",
		Python:  &task.PythonFunction{Module: "workflows.etl", Function: "nightly_dask"},
		Retries: 2,
		Inputs: []task.Variable{
			{Name: "run_at", Type: task.Datetime},
			{Name: "partitions", Type: task.Integer, Description: "how many partitions"},
			{Name: "source", Type: task.Directory},
		},
		Outputs: []task.Variable{{Name: "o0", Type: task.File}},
	}
}

func cronPlan() launchplan.LaunchPlan {
	return launchplan.LaunchPlan{
		Name:          "nightly_etl",
		Task:          nightlyTask(),
		Schedule:      &launchplan.Schedule{Cron: "30 2 * * *", KickoffTimeInput: "run_at"},
		FixedInputs:   map[string]any{"source": "s3://acme/raw/"},
		DefaultInputs: map[string]any{"partitions": 8},
		Notifications: []launchplan.Notification{
			{Phases: []launchplan.Phase{launchplan.Failed, launchplan.TimedOut}, Email: []string{"oncall@acme.example"}},
			{Phases: []launchplan.Phase{launchplan.Succeeded}, Slack: []string{"#etl"}},
			{Phases: []launchplan.Phase{launchplan.Aborted}, PagerDuty: []string{"etl@acme.pagerduty.com"}},
		},
		Labels:              map[string]string{"team": "data"},
		Annotations:         map[string]string{"acme.example/owner": "data-eng"},
		ServiceAccount:      "etl-runner",
		RawOutputDataPrefix: "s3://acme/raw-output",
		MaxParallelism:      1,
		OverwriteCache:      true,
	}
}

// TestGolden pins the four messages for one task with a cron and a fixed-rate launch plan.
// Field by field against what flytekit v1.16.24 writes (e96c720):
//   - workflow: tools/translator.py:305-310 WorkflowTemplate with metadata {} (WorkflowMetadata with
//     on_failure FAIL_IMMEDIATELY) and metadata_defaults {} (interruptible False); nodes from
//     translator.py:479-486 (id n0, upstream_node_ids [], output_aliases [], task_node reference_id
//     and overrides TaskNodeOverrides() with every field None, so present and empty);
//     node metadata from core/base_task.py:595-604 (name = promise.py:1148 extract_obj_name, retries
//     always, timeout and interruptible only when set: models/core/workflow.py:236-249);
//   - launch plans: translator.py:368-401 (entity_metadata always; labels, annotations {} when
//     unset; auth_role None; raw_output_data_config RawOutputDataConfig(""); closure with empty
//     expected inputs/outputs); core/launch_plan.py:346 drops fixed inputs from the parameters;
//   - schedule: models/schedule.py:144-152 (cron_schedule, kickoff_time_input_arg) and
//     core/schedule.py:178-205 (FixedRate in the largest whole unit).
func TestGolden(t *testing.T) {
	wf, def, err := launchplan.Workflow(nightlyTask(), task.Settings{})
	require.NoError(t, err)
	golden.Assert(t, "workflow.json", golden.StableJSON(t, wf))
	golden.Assert(t, "default_lp.json", golden.StableJSON(t, def))

	cron, err := cronPlan().Build(task.Settings{})
	require.NoError(t, err)
	golden.Assert(t, "cron_lp.json", golden.StableJSON(t, cron))

	rate := launchplan.LaunchPlan{
		Name:          "every_two_hours",
		Task:          nightlyTask(),
		Schedule:      &launchplan.Schedule{FixedRate: 2 * time.Hour, KickoffTimeInput: "run_at"},
		FixedInputs:   map[string]any{"partitions": 4, "source": "s3://acme/raw/"},
		DefaultInputs: map[string]any{"run_at": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	built, err := rate.Build(task.Settings{})
	require.NoError(t, err)
	golden.Assert(t, "fixed_rate_lp.json", golden.StableJSON(t, built))
}

func TestShapes(t *testing.T) {
	tk := nightlyTask()
	tk.Timeout = time.Hour
	yes := true
	tk.Interruptible = &yes
	wf, def, err := launchplan.Workflow(tk, task.Settings{Project: "p", Domain: "d", Version: "v1"})
	require.NoError(t, err)
	tmpl := wf.GetTemplate()
	assert.Equal(t, "workflows.etl.nightly_dask_wf", tmpl.GetId().GetName())
	assert.Equal(t, "p", tmpl.GetId().GetProject())
	n := tmpl.GetNodes()[0]
	assert.Equal(t, "nightly_dask", n.GetMetadata().GetName())
	assert.Equal(t, uint32(2), n.GetMetadata().GetRetries().GetRetries())
	assert.Equal(t, time.Hour, n.GetMetadata().GetTimeout().AsDuration())
	assert.True(t, n.GetMetadata().GetInterruptible())
	assert.Equal(t, core.ResourceType_TASK, n.GetTaskNode().GetReferenceId().GetResourceType())
	assert.Equal(t, "v1", n.GetTaskNode().GetReferenceId().GetVersion())
	var vars []string
	for _, b := range n.GetInputs() {
		assert.Equal(t, "", b.GetBinding().GetPromise().GetNodeId(), "workflow inputs are promises of node \"\"")
		vars = append(vars, b.GetVar())
	}
	assert.Equal(t, []string{"partitions", "run_at", "source"}, vars, "sorted by name")
	assert.Equal(t, "n0", tmpl.GetOutputs()[0].GetBinding().GetPromise().GetNodeId())
	assert.True(t, proto.Equal(tk.Interface(), tmpl.GetInterface()))

	assert.Equal(t, tmpl.GetId().GetName(), def.GetId().GetName())
	assert.True(t, proto.Equal(tmpl.GetId(), def.GetSpec().GetWorkflowId()))
	for name, p := range def.GetSpec().GetDefaultInputs().GetParameters() {
		assert.True(t, p.GetRequired(), name)
	}
	assert.NotNil(t, def.GetSpec().GetFixedInputs())
	assert.Nil(t, def.GetSpec().GetSecurityContext())

	lp, err := cronPlan().Build(task.Settings{Project: "p", Domain: "d", Version: "v1"})
	require.NoError(t, err)
	assert.True(t, proto.Equal(tmpl.GetId(), lp.GetSpec().GetWorkflowId()))
	sp := lp.GetSpec()
	_, isCron := sp.GetEntityMetadata().GetSchedule().GetScheduleExpression().(*admin.Schedule_CronSchedule)
	assert.True(t, isCron, "cron_schedule, never the deprecated cron_expression")
	assert.Equal(t, "30 2 * * *", sp.GetEntityMetadata().GetSchedule().GetCronSchedule().GetSchedule())
	assert.Equal(t, "run_at", sp.GetEntityMetadata().GetSchedule().GetKickoffTimeInputArg())
	_, fixedInDefaults := sp.GetDefaultInputs().GetParameters()["source"]
	assert.False(t, fixedInDefaults, "fixed inputs are not default inputs")
	assert.Equal(t, int64(8), sp.GetDefaultInputs().GetParameters()["partitions"].GetDefault().GetScalar().GetPrimitive().GetInteger())
	assert.True(t, sp.GetDefaultInputs().GetParameters()["run_at"].GetRequired())
	assert.Equal(t, "etl-runner", sp.GetSecurityContext().GetRunAs().GetK8SServiceAccount())
	assert.Nil(t, sp.GetAuthRole())

	// overwrite_cache only when true; no security context without a service account.
	plain := launchplan.LaunchPlan{Name: "manual", Task: nightlyTask()}
	built, err := plain.Build(task.Settings{})
	require.NoError(t, err)
	assert.False(t, built.GetSpec().GetOverwriteCache())
	assert.Nil(t, built.GetSpec().GetSecurityContext())
	assert.Nil(t, built.GetSpec().GetEntityMetadata().GetSchedule())
}

func TestFixedRateUnits(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{time.Minute, `{"value":1}`}, // MINUTE is the enum's zero value,
		{90 * time.Minute, `{"value":90}`},
		{120 * time.Minute, `{"value":2,"unit":"HOUR"}`},
		{24 * time.Hour, `{"value":1,"unit":"DAY"}`},
		{36 * time.Hour, `{"value":36,"unit":"HOUR"}`},
		{48 * time.Hour, `{"value":2,"unit":"DAY"}`},
	} {
		lp := launchplan.LaunchPlan{Name: "r", Task: nightlyTask(), Schedule: &launchplan.Schedule{FixedRate: tc.d},
			FixedInputs: map[string]any{"run_at": "2026-01-01T00:00:00Z", "partitions": 1, "source": "s3://a/b/"}}
		built, err := lp.Build(task.Settings{})
		require.NoError(t, err, tc.d)
		got, err := protojson.Marshal(built.GetSpec().GetEntityMetadata().GetSchedule().GetRate())
		require.NoError(t, err)
		assert.JSONEq(t, tc.want, string(got), tc.d.String())
	}
}

// problems renders each problem of a *field.ValidationError as "TYPE PATH: DETAIL".
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *field.ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	out := make([]string, len(verr.Errors))
	for i, e := range verr.Errors {
		out[i] = string(e.Type) + " " + e.Error()
	}
	return out
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*launchplan.LaunchPlan)
		want []string
	}{
		{"valid", func(*launchplan.LaunchPlan) {}, nil},
		{"no name", func(lp *launchplan.LaunchPlan) { lp.Name = "" },
			[]string{"required name: the launch plan name is required, e.g. nightly_etl"}},
		{"url unsafe name", func(lp *launchplan.LaunchPlan) { lp.Name = "nightly/etl" },
			[]string{`invalid name: launch plan name "nightly/etl" contains "/": names must be URL-safe, without any of !*'();:@&=+$,/?#[] (FlyteAdmin serves launch plans at /api/v1/launch_plans/{project}/{domain}/{name}/{version})`}},
		{"space in name", func(lp *launchplan.LaunchPlan) { lp.Name = "nightly etl" },
			[]string{`invalid name: launch plan name "nightly etl" contains white space or control characters`}},
		{"non-ascii name", func(lp *launchplan.LaunchPlan) { lp.Name = "nächtlich" },
			[]string{`invalid name: launch plan name "nächtlich" is not URL-safe ('%' and non-ASCII characters are escaped in URLs): use letters, digits, '.', '-' and '_'`}},
		{"workflow name", func(lp *launchplan.LaunchPlan) { lp.Name = "workflows.etl.nightly_dask_wf" },
			[]string{`invalid name: "workflows.etl.nightly_dask_wf" is the name of the workflow generated for task workflows.etl.nightly_dask and of its default launch plan: choose another name`}},
		{"no task", func(lp *launchplan.LaunchPlan) { lp.Task = task.Task{} },
			[]string{
				"required task: the launch plan needs a task (with a name)",
				`not-supported fixed_inputs[source]: unknown input "source": the task has no inputs`,
				`not-supported default_inputs[partitions]: unknown input "partitions": the task has no inputs`,
				`invalid schedule.kickoff_time_input: "run_at" is not an input of task ; the task has no datetime input: add one (e.g. run_at: datetime) or drop kickoff_time_input`,
			}},
		{"bad inputs", func(lp *launchplan.LaunchPlan) {
			lp.FixedInputs = map[string]any{"source": "./raw", "nope": 1}
			lp.DefaultInputs = map[string]any{"partitions": "8", "source": "s3://x/y/"}
		}, []string{
			`not-supported fixed_inputs[nope]: unknown input "nope": the inputs are partitions (integer), run_at (datetime), source (directory)`,
			`invalid fixed_inputs[source]: want a directory URI such as s3://bucket/prefix/, got the string "./raw": local paths are not uploaded, give the remote location`,
			`invalid default_inputs[partitions]: want integer, got the string "8"`,
			`forbidden default_inputs[source]: source is also a fixed input, which cannot be overridden, so a default would never be used: keep only one`,
		}},
		{"required inputs under a schedule", func(lp *launchplan.LaunchPlan) {
			lp.FixedInputs, lp.DefaultInputs = nil, nil
		}, []string{
			"required schedule: input partitions (integer) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs",
			"required schedule: input source (directory) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs",
		}},
		{"no schedule: required inputs are fine", func(lp *launchplan.LaunchPlan) {
			lp.Schedule, lp.FixedInputs, lp.DefaultInputs = nil, nil, nil
		}, nil},
		{"aws cron", func(lp *launchplan.LaunchPlan) { lp.Schedule.Cron = "0 10 * * ? *" },
			[]string{`invalid schedule.cron: "0 10 * * ? *" has 6 fields: that is the deprecated AWS CloudWatch form (cron_expression), which FlyteAdmin's native scheduler cannot run; write five fields (minute hour day-of-month month day-of-week, e.g. "30 2 * * *"), or @hourly, @daily, @weekly, @monthly, @yearly or @every 90m, optionally after CRON_TZ=Zone`}},
		{"flytekit alias", func(lp *launchplan.LaunchPlan) { lp.Schedule.Cron = "daily" },
			[]string{`invalid schedule.cron: "daily" is one of flytekit's aliases, but FlyteAdmin's native scheduler parses schedules with robfig/cron, which knows only descriptors with '@': write @daily`}},
		{"bad cron field", func(lp *launchplan.LaunchPlan) { lp.Schedule.Cron = "61 2 * * *" },
			[]string{`invalid schedule.cron: invalid cron schedule "61 2 * * *": end of range (61) above maximum (59): 61; write five fields (minute hour day-of-month month day-of-week, e.g. "30 2 * * *"), or @hourly, @daily, @weekly, @monthly, @yearly or @every 90m, optionally after CRON_TZ=Zone`}},
		{"zone without schedule", func(lp *launchplan.LaunchPlan) { lp.Schedule.Cron = "CRON_TZ=UTC" },
			[]string{`invalid schedule.cron: "CRON_TZ=UTC" names a time zone but no schedule: write CRON_TZ=Zone, a space, then the schedule, e.g. CRON_TZ=Europe/Paris 30 2 * * *`}},
		{"unknown zone", func(lp *launchplan.LaunchPlan) { lp.Schedule.Cron = "CRON_TZ=Mars/Olympus 0 2 * * *" },
			[]string{`invalid schedule.cron: unknown time zone "Mars/Olympus": use an IANA zone name such as UTC or Europe/Paris`}},
		{"both", func(lp *launchplan.LaunchPlan) { lp.Schedule.FixedRate = time.Hour },
			[]string{"forbidden schedule.fixed_rate: set either cron or fixed_rate, not both"}},
		{"neither", func(lp *launchplan.LaunchPlan) { lp.Schedule = &launchplan.Schedule{} },
			[]string{`required schedule: a schedule needs cron (e.g. "30 2 * * *") or fixed_rate (e.g. 10m)`,
				"required schedule: input run_at (datetime) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs"}},
		{"seconds", func(lp *launchplan.LaunchPlan) {
			lp.Schedule = &launchplan.Schedule{FixedRate: 90 * time.Second}
			lp.FixedInputs["run_at"] = "2026-01-01T00:00:00Z"
		},
			[]string{"invalid schedule.fixed_rate: a fixed rate must be a whole number of minutes (FlyteAdmin's units are minutes, hours and days), got 1m30s"}},
		{"negative", func(lp *launchplan.LaunchPlan) {
			lp.Schedule = &launchplan.Schedule{FixedRate: -time.Hour}
			lp.FixedInputs["run_at"] = "2026-01-01T00:00:00Z"
		},
			[]string{"invalid schedule.fixed_rate: a fixed rate must be positive, got -1h0m0s"}},
		{"kickoff under fixed rate without default", func(lp *launchplan.LaunchPlan) {
			lp.Schedule = &launchplan.Schedule{FixedRate: time.Hour, KickoffTimeInput: "run_at"}
		},
			[]string{"required schedule.kickoff_time_input: FlyteAdmin's scheduler sets the kickoff time input only for cron schedules, so under fixed_rate input run_at needs a value in default_inputs (or use cron)"}},
		{"kickoff not datetime", func(lp *launchplan.LaunchPlan) { lp.Schedule.KickoffTimeInput = "partitions" },
			[]string{"invalid schedule.kickoff_time_input: input partitions is integer: the kickoff time input must be a datetime input; its datetime inputs are run_at",
				"required schedule: input run_at (datetime) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs"}},
		{"kickoff fixed", func(lp *launchplan.LaunchPlan) { lp.FixedInputs["run_at"] = "2026-01-01T00:00:00Z" },
			[]string{"forbidden schedule.kickoff_time_input: input run_at is fixed: the scheduler cannot set a fixed input; remove it from fixed_inputs"}},
		{"notifications", func(lp *launchplan.LaunchPlan) {
			lp.Notifications = []launchplan.Notification{
				{Phases: []launchplan.Phase{"running", launchplan.Failed}, Email: []string{}},
				{Slack: []string{"#a", " "}, PagerDuty: []string{"x"}},
				{Phases: []launchplan.Phase{launchplan.Succeeded}},
			}
		}, []string{
			`not-supported notifications[0].phases[0]: unsupported value "running": use one of "succeeded", "failed", "aborted", "timed_out": notifications are sent only when an execution ends`,
			"required notifications[0].email: the recipient list is empty: give at least one recipient",
			"required notifications[1].phases: a notification needs phases: any of succeeded, failed, aborted, timed_out",
			"required notifications[1].slack[1]: the recipient is empty",
			"forbidden notifications[1].pagerduty: a notification has one kind of recipients: put email, slack and pagerduty in separate notifications",
			"required notifications[2]: a notification needs recipients: set email, slack or pagerduty",
		}},
		{"labels", func(lp *launchplan.LaunchPlan) {
			lp.Labels = map[string]string{"Bad Key": "v", "ok": "not ok!"}
			lp.Annotations = map[string]string{"a/b/c": "x"}
		}, []string{
			"invalid labels[Bad Key]: invalid label key: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
			"invalid labels[ok]: invalid label value: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
			"invalid annotations[a/b/c]: invalid annotation key: a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
		}},
		{"too many labels", func(lp *launchplan.LaunchPlan) {
			lp.Labels = map[string]string{}
			for i := 0; i < 17; i++ {
				lp.Labels[string(rune('a'+i))] = "x"
			}
		}, []string{"invalid labels: 17 labels: FlyteAdmin accepts at most 16"}},
		{"settings", func(lp *launchplan.LaunchPlan) {
			lp.ServiceAccount = "Etl_Runner"
			lp.RawOutputDataPrefix = "/tmp/raw"
			lp.MaxParallelism = -1
		}, []string{
			"invalid service_account: not a Kubernetes service account name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
			`invalid raw_output_data_prefix: "/tmp/raw" is not a storage URI: give a prefix such as s3://bucket/raw-data or gs://bucket/raw-data`,
			"invalid max_parallelism: max_parallelism must be from 0 (the platform's default) to 2147483647",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lp := cronPlan()
			lp.FixedInputs = map[string]any{"source": "s3://acme/raw/"}
			tc.edit(&lp)
			err := lp.Validate()
			assert.Equal(t, tc.want, problems(t, err))
			_, berr := lp.Build(task.Settings{})
			assert.Equal(t, err == nil, berr == nil, "Build validates like Validate")
			if err != nil {
				assert.True(t, errors.Is(err, field.ErrInvalidSpec))
			}
		})
	}
}

func TestCronAccepts(t *testing.T) {
	for _, c := range []string{"30 2 * * *", "*/5 * * * *", "0 9 * * MON-FRI", "0 0 1 JAN *", "@daily", "@hourly", "@every 90m",
		"@yearly", "@annually", "CRON_TZ=Europe/Paris 30 2 * * *", "TZ=UTC @daily", " 0 3 * * 0 "} {
		lp := launchplan.LaunchPlan{Name: "x", Task: nightlyTask(), Schedule: &launchplan.Schedule{Cron: c, KickoffTimeInput: "run_at"},
			FixedInputs: map[string]any{"partitions": 1, "source": "s3://a/b/"}}
		assert.NoError(t, lp.Validate(), c)
	}
}

func TestWorkflowErrors(t *testing.T) {
	_, _, err := launchplan.Workflow(task.Task{Inputs: []task.Variable{{Name: "x"}}}, task.Settings{})
	assert.Equal(t, []string{"required name: the task name is required", "required inputs[x]: variable x has no type"}, problems(t, err))
}

func TestWarnings(t *testing.T) {
	lp := cronPlan()
	lp.DefaultInputs["run_at"] = "2026-01-01T00:00:00Z"
	lp.MaxParallelism = 4
	var got []string
	for _, w := range lp.Warnings() {
		got = append(got, w.String())
	}
	assert.Equal(t, []string{
		"default_inputs[run_at]: the cron scheduler sets the kickoff time input on every scheduled run, so this default is used only by manual launches [kickoff-default-unused]",
		"overwrite_cache: task workflows.etl.nightly_dask is not cached, so overwrite_cache has no effect [overwrite-cache-no-cache]",
		"max_parallelism: the generated workflow has one node, so a max_parallelism above 1 has no effect (the Dask workers are not nodes) [max-parallelism-one-node]",
	}, got)
	require.NoError(t, lp.Validate(), "warnings are not errors")
}

// TestBuildDoesNotAlias changes every map and slice of the launch plan after Build: the built
// message must not change.
func TestBuildDoesNotAlias(t *testing.T) {
	lp := cronPlan()
	built, err := lp.Build(task.Settings{})
	require.NoError(t, err)
	det := proto.MarshalOptions{Deterministic: true}
	before, err := det.Marshal(built)
	require.NoError(t, err)
	lp.Labels["team"] = "other"
	lp.Annotations["acme.example/owner"] = "x"
	lp.Notifications[0].Email[0] = "x"
	lp.Notifications[0].Phases[0] = launchplan.Succeeded
	after, err := det.Marshal(built)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestDeterministic(t *testing.T) {
	var first []byte
	for i := 0; i < 20; i++ {
		built, err := cronPlan().Build(task.Settings{})
		require.NoError(t, err)
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(built)
		require.NoError(t, err)
		if first == nil {
			first = b
		}
		require.Equal(t, first, b)
	}
	assert.True(t, strings.Contains(string(first), "nightly_etl"))
}

// FuzzCron checks that no schedule text makes validation panic (robfig/cron v3.0.1's parser panics
// on some inputs, e.g. "TZ=" without a space) and that accepted text is a cron or a descriptor.
func FuzzCron(f *testing.F) {
	for _, s := range []string{"30 2 * * *", "@daily", "daily", "TZ=", "CRON_TZ=UTC", "CRON_TZ= 1 * * * *", "0 10 * * ? *",
		"@every 1h", "@every", "*/0 * * * *", "1-0 * * * *", "60 * * * *", "0 0 31 2 *", "TZ=UTC  @hourly", "@every -1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lp := launchplan.LaunchPlan{Name: "x", Task: task.Task{Name: "t"}, Schedule: &launchplan.Schedule{Cron: s}}
		err := lp.Validate()
		if err == nil && strings.TrimSpace(s) == "" {
			t.Fatalf("empty schedule %q accepted", s)
		}
	})
}
