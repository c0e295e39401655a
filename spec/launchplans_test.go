package spec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/golden"
	"github.com/flytedask/flytedask/launchplan"
	"github.com/flytedask/flytedask/task"
)

// TestNightlyExample decodes examples/specs/nightly.yaml and pins everything it builds, in
// registration order (tasks, workflows, default launch plans before named ones).
func TestNightlyExample(t *testing.T) {
	s, err := ReadFiles(Options{}, "../examples/specs/nightly.yaml")
	require.NoError(t, err)
	require.Len(t, s.LaunchPlans, 2)
	assert.Equal(t, "workflows.etl.nightly_dask", s.LaunchPlans[1].Task.Name)
	assert.Empty(t, s.Warnings())
	ents, err := s.BuildEntities()
	require.NoError(t, err)
	require.Len(t, ents.Tasks, 1)
	require.Len(t, ents.Workflows, 1)
	require.Len(t, ents.LaunchPlans, 3)
	var names []string
	for _, lp := range ents.LaunchPlans {
		names = append(names, lp.GetId().GetName())
	}
	assert.Equal(t, []string{"workflows.etl.nightly_dask_wf", "nightly_etl", "every_minute"}, names)
	assert.Equal(t, "v1", ents.LaunchPlans[1].GetId().GetVersion(), "ids carry the spec's settings, like the tasks'")
	golden.Assert(t, "nightly/workflow.json", golden.StableJSON(t, ents.Workflows[0]))
	for i, lp := range ents.LaunchPlans {
		golden.Assert(t, "nightly/"+[]string{"default_lp", "nightly_etl", "every_minute"}[i]+".json", golden.StableJSON(t, lp))
	}
}

// TestLaunchPlansAcrossFiles: a launch plan may run a task of another file; problems name their
// file and line; duplicate names are found across files.
func TestLaunchPlansAcrossFiles(t *testing.T) {
	tasks := Source{Name: "tasks.yaml", Data: []byte(`tasks:
  - name: etl.a
    image: ghcr.io/acme/dask-app:1.4.2
    command: [run]
    inputs: {n: integer}
    dask: {}
  - name: etl.b
    image: ghcr.io/acme/dask-app:1.4.2
    command: [run]
    dask: {}
launch_plans:
  - {name: hourly, task: etl.b, schedule: {cron: "@hourly"}}
`)}
	plans := Source{Name: "plans.yaml", Data: []byte(`tasks:
  - name: etl.c
    image: ghcr.io/acme/dask-app:1.4.2
    command: [run]
    dask: {}
launch_plans:
  - name: a_daily
    task: etl.a
    schedule: {cron: "@daily"}
    fixed_inputs: {n: 1}
  - name: hourly
    task: etl.a
  - name: etl.b_wf
    task: etl.a
    fixed_inputs: {n: 2}
`)}
	_, err := Decode([]Source{tasks, plans}, Options{})
	var serr *Error
	require.ErrorAs(t, err, &serr)
	assert.Equal(t, []string{
		`plans.yaml: launch_plans[1].name: duplicate launch plan name "hourly": also defined at tasks.yaml: launch_plans[0] (line 12)`,
		`plans.yaml: launch_plans[2].name: "etl.b_wf" is the name of the workflow generated for task etl.b and of its default launch plan: choose another name`,
	}, serr.Lines())
	assert.Equal(t, 11, serr.Problems[0].Line)
	assert.Equal(t, 13, serr.Problems[1].Line)

	plans.Data = []byte(strings.Replace(string(plans.Data), "name: hourly", "name: hourly_a", 1))
	plans.Data = []byte(strings.Replace(string(plans.Data), "name: etl.b_wf", "name: manual_a", 1))
	s, err := Decode([]Source{tasks, plans}, Options{})
	require.NoError(t, err)
	ents, err := s.BuildEntities()
	require.NoError(t, err)
	var got []string
	for _, ts := range ents.Tasks {
		got = append(got, "task "+ts.GetTemplate().GetId().GetName())
	}
	for _, wf := range ents.Workflows {
		got = append(got, "workflow "+wf.GetTemplate().GetId().GetName())
	}
	for _, lp := range ents.LaunchPlans {
		got = append(got, "lp "+lp.GetId().GetName()+" -> "+lp.GetSpec().GetWorkflowId().GetName())
	}
	// Workflows in task order (etl.a before etl.b; etl.c has none); each default launch plan
	// followed by its task's launch plans in spec order.
	assert.Equal(t, []string{
		"task etl.a", "task etl.b", "task etl.c",
		"workflow etl.a_wf", "workflow etl.b_wf",
		"lp etl.a_wf -> etl.a_wf", "lp a_daily -> etl.a_wf", "lp hourly_a -> etl.a_wf", "lp manual_a -> etl.a_wf",
		"lp etl.b_wf -> etl.b_wf", "lp hourly -> etl.b_wf",
	}, got)
}

func TestLaunchPlanDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"not a list", "launch_plans: {a: 1}", []string{"launch_plans: must be a list of launch plans, got a mapping"}},
		{"key homes", "launch_plans: [{name: a, task: t, cron: '@daily', schedule: {fixed_rate: 10m, phases: [x]}}]", []string{
			`launch_plans[0].cron: unknown key "cron" here: it belongs in a launch plan's schedule`,
			`launch_plans[0].schedule.phases: unknown key "phases" here: it belongs in an entry of a launch plan's notifications`,
		}},
		{"did you mean", "launch_plans: [{name: a, task: t, fixed_input: {}, schedule: {kickoff_time_inputs: d}}]", []string{
			`launch_plans[0].fixed_input: unknown key "fixed_input": did you mean fixed_inputs?`,
			`launch_plans[0].schedule.kickoff_time_inputs: unknown key "kickoff_time_inputs": did you mean kickoff_time_input?`,
		}},
		{"types", "launch_plans: [{name: [a], task: t, schedule: {cron: 5}, notifications: {a: 1}, labels: [x], max_parallelism: '2', fixed_inputs: [1]}]", []string{
			`launch_plans[0].name: must be a string, got a list`,
			`launch_plans[0].schedule.cron: must be a cron schedule string, e.g. "30 2 * * *" or "@daily", got the integer 5`,
			`launch_plans[0].notifications: must be a list of notifications, e.g. [{phases: [failed], email: [oncall@example.com]}], got a mapping`,
			`launch_plans[0].labels: must be a mapping of names to strings, got a list`,
			`launch_plans[0].max_parallelism: must be an integer, got the string "2"`,
			`launch_plans[0].fixed_inputs: must be a mapping of input names to values, e.g. {n: 3, run_at: 2026-01-02T03:04:05Z}, got a list`,
		}},
		{"notifications items", "launch_plans: [{name: a, task: t, notifications: [null, oncall, {phases: [failed], emails: [a@example.com]}]}]", []string{
			`launch_plans[0].notifications[0]: must be a notification mapping, e.g. {phases: [failed], email: [oncall@example.com]}, got null`,
			`launch_plans[0].notifications[1]: must be a mapping, got the string "oncall"`,
			`launch_plans[0].notifications[2].emails: unknown key "emails": did you mean email?`,
		}},
		{"fixed rates", "launch_plans: [{name: a, task: t, schedule: {fixed_rate: 2h30}}, {name: b, task: t, schedule: {fixed_rate: 0m}}, {name: c, task: t, schedule: {fixed_rate: true}}, {name: d, task: t, schedule: {fixed_rate: 99999999999d}}]", []string{
			`launch_plans[0].schedule.fixed_rate: invalid fixed rate "2h30": write a whole number of minutes, hours or days, e.g. 10m, 2h, 1d or 1h30m`,
			`launch_plans[1].schedule.fixed_rate: a fixed rate must be positive, got "0m": write a whole number of minutes, hours or days, e.g. 10m, 2h, 1d or 1h30m`,
			`launch_plans[2].schedule.fixed_rate: must be a fixed rate such as 10m, 2h or 1d, got the boolean true`,
			`launch_plans[3].schedule.fixed_rate: fixed rate "99999999999d" is too long: at most 153722867 minutes`,
		}},
		{"missing", "launch_plans: [{schedule: {cron: '@daily'}}]", []string{
			`launch_plans[0].name: a launch plan needs a name, e.g. nightly_etl`,
			`launch_plans[0].task: a launch plan needs the name of a task of the spec`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := "tasks: [{name: t, image: 'x.io/a:1', command: [a], inputs: {d: datetime}, dask: {}}]\n" + tc.yaml
			_, err := Decode([]Source{{Name: "s.yaml", Data: []byte(data)}}, Options{})
			var serr *Error
			require.ErrorAs(t, err, &serr)
			assert.Equal(t, tc.want, serr.Lines())
		})
	}
}

