package launchplan_test

import (
	"fmt"
	"time"

	"github.com/flytedask/flytedask/launchplan"
	"github.com/flytedask/flytedask/task"
)

func exampleTask() task.Task {
	return task.Task{
		Name:   "workflows.etl.nightly_dask",
		Image:  "ghcr.io/acme/dask-app:1.4.2",
		Python: &task.PythonFunction{Module: "workflows.etl", Function: "nightly_dask"},
		Inputs: []task.Variable{{Name: "run_at", Type: task.Datetime}, {Name: "partitions", Type: task.Integer}},
	}
}

// A nightly run at 02:30 with the scheduled time as run_at, alerting on failure.
func ExampleLaunchPlan_Build() {
	lp := launchplan.LaunchPlan{
		Name:          "nightly_etl",
		Task:          exampleTask(),
		Schedule:      &launchplan.Schedule{Cron: "30 2 * * *", KickoffTimeInput: "run_at"},
		DefaultInputs: map[string]any{"partitions": 8},
		Notifications: []launchplan.Notification{{
			Phases: []launchplan.Phase{launchplan.Failed, launchplan.TimedOut},
			Email:  []string{"oncall@acme.example"},
		}},
	}
	built, err := lp.Build(task.Settings{}) // empty project/domain/version: registration fills them
	if err != nil {
		panic(err)
	}
	fmt.Println(built.GetId().GetName(), "->", built.GetSpec().GetWorkflowId().GetName())
	fmt.Println(built.GetSpec().GetEntityMetadata().GetSchedule().GetCronSchedule().GetSchedule())
	// Output:
	// nightly_etl -> workflows.etl.nightly_dask_wf
	// 30 2 * * *
}

// The workflow and default launch plan every launch plan over the task needs, registered first.
func ExampleWorkflow() {
	wf, def, err := launchplan.Workflow(exampleTask(), task.Settings{})
	if err != nil {
		panic(err)
	}
	n := wf.GetTemplate().GetNodes()[0]
	fmt.Println(wf.GetTemplate().GetId().GetName(), n.GetId(), n.GetTaskNode().GetReferenceId().GetName())
	fmt.Println(def.GetId().GetName(), def.GetSpec().GetDefaultInputs().GetParameters()["run_at"].GetRequired())
	// Output:
	// workflows.etl.nightly_dask_wf n0 workflows.etl.nightly_dask
	// workflows.etl.nightly_dask_wf true
}

func ExampleLaunchPlan_Validate() {
	lp := launchplan.LaunchPlan{
		Name:     "every_minute",
		Task:     exampleTask(),
		Schedule: &launchplan.Schedule{FixedRate: 90 * time.Second, KickoffTimeInput: "run_at"},
	}
	fmt.Println(lp.Validate())
	// Output:
	// 3 validation errors:
	//	schedule.fixed_rate: a fixed rate must be a whole number of minutes (FlyteAdmin's units are minutes, hours and days), got 1m30s
	//	schedule.kickoff_time_input: FlyteAdmin's scheduler sets the kickoff time input only for cron schedules, so under fixed_rate input run_at needs a value in default_inputs (or use cron)
	//	schedule: input partitions (integer) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs
}

func ExampleWorkflowName() {
	fmt.Println(launchplan.WorkflowName("workflows.etl.nightly_dask"))
	// Output: workflows.etl.nightly_dask_wf
}

func ExampleLaunchPlan_Warnings() {
	lp := launchplan.LaunchPlan{Name: "rebuild", Task: exampleTask(), OverwriteCache: true}
	for _, w := range lp.Warnings() {
		fmt.Println(w)
	}
	// Output:
	// overwrite_cache: task workflows.etl.nightly_dask is not cached, so overwrite_cache has no effect [overwrite-cache-no-cache]
}
