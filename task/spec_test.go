package task_test

import (
	"errors"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/jqpath"
	"github.com/flytedask/flytedask/task"
)

func clone(s *admin.TaskSpec) *admin.TaskSpec {
	return proto.Clone(s).(*admin.TaskSpec)
}

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestValidateSpec(t *testing.T) {
	base := build(t, full())
	tests := []struct {
		name   string
		mutate func(*core.TaskTemplate)
		want   []fieldErr
	}{
		{"built spec is valid", func(*core.TaskTemplate) {}, nil},
		{"no runtime", func(tt *core.TaskTemplate) { tt.Metadata.Runtime = nil },
			[]fieldErr{{field.ErrorTypeRequired, "template.metadata.runtime"}}},
		{"not dask, no interface", func(tt *core.TaskTemplate) { tt.Type = "python-task"; tt.Interface = nil }, []fieldErr{
			{field.ErrorTypeNotSupported, "template.type"},
			{field.ErrorTypeRequired, "template.interface"},
		}},
		{"bad version and name", func(tt *core.TaskTemplate) { tt.Id.Version = "v#1"; tt.Id.Name = "" }, []fieldErr{
			{field.ErrorTypeRequired, "template.id.name"},
			{field.ErrorTypeInvalid, "template.id.version"},
		}},
		{"container quantity", func(tt *core.TaskTemplate) {
			tt.GetContainer().Resources.Limits[0].Value = "10gi"
		}, []fieldErr{{field.ErrorTypeInvalid, "template.container.resources.limits[0].value"}}},
		{"container request above limit", func(tt *core.TaskTemplate) {
			tt.GetContainer().Resources = &core.Resources{
				Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_MEMORY, Value: "1Gi"}, {Name: core.Resources_CPU, Value: "3"}},
				Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "2"}},
			}
		}, []fieldErr{{field.ErrorTypeInvalid, "template.container.resources.requests[1].value"}}},
		{"no target", func(tt *core.TaskTemplate) { tt.Target = nil },
			[]fieldErr{{field.ErrorTypeRequired, "template.container"}}},
		{"k8s pod without primary container name", func(tt *core.TaskTemplate) {
			tt.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, map[string]any{})}}
		}, []fieldErr{{field.ErrorTypeRequired, "template.config.primary_container_name"}}},
		{"custom missing", func(tt *core.TaskTemplate) { tt.Custom = nil },
			[]fieldErr{{field.ErrorTypeRequired, "template.custom"}}},
		{"custom missing scheduler and resources", func(tt *core.TaskTemplate) {
			tt.Custom = mustStruct(t, map[string]any{"workers": map[string]any{"numberOfWorkers": 2}})
		}, []fieldErr{
			{field.ErrorTypeRequired, "template.custom.scheduler"},
			{field.ErrorTypeRequired, "template.custom.workers.resources"},
		}},
		{"custom not a DaskJob", func(tt *core.TaskTemplate) {
			tt.Custom = mustStruct(t, map[string]any{"workers": map[string]any{"numberOfWorkers": 2.5}})
		}, []fieldErr{{field.ErrorTypeInvalid, "template.custom"}}},
		{"custom quantity the backend rejects", func(tt *core.TaskTemplate) {
			tt.Custom = mustStruct(t, map[string]any{
				"scheduler": map[string]any{"resources": map[string]any{}},
				"workers": map[string]any{"number_of_workers": "3", "unknown": true, "resources": map[string]any{
					"limits": []any{map[string]any{"name": "MEMORY", "value": "2gi"}, map[string]any{"name": 3, "value": "1Gi"}}}},
			})
		}, []fieldErr{
			{field.ErrorTypeDuplicate, "template.custom.workers.resources.limits[1].name"},
		}},
		{"custom quantities, snake_case count, enum numbers", func(tt *core.TaskTemplate) {
			tt.Custom = mustStruct(t, map[string]any{
				"scheduler": map[string]any{"resources": map[string]any{
					"requests": []any{map[string]any{"name": "CPU", "value": "3"}},
					"limits":   []any{map[string]any{"name": 2, "value": "1Gi"}, map[string]any{"name": 1, "value": "2"}}}},
				"workers": map[string]any{"number_of_workers": 3, "image": "ghcr.io/acme/img:{{.x}}", "resources": map[string]any{
					"limits": []any{map[string]any{"name": "GPU", "value": "0.5"}}}},
			})
		}, []fieldErr{
			{field.ErrorTypeInvalid, "template.custom.scheduler.resources.requests[0].value"},
			{field.ErrorTypeInvalid, "template.custom.workers.image"},
			{field.ErrorTypeInvalid, "template.custom.workers.resources.limits[0].value"},
		}},
		{"custom with no workers, snake_case", func(tt *core.TaskTemplate) {
			tt.Custom = mustStruct(t, map[string]any{"scheduler": map[string]any{"resources": map[string]any{}}, "workers": map[string]any{"number_of_workers": 0, "resources": map[string]any{}}})
		}, []fieldErr{{field.ErrorTypeInvalid, "template.custom.workers.number_of_workers"}}},
		{"custom without a worker count", func(tt *core.TaskTemplate) {
			tt.Custom = mustStruct(t, map[string]any{"scheduler": map[string]any{"resources": map[string]any{}}, "workers": map[string]any{"resources": map[string]any{}}})
		}, []fieldErr{{field.ErrorTypeInvalid, "template.custom.workers.numberOfWorkers"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := clone(base)
			tt.mutate(s.Template)
			err := task.ValidateSpec(s)
			assert.Equal(t, tt.want, errorsOf(t, err))
			assertPathsResolve(t, s, err)
		})
	}
	// Quantities inside custom are checked once the shape is right.
	s := clone(base)
	s.Template.Custom = mustStruct(t, map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers":   map[string]any{"numberOfWorkers": 1, "resources": map[string]any{"limits": []any{map[string]any{"name": "MEMORY", "value": "2gi"}}}},
	})
	assert.Equal(t, []fieldErr{{field.ErrorTypeInvalid, "template.custom.workers.resources.limits[0].value"}}, errorsOf(t, task.ValidateSpec(s)))
	assert.Equal(t, []fieldErr{{field.ErrorTypeRequired, "template"}}, errorsOf(t, task.ValidateSpec(&admin.TaskSpec{})))
}

