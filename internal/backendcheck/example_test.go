package backendcheck_test

import (
	"context"
	"fmt"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/internal/backendcheck"
)

// Example runs FlyteAdmin's compile step and the real Dask plugin on a minimal Dask TaskTemplate and
// prints the digest of the DaskJob the backend would create.
func Example() {
	custom, err := structpb.NewStruct(map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers": map[string]any{
			"numberOfWorkers": 2,
			"image":           "ghcr.io/example/dask-worker:1",
			"resources": map[string]any{"limits": []any{
				map[string]any{"name": "CPU", "value": "2"},
				map[string]any{"name": "MEMORY", "value": "4Gi"},
			}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tmpl := &core.TaskTemplate{
		Id:     &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "p", Domain: "d", Name: "example.hello", Version: "1"},
		Type:   "dask",
		Custom: custom,
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/example/dask:1",
			Args:  []string{"python", "-m", "job"},
		}},
	}
	if err := backendcheck.Compile(tmpl); err != nil {
		fmt.Println(err)
		return
	}
	job, err := backendcheck.Build(context.Background(), tmpl, backendcheck.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := backendcheck.Summarize(job)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []backendcheck.PodSummary{s.Job, s.Scheduler, s.Workers} {
		fmt.Println(p.ContainerName, p.Replicas, p.Image, p.Args, p.Limits)
	}
	// Output:
	// job-runner 1 ghcr.io/example/dask:1 [python -m job] map[cpu:1 memory:1Gi]
	// scheduler 1 ghcr.io/example/dask:1 [dask-scheduler] map[cpu:1 memory:1Gi]
	// dask-worker 2 ghcr.io/example/dask-worker:1 [dask-worker --name $(DASK_WORKER_NAME) --nthreads 2 --memory-limit 4Gi] map[cpu:2 memory:4Gi]
}
