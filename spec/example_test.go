package spec_test

import (
	"errors"
	"fmt"

	"github.com/flytedask/flytedask/spec"
)

func ExampleDecode() {
	src := spec.Source{Name: "tasks.yaml", Data: []byte(`
project: flytesnacks
domain: development
defaults:
  image: ghcr.io/acme/dask-app:1.4.2
  dask:
    workers: {number_of_workers: 4, requests: {cpu: 2, mem: 8Gi}, limits: {cpu: 2, mem: 8Gi}}
tasks:
  - name: workflows.dask_example.hello_dask
    python: {module: workflows.dask_example, function: hello_dask}
`)}
	version := "v1"
	s, err := spec.Decode([]spec.Source{src}, spec.Options{Version: &version})
	if err != nil {
		fmt.Println(err)
		return
	}
	specs, err := s.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	id := specs[0].GetTemplate().GetId()
	fmt.Println(id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion())
	fmt.Println("workers:", s.Tasks[0].Dask.Workers.NumberOfWorkers, "cpu limit:", s.Tasks[0].Dask.Workers.Limits.CPU)
	// Output:
	// flytesnacks development workflows.dask_example.hello_dask v1
	// workers: 4 cpu limit: 2
}

func ExampleError() {
	_, err := spec.Decode([]spec.Source{{Name: "tasks.yaml", Data: []byte(`
tasks:
  - name: wf.a
    image: ghcr.io/acme/dask-app:1.4.2
    python: {module: wf, function: a}
    retries: two
    dask:
      workers: {number_of_wokers: 4}
`)}}, spec.Options{})
	var serr *spec.Error
	if errors.As(err, &serr) {
		for _, p := range serr.Problems {
			fmt.Printf("line %d: %s (%s)\n", p.Line, p.Format(false), p.Type)
		}
	}
	// Output:
	// line 6: tasks[0].retries: must be an integer, got the string "two" (wrong-type)
	// line 8: tasks[0].dask.workers.number_of_wokers: unknown key "number_of_wokers": did you mean number_of_workers? (unknown-key)
}

func ExampleReadFiles() {
	s, err := spec.ReadFiles(spec.Options{}, "../examples/specs/hello_dask.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range s.Tasks {
		fmt.Println(t.Name, t.Dask.Workers.Replicas())
	}
	// Output:
	// workflows.dask_example.hello_dask 4
	// workflows.dask_example.score 8
}

// ReadSource reads one file for Decode, e.g. to decode files given on a
// command line together with a spec held in memory (e.g. read from stdin).
func ExampleReadSource() {
	file, err := spec.ReadSource("../examples/specs/hello_dask.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	stdin := []byte("tasks: [{name: wf.extra, image: ghcr.io/acme/dask-app:1.4.2, command: [run], dask: {}}]")
	s, err := spec.Decode([]spec.Source{file, {Name: "<stdin>", Data: stdin}}, spec.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, t := range s.Tasks {
		fmt.Println(s.Origins[i].File, t.Name)
	}
	_, err = spec.ReadSource("../examples/specs")
	fmt.Println(err)
	// Output:
	// ../examples/specs/hello_dask.yaml workflows.dask_example.hello_dask
	// ../examples/specs/hello_dask.yaml workflows.dask_example.score
	// <stdin> wf.extra
	// read ../examples/specs: is a directory, not a spec file
}

// A spec with launch plans builds tasks, then the workflow generated for each scheduled task, then
// each workflow's default launch plan followed by its named launch plans: registration order.
func ExampleSpec_BuildEntities() {
	s, err := spec.ReadFiles(spec.Options{}, "../examples/specs/nightly.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	ents, err := s.BuildEntities()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range ents.Tasks {
		fmt.Println("task    ", t.GetTemplate().GetId().GetName())
	}
	for _, wf := range ents.Workflows {
		fmt.Println("workflow", wf.GetTemplate().GetId().GetName())
	}
	for _, lp := range ents.LaunchPlans {
		fmt.Println("lp      ", lp.GetId().GetName())
	}
	// Output:
	// task     workflows.etl.nightly_dask
	// workflow workflows.etl.nightly_dask_wf
	// lp       workflows.etl.nightly_dask_wf
	// lp       nightly_etl
	// lp       every_minute
}

// Launch plan problems come with their paths, after the tasks' problems.
func ExampleDecode_launchPlans() {
	src := spec.Source{Name: "nightly.yaml", Data: []byte(`
tasks:
  - name: etl.nightly
    image: ghcr.io/acme/dask-app:1.4.2
    python: {module: etl, function: nightly}
    inputs: {run_at: datetime, n: integer}
    dask: {}
launch_plans:
  - name: nightly
    task: etl.nightly
    schedule: {cron: daily, kickoff_time_input: run_at}
  - name: often
    task: etl.nightly
    schedule: {fixed_rate: 90s}
    fixed_inputs: {n: "3"}
`)}
	_, err := spec.Decode([]spec.Source{src}, spec.Options{})
	var serr *spec.Error
	if errors.As(err, &serr) {
		for _, line := range serr.Lines() {
			fmt.Println(line)
		}
	}
	// Output:
	// launch_plans[0].schedule.cron: "daily" is one of flytekit's aliases, but FlyteAdmin's native scheduler parses schedules with robfig/cron, which knows only descriptors with '@': write @daily
	// launch_plans[0].schedule: input n (integer) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs
	// launch_plans[1].schedule.fixed_rate: invalid fixed rate "90s": FlyteAdmin's fixed rates are whole minutes, hours or days (no seconds); write a whole number of minutes, hours or days, e.g. 10m, 2h, 1d or 1h30m
	// launch_plans[1].fixed_inputs[n]: want integer, got the string "3"
}
