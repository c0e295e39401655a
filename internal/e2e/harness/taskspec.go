package harness

import (
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/plugins"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// Values used by DaskTaskSpec.
const (
	// TestImage is the container image of the hand-built task.
	TestImage = "ghcr.io/flytedask/e2e-dask:1.0.0"
	// RuntimeVersion is metadata.runtime.version of the hand-built task.
	RuntimeVersion = "0.0.0-e2e"
)

// TaskID returns a task identifier in Project/Domain.
func TaskID(name, version string) *core.Identifier {
	return &core.Identifier{
		ResourceType: core.ResourceType_TASK,
		Project:      Project,
		Domain:       Domain,
		Name:         name,
		Version:      version,
	}
}

// DaskJob returns the DaskJob custom of the hand-built task: scheduler,
// workers and both resources sub-messages are set, as flytekit emits them
// (the real Dask backend plugin dereferences all four).
func DaskJob(workers uint32) *plugins.DaskJob {
	return &plugins.DaskJob{
		Scheduler: &plugins.DaskScheduler{
			Resources: &core.Resources{
				Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}, {Name: core.Resources_MEMORY, Value: "1Gi"}},
				Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}, {Name: core.Resources_MEMORY, Value: "1Gi"}},
			},
		},
		Workers: &plugins.DaskWorkerGroup{
			NumberOfWorkers: workers,
			Image:           TestImage,
			Resources: &core.Resources{
				Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "2"}, {Name: core.Resources_MEMORY, Value: "4Gi"}},
				Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "2"}, {Name: core.Resources_MEMORY, Value: "4Gi"}},
			},
		},
	}
}

// DaskCustom converts job to the TaskTemplate.custom Struct the way flytekit
// does (MessageToDict: jsonpb field names, set sub-messages kept even when
// empty, defaults omitted).
func DaskCustom(job *plugins.DaskJob) (*structpb.Struct, error) {
	b, err := protojson.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("marshal DaskJob: %w", err)
	}
	s := &structpb.Struct{}
	if err := protojson.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("DaskJob JSON to Struct: %w", err)
	}
	return s, nil
}

// DaskTaskSpec returns a hand-built, valid Dask TaskSpec with template id
// set to a copy of id: type "dask", metadata with runtime {FLYTE_SDK,
// RuntimeVersion, "go"} (metadata without runtime crashes FlyteAdmin
// v1.1.131), an interface with one input and one output, a container with
// image, args and resources, and the DaskJob custom of DaskJob(workers).
func DaskTaskSpec(id *core.Identifier, workers uint32) (*admin.TaskSpec, error) {
	custom, err := DaskCustom(DaskJob(workers))
	if err != nil {
		return nil, err
	}
	intType := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:   Clone(id),
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime: &core.RuntimeMetadata{
				Type:    core.RuntimeMetadata_FLYTE_SDK,
				Version: RuntimeVersion,
				Flavor:  "go",
			},
			Retries:          &core.RetryStrategy{Retries: 1},
			DiscoveryVersion: "",
		},
		Interface: &core.TypedInterface{
			Inputs:  &core.VariableMap{Variables: map[string]*core.Variable{"n": {Type: intType, Description: "n"}}},
			Outputs: &core.VariableMap{Variables: map[string]*core.Variable{"o0": {Type: intType, Description: "o0"}}},
		},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: TestImage,
			Args:  []string{"flytedask-entrypoint", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"},
			Resources: &core.Resources{
				Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "500m"}, {Name: core.Resources_MEMORY, Value: "512Mi"}},
				Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}, {Name: core.Resources_MEMORY, Value: "1Gi"}},
			},
		}},
		Custom: custom,
	}}, nil
}

// CreateRequest returns the TaskCreateRequest flytectl would send for spec:
// the request id is a copy of the template id.
func CreateRequest(spec *admin.TaskSpec) *admin.TaskCreateRequest {
	return &admin.TaskCreateRequest{
		Id:   Clone(spec.GetTemplate().GetId()),
		Spec: spec,
	}
}
