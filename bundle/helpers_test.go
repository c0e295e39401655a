package bundle_test

import (
	"fmt"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
)

// daskSpec builds a realistic Dask TaskSpec by hand (about 1.3 KB encoded): what the task package
// will produce, without depending on it.
func daskSpec(name string, workers int) *admin.TaskSpec {
	res := func(cpu, mem string) map[string]any {
		return map[string]any{
			"requests": []any{
				map[string]any{"name": "CPU", "value": cpu},
				map[string]any{"name": "MEMORY", "value": mem},
			},
			"limits": []any{
				map[string]any{"name": "CPU", "value": cpu},
				map[string]any{"name": "MEMORY", "value": mem},
			},
		}
	}
	custom, err := structpb.NewStruct(map[string]any{
		"scheduler": map[string]any{
			"image":     "ghcr.io/example/dask-scheduler:2024.1.0",
			"resources": res("1", "2Gi"),
		},
		"workers": map[string]any{
			"numberOfWorkers": float64(workers),
			"image":           "ghcr.io/example/dask-worker:2024.1.0",
			"resources":       res("2", "8Gi"),
		},
	})
	if err != nil {
		panic(err)
	}
	intType := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	strType := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_STRING}}
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id: &core.Identifier{
			ResourceType: core.ResourceType_TASK,
			Project:      "flytesnacks",
			Domain:       "development",
			Name:         name,
			Version:      "v1.2.3-abcdef0",
		},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime:            &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "0.1.0", Flavor: "go"},
			Timeout:            durationpb.New(2 * time.Hour),
			Retries:            &core.RetryStrategy{Retries: 2},
			Tags:               map[string]string{"team": "data", "cost-center": "1234", "tier": "batch"},
			InterruptibleValue: &core.TaskMetadata_Interruptible{Interruptible: true},
		},
		Interface: &core.TypedInterface{
			Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"n":    {Type: intType, Description: "number of partitions"},
				"path": {Type: strType, Description: "input dataset"},
			}},
			Outputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"o0": {Type: intType, Description: "rows processed"},
			}},
		},
		Custom: custom,
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/example/dask-job:2024.1.0",
			Args: []string{
				"dask-job-runner", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
				"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
				"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--task", name,
			},
			Env: []*core.KeyValuePair{
				{Key: "DASK_DISTRIBUTED__WORKER__DAEMON", Value: "False"},
				{Key: "PYTHONUNBUFFERED", Value: "1"},
			},
			Resources: &core.Resources{
				Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}, {Name: core.Resources_MEMORY, Value: "1Gi"}},
				Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}, {Name: core.Resources_MEMORY, Value: "1Gi"}},
			},
		}},
		Config: map[string]string{"dask.version": "2024.1.0", "owner": "data-platform"},
	}}
}

// daskSpecs returns n specs with distinct names.
func daskSpecs(n int) []*admin.TaskSpec {
	out := make([]*admin.TaskSpec, n)
	for i := range out {
		out[i] = daskSpec(fmt.Sprintf("mypkg.pipelines.etl.dask_step_%05d", i), 1+i%8)
	}
	return out
}
