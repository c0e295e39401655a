package task_test

import (
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/flytedask/flytedask"
	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

var marshal = proto.MarshalOptions{Deterministic: true}

// pyflyteArgs are flytekit's container args for hello_dask.
func pyflyteArgs() []string {
	return []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
		"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
		"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
		"--", "task-module", "workflows.dask_example", "task-name", "hello_dask"}
}

// handBuilt is the floor: the same TaskSpec as full() written directly with
// flyteidl types, without validation or any SDK code.
func handBuilt() *admin.TaskSpec {
	entry := func(n core.Resources_ResourceName, v string) *core.Resources_ResourceEntry {
		return &core.Resources_ResourceEntry{Name: n, Value: v}
	}
	res := func(cpu, mem string) *structpb.Value {
		list := func() *structpb.Value {
			return structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
				structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"name": structpb.NewStringValue("CPU"), "value": structpb.NewStringValue(cpu)}}),
				structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"name": structpb.NewStringValue("MEMORY"), "value": structpb.NewStringValue(mem)}}),
			}})
		}
		return structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"requests": list(), "limits": list()}})
	}
	simple := func(s core.SimpleType) *core.LiteralType {
		return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: s}}
	}
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "flytesnacks", Domain: "development", Name: "workflows.dask_example.hello_dask", Version: "v1"},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Discoverable: true, DiscoveryVersion: "1.0", CacheSerializable: true,
			Runtime:                &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: flytedask.Version, Flavor: "go"},
			Timeout:                durationpb.New(90 * time.Minute),
			Retries:                &core.RetryStrategy{Retries: 2},
			DeprecatedErrorMessage: "use hello_dask_v2",
			InterruptibleValue:     &core.TaskMetadata_Interruptible{Interruptible: true},
			PodTemplateName:        "dask-base",
			GeneratesDeck:          wrapperspb.Bool(false),
			Metadata:               &core.K8SObjectMetadata{},
		},
		Interface: &core.TypedInterface{
			Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"n":    {Type: simple(core.SimpleType_INTEGER), Description: "n"},
				"path": {Type: &core.LiteralType{Type: &core.LiteralType_Blob{Blob: &core.BlobType{}}}, Description: "input data"},
				"when": {Type: simple(core.SimpleType_DATETIME), Description: "when"},
				"tags": {Type: &core.LiteralType{Type: &core.LiteralType_MapValueType{MapValueType: &core.LiteralType{Type: &core.LiteralType_CollectionType{CollectionType: simple(core.SimpleType_STRING)}}}}, Description: "tags"},
			}},
			Outputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"o0": {Type: simple(core.SimpleType_FLOAT), Description: "o0"},
				"o1": {Type: &core.LiteralType{Type: &core.LiteralType_Blob{Blob: &core.BlobType{Dimensionality: core.BlobType_MULTIPART}}}, Description: "o1"},
			}},
		},
		Custom: &structpb.Struct{Fields: map[string]*structpb.Value{
			"scheduler": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"resources": res("1", "2Gi")}}),
			"workers": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
				"numberOfWorkers": structpb.NewNumberValue(4), "resources": res("2", "8Gi")}}),
		}},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/acme/dask-app:1.4.2",
			Args:  pyflyteArgs(),
			Resources: &core.Resources{
				Requests: []*core.Resources_ResourceEntry{entry(core.Resources_CPU, "1"), entry(core.Resources_GPU, "1"), entry(core.Resources_MEMORY, "2Gi")},
				Limits:   []*core.Resources_ResourceEntry{entry(core.Resources_EPHEMERAL_STORAGE, "10Gi"), entry(core.Resources_CPU, "2"), entry(core.Resources_GPU, "1"), entry(core.Resources_MEMORY, "4Gi")},
			},
			Env: []*core.KeyValuePair{{Key: "A_FIRST", Value: "1"}, {Key: "LOG_LEVEL", Value: "debug"}},
		}},
		SecurityContext: &core.SecurityContext{Secrets: []*core.Secret{{Group: "aws", Key: "token", MountRequirement: core.Secret_ENV_VAR}, {Group: "db"}}},
		Config:          map[string]string{},
	}, Description: &admin.DescriptionEntity{LongDescription: &admin.Description{Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}}}
}

