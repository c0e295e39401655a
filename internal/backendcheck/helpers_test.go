package backendcheck_test

import (
	"testing"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// taskImage is the task (container) image used by the hand-built templates.
const taskImage = "ghcr.io/flytedask/example:v1"

// pyflyteArgs is what flytekit emits as container args for a task (dask-spec.md §3.3), for module
// "workflows.dask_wf" and function "hello_dask".
var pyflyteArgs = []string{
	"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
	"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
	"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--resolver",
	"flytekit.core.python_auto_container.default_task_resolver", "--", "task-module", "workflows.dask_wf",
	"task-name", "hello_dask",
}

// customStruct parses a DaskJob custom given as JSON, the way flytekit's TaskTemplate.to_flyte_idl does
// (json_format.Parse into a Struct).
func customStruct(t testing.TB, js string) *structpb.Struct {
	t.Helper()
	s := &structpb.Struct{}
	require.NoError(t, protojson.Unmarshal([]byte(js), s))
	return s
}

// flytekitTemplate builds a TaskTemplate shaped like flytekit's serialisation of a Dask task
// (dask-spec.md §3.1–3.3) with the given custom JSON.
func flytekitTemplate(t testing.TB, customJSON string) *core.TaskTemplate {
	t.Helper()
	intType := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	return &core.TaskTemplate{
		Id: &core.Identifier{
			ResourceType: core.ResourceType_TASK,
			Project:      "flytesnacks",
			Domain:       "development",
			Name:         "workflows.dask_wf.hello_dask",
			Version:      "v1",
		},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "1.16.24", Flavor: "python"},
			Retries: &core.RetryStrategy{},
		},
		Interface: &core.TypedInterface{
			Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"size": {Type: intType, Description: "size"},
			}},
			Outputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"o0": {Type: intType, Description: "o0"},
			}},
		},
		Custom: customStruct(t, customJSON),
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image:     taskImage,
			Command:   []string{},
			Args:      pyflyteArgs,
			Resources: &core.Resources{},
		}},
	}
}
