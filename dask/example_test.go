package dask_test

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

// The zero Config is flytekit's Dask(): one worker, everything inherited.
func ExampleConfig_Custom() {
	custom, err := dask.Config{}.Custom()
	if err != nil {
		panic(err)
	}
	// protojson's spacing is unstable by design; encoding/json gives stable text.
	raw, _ := protojson.Marshal(custom)
	var v any
	_ = json.Unmarshal(raw, &v)
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	// Output: {"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{}}}
}

func ExampleConfig_Validate() {
	cfg := dask.Config{Workers: dask.WorkerGroup{
		NumberOfWorkers: -1,
		Limits:          resources.Spec{Mem: "8gi"},
	}}
	for _, e := range cfg.Validate(field.NewPath("dask")) {
		fmt.Println(e)
	}
	// Output:
	// dask.workers.number_of_workers: Each worker group needs to have at least one worker, but -1 have been specified.
	// dask.workers.limits.mem: invalid quantity "8gi": must be a Kubernetes quantity matching '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', e.g. "4Gi" or "512Mi" (binary suffixes are Ki, Mi, Gi, Ti: case matters)
}

func ExampleConfig_Warnings() {
	cfg := dask.Config{Workers: dask.WorkerGroup{Limits: resources.Spec{CPU: "1500m", Mem: "4Gi"}}}
	for _, w := range cfg.Warnings(field.NewPath("dask")) {
		fmt.Println(w.Field, w.Code)
	}
	// Output: dask.workers.limits.cpu workers-fractional-cpu
}

func ExampleConfig_Proto() {
	job, err := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: 4, Image: "ghcr.io/acme/dask:1"}}.Proto()
	if err != nil {
		panic(err)
	}
	fmt.Println(job.Workers.NumberOfWorkers, job.Workers.Image, job.Scheduler.Image == "")
	// Output: 4 ghcr.io/acme/dask:1 true
}

func ExampleWorkerGroup_Replicas() {
	fmt.Println(dask.WorkerGroup{}.Replicas(), dask.WorkerGroup{NumberOfWorkers: 3}.Replicas())
	// Output: 1 3
}

func ExampleFromCustom() {
	custom, _ := structpb.NewStruct(map[string]any{
		"workers": map[string]any{"numberOfWorkers": 2, "resources": map[string]any{}},
	})
	cfg, errs := dask.FromCustom(field.NewPath("custom"), custom)
	fmt.Println(cfg.Workers.NumberOfWorkers)
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// 2
	// custom.scheduler: custom has no scheduler message: write "scheduler": {"resources": {}} as flytekit does
}