// TestHandBuiltSpecLaunchPlans: a Spec built by hand (no origins) builds its launch plans, and a
// launch plan whose task is not in the spec is an error with its launch_plans[i] path.
func TestHandBuiltSpecLaunchPlans(t *testing.T) {
	tk := task.Task{Name: "t", Image: "x.io/a:1", Command: []string{"run"}}
	s := &Spec{Tasks: []task.Task{tk}, LaunchPlans: []launchplan.LaunchPlan{{Name: "a", Task: tk}, {Name: "b", Task: task.Task{Name: "other"}}}}
	_, err := s.BuildEntities()
	var serr *Error
	require.ErrorAs(t, err, &serr)
	assert.Equal(t, []string{`launch_plans[1].task: unknown task "other": a launch plan runs a task of the spec`}, serr.Lines())
	s.LaunchPlans = s.LaunchPlans[:1]
	s.LaunchPlans[0].OverwriteCache = true
	ents, err := s.BuildEntities()
	require.NoError(t, err)
	assert.Equal(t, 4, ents.Len(), "task, workflow, default and named launch plan")
	var ws []string
	for _, w := range s.Warnings() {
		if strings.HasPrefix(w.Path, "launch_plans") {
			ws = append(ws, w.Format(false))
		}
	}
	assert.Equal(t, []string{"launch_plans[0].overwrite_cache: task t is not cached, so overwrite_cache has no effect [overwrite-cache-no-cache]"}, ws)
}

// TestSelfReferencingAliases: an alias inside its own anchor stops at a depth bound instead of
// walking ever longer paths (it took minutes in pod_template.spec before the bound).
func TestSelfReferencingAliases(t *testing.T) {
	for _, data := range []string{
		"tasks: [{name: a, pod_template: {spec: &a {containers: [*a]}}}]",
		"tasks: [{name: t, image: 'x.io/a:1', command: [a], inputs: {d: 'list[integer]'}, dask: {}}]\nlaunch_plans: [{name: l, task: t, fixed_inputs: {d: &a [*a]}}]",
	} {
		_, err := Decode([]Source{{Name: "x", Data: []byte(data)}}, Options{})
		var serr *Error
		require.ErrorAs(t, err, &serr)
		assert.Contains(t, serr.Error(), "nested deeper than")
	}
}

// TestListOfMappingsLines: problems in a list of mappings (a task's secrets, a launch plan's
// notifications) carry the line of the item, also for validation errors about a key the item does
// not write (they fall back to the item's line), and the line of the value when it is not a list.
func TestListOfMappingsLines(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"decoding", `tasks:
  - name: t
    image: x.io/a:1
    command: [a]
    dask: {}
    secrets:
      - {group: aws, key: token}
      - null
  - name: u
    image: x.io/a:1
    command: [a]
    dask: {}
    secrets:
      group: aws
launch_plans:
  - name: a
    task: t
    notifications:
      - {phases: [failed], email: [oncall@example.com]}
      - ~
  - name: b
    task: t
    notifications: oncall
`, []string{
			"8 tasks[0].secrets[1]",
			"14 tasks[1].secrets",
			"20 launch_plans[0].notifications[1]",
			"23 launch_plans[1].notifications",
		}},
		{"validation", `tasks:
  - name: t
    image: x.io/a:1
    command: [a]
    dask: {}
    secrets:
      - {group: aws, key: token}
      -
        key: token
launch_plans:
  - name: a
    task: t
    notifications:
      - {phases: [failed], email: [oncall@example.com]}
      -
        phases: [failed]
`, []string{
			"9 tasks[0].secrets[1].group",
			"16 launch_plans[0].notifications[1]",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]Source{{Name: "s.yaml", Data: []byte(tc.yaml)}}, Options{})
			var serr *Error
			require.ErrorAs(t, err, &serr)
			var got []string
			for _, p := range serr.Problems {
				got = append(got, fmt.Sprintf("%d %s", p.Line, p.Path))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
