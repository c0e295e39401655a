package task_test

import (
	"errors"
	"fmt"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

func ExampleTask_Build() {
	t := task.Task{
		Name:   "workflows.dask_example.hello_dask",
		Image:  "ghcr.io/acme/dask-app:1.4.2",
		Python: &task.PythonFunction{Module: "workflows.dask_example", Function: "hello_dask"},
		Inputs: []task.Variable{{Name: "n", Type: task.Integer}},
		Dask: dask.Config{Workers: dask.WorkerGroup{
			NumberOfWorkers: 4,
			Requests:        resources.Spec{CPU: "2", Mem: "8Gi"},
			Limits:          resources.Spec{CPU: "2", Mem: "8Gi"},
		}},
	}
	spec, err := t.Build(task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"})
	if err != nil {
		panic(err)
	}
	tmpl := spec.Template
	fmt.Println(tmpl.Id.Name, tmpl.Type, tmpl.Metadata.Runtime.Flavor)
	fmt.Println(tmpl.GetContainer().Args[len(tmpl.GetContainer().Args)-4:])
	// Output:
	// workflows.dask_example.hello_dask dask go
	// [task-module workflows.dask_example task-name hello_dask]
}

func ExampleTask_Validate() {
	t := task.Task{
		Name:  "jobs.etl",
		Image: "ghcr.io/acme/etl:1",
		// No entrypoint, and two Dask mistakes.
		Dask: dask.Config{Workers: dask.WorkerGroup{
			NumberOfWorkers: -2,
			Limits:          resources.Spec{Mem: "1 Gi"},
		}},
	}
	err := t.Validate(task.Settings{Version: "v1"})
	var verr *field.ValidationError
	if errors.As(err, &verr) {
		for _, e := range verr.Errors {
			fmt.Println(e.Field, e.Type)
		}
	}
	// Output:
	// python required
	// dask.workers.number_of_workers invalid
	// dask.workers.limits.mem invalid
}

func ExampleTask_Warnings() {
	t := task.Task{
		Name:    "jobs.etl",
		Image:   "ghcr.io/acme/etl:1",
		Command: []string{"python", "-m", "etl"},
		Dask: dask.Config{Workers: dask.WorkerGroup{
			Requests: resources.Spec{CPU: "1500m", Mem: "4Gi"},
			Limits:   resources.Spec{CPU: "1500m", Mem: "4Gi"},
		}},
	}
	for _, w := range t.Warnings() {
		fmt.Println(w)
	}
	// Output:
	// dask.workers.limits.cpu: worker cpu limit 1500m is fractional: the backend rounds --nthreads up, so each worker runs 2 threads on a 1.5-CPU limit; use a whole number [workers-fractional-cpu]
}

func ExampleParseType() {
	typ, err := task.ParseType("map[list[file]]")
	if err != nil {
		panic(err)
	}
	fmt.Println(typ, typ == task.MapOf(task.ListOf(task.File)))
	_, err = task.ParseType("int")
	fmt.Println(err)
	// Output:
	// map[list[file]] true
	// unknown type "int": use integer, float, string, boolean, datetime, duration, file, directory, list[T] or map[T]
}

func ExampleListOf() {
	fmt.Println(task.ListOf(task.MapOf(task.Integer)))
	// Output: list[map[integer]]
}

func ExampleValidateSpec() {
	spec, _ := task.Task{
		Name:    "jobs.etl",
		Image:   "ghcr.io/acme/etl:1",
		Command: []string{"python", "-m", "etl"},
	}.Build(task.Settings{Version: "v1"})
	fmt.Println(task.ValidateSpec(spec))

	spec.Template.Metadata.Runtime = nil // as some hand-written tools do
	fmt.Println(task.ValidateSpec(spec))
	// Output:
	// <nil>
	// validation error: template.metadata.runtime: metadata without runtime crashes FlyteAdmin ≤ v1.9 after it stores the task: set {type: FLYTE_SDK, version, flavor}
}

func ExampleValidateSettings() {
	fmt.Println(task.ValidateSettings(task.Settings{})) // empty: filled at registration
	fmt.Println(task.ValidateSettings(task.Settings{Version: "v1?"}))
	// Output:
	// []
	// [version: version "v1?" contains "?": versions must be URL-safe, without any of !*'();:@&=+$,/?#[] (FlyteAdmin serves tasks at /api/v1/tasks/{project}/{domain}/{name}/{version})]
}

func ExampleMapOf() {
	fmt.Println(task.MapOf(task.File), task.MapOf(task.File) == task.MapOf(task.Directory))
	// Output: map[file] false
}

// ParseAccelerator takes flytekit's accelerator names; the result goes in Task.Accelerator. The
// backend honours it only when the task itself has a GPU.
func ExampleParseAccelerator() {
	a100, err := task.ParseAccelerator("A100.partition_1g_5gb")
	if err != nil {
		panic(err)
	}
	t := task.Task{
		Name:         "workflows.gpu.train",
		Image:        "ghcr.io/acme/dask-cuda:2026.1",
		Python:       &task.PythonFunction{Module: "workflows.gpu", Function: "train"},
		Limits:       resources.Spec{GPU: "1", Mem: "16Gi"},
		Accelerator:  &a100,
		SharedMemory: &task.SharedMemory{SizeLimit: "2Gi"},
	}
	spec, err := t.Build(task.Settings{})
	if err != nil {
		panic(err)
	}
	er := spec.Template.ExtendedResources
	fmt.Println(er.GpuAccelerator.Device, er.GpuAccelerator.GetPartitionSize())
	fmt.Println(er.SharedMemory.MountName, er.SharedMemory.MountPath, er.SharedMemory.SizeLimit)
	_, err = task.ParseAccelerator("t4")
	fmt.Println(err)
	// Output:
	// nvidia-tesla-a100 1g.5gb
	// flyte-shared-memory /dev/shm 2Gi
	// unknown accelerator "t4": did you mean T4? (names are case-sensitive, as in flytekit)
}