// ValidateSpec accepts the fields today's flytekit writes and checks what the backend (flyteplugins
// v1.16.8 ApplyGPUNodeSelectors/ApplySharedMemory) and Kubernetes need of them.
func TestValidateSpecExtended(t *testing.T) {
	base := build(t, flytekitCase2())
	tests := []struct {
		name   string
		mutate func(*core.TaskTemplate)
		want   []fieldErr
	}{
		{"flytekit case 2 is valid", func(*core.TaskTemplate) {}, nil},
		{"legacy spec without the new fields is valid", func(tt *core.TaskTemplate) {
			tt.ExtendedResources = nil
			tt.Metadata.GeneratesDeck = nil
			tt.Metadata.Metadata = nil
			tt.Metadata.CacheIgnoreInputVars = nil
		}, nil},
		{"accelerator device and partition", func(tt *core.TaskTemplate) {
			tt.ExtendedResources.GpuAccelerator = &core.GPUAccelerator{PartitionSizeValue: &core.GPUAccelerator_PartitionSize{PartitionSize: "1g/5gb"}}
		}, []fieldErr{
			{field.ErrorTypeRequired, "template.extendedResources.gpuAccelerator.device"},
			{field.ErrorTypeInvalid, "template.extendedResources.gpuAccelerator.partitionSize"},
		}},
		{"shared memory without names, bad size", func(tt *core.TaskTemplate) {
			tt.ExtendedResources.SharedMemory = &core.SharedMemory{SizeLimit: "2 Gi"}
		}, []fieldErr{
			{field.ErrorTypeRequired, "template.extendedResources.sharedMemory.mountName"},
			{field.ErrorTypeRequired, "template.extendedResources.sharedMemory.mountPath"},
			{field.ErrorTypeInvalid, "template.extendedResources.sharedMemory.sizeLimit"},
		}},
		{"shared memory size 0, as the backend writes without a size", func(tt *core.TaskTemplate) {
			tt.ExtendedResources.SharedMemory = &core.SharedMemory{MountName: "flyte-shared-memory", MountPath: "/dev/shm", SizeLimit: "0"}
		}, nil},
		{"shared memory size negative", func(tt *core.TaskTemplate) {
			tt.ExtendedResources.SharedMemory = &core.SharedMemory{MountName: "flyte-shared-memory", MountPath: "/dev/shm", SizeLimit: "-1Gi"}
		}, []fieldErr{{field.ErrorTypeInvalid, "template.extendedResources.sharedMemory.sizeLimit"}}},
		// What flytekit writes for @task(labels={"team": "Data Science"}, cache=Cache(version="1",
		// ignored_inputs=("nope",))) on a task without a "nope" input: flytectl registers it and the
		// backend ignores both (the Dask plugin never reads the labels), so a pyflyte bundle passes.
		// Task.Validate still checks them where the user authors the task.
		{"labels and ignored inputs flytekit, flytectl and the backend accept", func(tt *core.TaskTemplate) {
			tt.Metadata.Metadata.Labels["team"] = "Data Science"
			tt.Metadata.Metadata.Labels["bad key"] = "v"
			tt.Metadata.Metadata.Annotations = map[string]string{"not an annotation key!": "v"}
			tt.Metadata.Discoverable = true
			tt.Metadata.CacheIgnoreInputVars = []string{"n", "nope"}
		}, nil},
		{"ignored inputs without caching", func(tt *core.TaskTemplate) {
			tt.Metadata.Discoverable = false
			tt.Metadata.CacheIgnoreInputVars = []string{"n"}
		}, []fieldErr{{field.ErrorTypeForbidden, "template.metadata.cacheIgnoreInputVars"}}},
		// ApplySharedMemory fails on a k8s_pod spec that already has the volume, or a primary-container
		// mount of that name or at the path; a sidecar's mount is fine.
		{"k8s pod shared memory clash", func(tt *core.TaskTemplate) {
			tt.ExtendedResources.SharedMemory = &core.SharedMemory{MountName: "flyte-shared-memory", MountPath: "/dev/shm"}
			tt.Config = map[string]string{"primary_container_name": "main"}
			tt.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, map[string]any{
				"volumes": []any{map[string]any{"name": "shm"}, map[string]any{"name": "flyte-shared-memory"}},
				"containers": []any{
					map[string]any{"name": "side", "image": "s:1", "volumeMounts": []any{map[string]any{"name": "shm", "mountPath": "/dev/shm"}}},
					map[string]any{"name": "main", "image": "m:1", "volumeMounts": []any{
						map[string]any{"name": "data", "mountPath": "/data"},
						map[string]any{"name": "shm", "mountPath": "/dev/shm"},
						map[string]any{"name": "flyte-shared-memory", "mountPath": "/x"},
					}},
				},
			})}}
		}, []fieldErr{
			{field.ErrorTypeDuplicate, "template.k8sPod.podSpec.volumes[1].name"},
			{field.ErrorTypeDuplicate, "template.k8sPod.podSpec.containers[1].volumeMounts[1].mountPath"},
			{field.ErrorTypeDuplicate, "template.k8sPod.podSpec.containers[1].volumeMounts[2].name"},
		}},
		{"k8s pod shared memory, only a sidecar mounts /dev/shm", func(tt *core.TaskTemplate) {
			tt.ExtendedResources.SharedMemory = &core.SharedMemory{MountName: "flyte-shared-memory", MountPath: "/dev/shm"}
			tt.Config = map[string]string{"primary_container_name": "main"}
			tt.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, map[string]any{
				"volumes": []any{map[string]any{"name": "shm"}},
				"containers": []any{
					map[string]any{"name": "main", "image": "m:1"},
					map[string]any{"name": "side", "image": "s:1", "volumeMounts": []any{map[string]any{"name": "shm", "mountPath": "/dev/shm"}}},
				},
			})}}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := clone(base)
			tt.mutate(s.Template)
			err := task.ValidateSpec(s)
			assert.Equal(t, tt.want, errorsOf(t, err))
			assertPathsResolve(t, s, err)
		})
	}
}

// assertPathsResolve checks that every error of err that names a present value (all but Required)
// has a path that resolves in the protojson form of spec, i.e. in what `flytedask inspect` shows.
func assertPathsResolve(t *testing.T, spec *admin.TaskSpec, err error) {
	t.Helper()
	var verr *field.ValidationError
	if !errors.As(err, &verr) {
		return
	}
	for _, e := range verr.Errors {
		if e.Type == field.ErrorTypeRequired || e.Type == field.ErrorTypeForbidden || e.BadValue == 0 {
			continue // absent (or an implicit zero, which protojson omits)
		}
		_, lerr := jqpath.LookupProto(spec, e.Field)
		assert.NoError(t, lerr, "%s: %v", e.Field, e)
	}
}