// TestHandBuiltFloorMatches keeps the benchmark honest: the floor builds the
// very same message as the SDK.
func TestHandBuiltFloorMatches(t *testing.T) {
	got := build(t, full())
	if !proto.Equal(handBuilt(), got) {
		t.Fatal("handBuilt() differs from full().Build(); update the floor")
	}
}

// BenchmarkBuild measures Validate+Build+Marshal of a realistic task against
// a floor measured in the same run: the same TaskSpec built by hand from
// flyteidl types and marshalled the same way. It reports x-floor (SDK time /
// floor time) and tasks/s of the SDK path. Run with -cpu 1 for the one-core
// figure.
func BenchmarkBuild(b *testing.B) {
	tk := full()
	var sdk, floor time.Duration
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		spec, err := tk.Build(settings)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := marshal.Marshal(spec); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := marshal.Marshal(handBuilt()); err != nil {
			b.Fatal(err)
		}
		sdk += mid.Sub(start)
		floor += time.Since(mid)
	}
	b.ReportMetric(float64(sdk)/float64(floor), "x-floor")
	b.ReportMetric(float64(b.N)/sdk.Seconds(), "tasks/s")
}

// quick is a typical task: the quickstart's shape (a Python entrypoint,
// four workers with equal requests and limits).
func quick() task.Task {
	tk := minimal()
	tk.Dask = dask.Config{Workers: dask.WorkerGroup{
		NumberOfWorkers: 4,
		Requests:        resources.Spec{CPU: "2", Mem: "8Gi"},
		Limits:          resources.Spec{CPU: "2", Mem: "8Gi"},
	}}
	return tk
}

// handBuiltQuick is quick() built by hand from flyteidl types.
func handBuiltQuick() *admin.TaskSpec {
	entry := func(name, v string) *structpb.Value {
		return structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"name": structpb.NewStringValue(name), "value": structpb.NewStringValue(v)}})
	}
	list := func() *structpb.Value {
		return structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{entry("CPU", "2"), entry("MEMORY", "8Gi")}})
	}
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "flytesnacks", Domain: "development", Name: "workflows.dask_example.hello_dask", Version: "v1"},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime:       &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: flytedask.Version, Flavor: "go"},
			Retries:       &core.RetryStrategy{},
			GeneratesDeck: wrapperspb.Bool(false),
			Metadata:      &core.K8SObjectMetadata{},
		},
		Interface: &core.TypedInterface{Inputs: &core.VariableMap{Variables: map[string]*core.Variable{}}, Outputs: &core.VariableMap{Variables: map[string]*core.Variable{}}},
		Custom: &structpb.Struct{Fields: map[string]*structpb.Value{
			"scheduler": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"resources": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{}})}}),
			"workers": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
				"numberOfWorkers": structpb.NewNumberValue(4),
				"resources":       structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"requests": list(), "limits": list()}}),
			}}),
		}},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image:     "ghcr.io/acme/dask-app:1.4.2",
			Args:      pyflyteArgs(),
			Resources: &core.Resources{},
		}},
		Config: map[string]string{},
	}, Description: &admin.DescriptionEntity{LongDescription: &admin.Description{Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}}}
}

func TestHandBuiltQuickFloorMatches(t *testing.T) {
	if !proto.Equal(handBuiltQuick(), build(t, quick())) {
		t.Fatal("handBuiltQuick() differs from quick().Build(); update the floor")
	}
}

// BenchmarkValidateBuild is Validate+Build alone (no marshalling), against
// the floor of constructing the same TaskSpec by hand (no validation), both
// measured in the same loop, for a typical task (quickstart) and a task using
// every feature (full). It reports x-floor and tasks/s of the SDK path: the
// figure behind "tasks per second on one core" (run with -cpu 1).
func BenchmarkValidateBuild(b *testing.B) {
	for _, bc := range []struct {
		name  string
		task  task.Task
		floor func() *admin.TaskSpec
	}{{"quickstart", quick(), handBuiltQuick}, {"full", full(), handBuilt}} {
		b.Run(bc.name, func(b *testing.B) {
			var sdk, floor time.Duration
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := bc.task.Build(settings); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if bc.floor() == nil {
					b.Fatal("nil")
				}
				sdk += mid.Sub(start)
				floor += time.Since(mid)
			}
			b.ReportMetric(float64(sdk)/float64(floor), "x-floor")
			b.ReportMetric(float64(b.N)/sdk.Seconds(), "tasks/s")
		})
	}
}
