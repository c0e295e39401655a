package task_test

import (
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/explain"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/accelerators"
	"github.com/flytedask/flytedask/internal/golden"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

// flytekitCase2 is case 2 of /work/shared/reference/flytekit-today.md as far as
// the SDK has its knobs: @task(task_config=Dask(), accelerator=A100.partition_1g_5gb,
// shared_memory="2Gi", cache=True, cache_version="1", cache_ignore_input_vars=("n",),
// enable_deck=True, labels={"team": "data"}, annotations={"owner": "ml"},
// pod_template_name="dask-base", requests=Resources(gpu="1"), limits=Resources(gpu="1", mem="4Gi"))
// with a docstring whose first line is "Sum n numbers." and body "Uses a Dask cluster."
func flytekitCase2() task.Task {
	tk := minimal()
	tk.Inputs = []task.Variable{{Name: "n", Type: task.Integer}, {Name: "seed", Type: task.Integer}}
	tk.Outputs = []task.Variable{{Name: "o0", Type: task.Float}}
	tk.Requests = resources.Spec{GPU: "1"}
	tk.Limits = resources.Spec{GPU: "1", Mem: "4Gi"}
	a100, err := task.ParseAccelerator("A100.partition_1g_5gb")
	if err != nil {
		panic(err)
	}
	tk.Accelerator = &a100
	tk.SharedMemory = &task.SharedMemory{SizeLimit: "2Gi"}
	tk.Cache = &task.Cache{Version: "1", IgnoredInputs: []string{"n"}}
	tk.EnableDeck = true
	tk.Labels = map[string]string{"team": "data"}
	tk.Annotations = map[string]string{"owner": "ml"}
	tk.PodTemplateName = "dask-base"
	tk.ShortDescription = "Sum n numbers."
	tk.LongDescription = "Uses a Dask cluster."
	return tk
}

// TestFlytekitTodayFields pins, field by field, what flytekit v1.16.24 writes for a Dask task
// (sources: flytekit/models/task.py TaskMetadata.to_flyte_idl, flytekit/core/base_task.py
// TaskMetadata.to_taskmetadata_model and PythonTask.__init__ (docs), flytekit/tools/translator.py
// get_serializable_task (generates_deck from enable_deck, extended_resources),
// flytekit/core/resources.py construct_extended_resources, flytekit/extras/accelerators.py,
// flytekit/core/constants.py SHARED_MEMORY_MOUNT_NAME/PATH, flytekit/models/documentation.py).
func TestFlytekitTodayFields(t *testing.T) {
	// Case 1: nothing set.
	spec := build(t, minimal())
	md := spec.Template.Metadata
	require.NotNil(t, md.GeneratesDeck, "generates_deck is a BoolValue present even when false (models/task.py)")
	assert.False(t, md.GeneratesDeck.Value)
	require.NotNil(t, md.Metadata, "metadata.metadata (K8sObjectMetadata) is always present (base_task.py)")
	assert.Empty(t, md.Metadata.Labels)
	assert.Empty(t, md.Metadata.Annotations)
	assert.False(t, md.IsEager, "only @eager tasks set is_eager")
	assert.Empty(t, md.Tags, "flytekit never writes tags")
	assert.Empty(t, md.CacheIgnoreInputVars)
	assert.Nil(t, spec.Template.ExtendedResources, "construct_extended_resources returns None without accelerator and shared memory")
	assert.True(t, proto.Equal(&admin.DescriptionEntity{LongDescription: &admin.Description{Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}}, spec.Description),
		"a PythonFunctionTask always has docs: long description format RST, no value; got %v", spec.Description)

	// Case 2: every knob.
	spec = build(t, flytekitCase2())
	md = spec.Template.Metadata
	assert.True(t, proto.Equal(wrapperspb.Bool(true), md.GeneratesDeck))
	assert.Equal(t, []string{"n"}, md.CacheIgnoreInputVars)
	assert.True(t, proto.Equal(&core.K8SObjectMetadata{Labels: map[string]string{"team": "data"}, Annotations: map[string]string{"owner": "ml"}}, md.Metadata))
	assert.Equal(t, "dask-base", md.PodTemplateName)
	want := &core.ExtendedResources{
		GpuAccelerator: &core.GPUAccelerator{Device: "nvidia-tesla-a100", PartitionSizeValue: &core.GPUAccelerator_PartitionSize{PartitionSize: "1g.5gb"}},
		SharedMemory:   &core.SharedMemory{MountPath: "/dev/shm", MountName: "flyte-shared-memory", SizeLimit: "2Gi"},
	}
	assert.True(t, proto.Equal(want, spec.Template.ExtendedResources), "got %v", spec.Template.ExtendedResources)
	assert.True(t, proto.Equal(&admin.DescriptionEntity{ShortDescription: "Sum n numbers.", LongDescription: &admin.Description{
		Content: &admin.Description_Value{Value: "Uses a Dask cluster."}, Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}}, spec.Description))
	golden.Assert(t, "flytekit_case2.json", golden.ProtoJSON(t, spec))
}

// flytekit's accelerators.py: GPUAccelerator writes the device only; a MultiInstanceGPUAccelerator
// constant without a partition (A100) writes the device only, .unpartitioned sets unpartitioned, a
// partition sets partition_size. shared_memory=True writes no size_limit.
func TestExtendedResourcesShapes(t *testing.T) {
	for _, c := range []struct {
		name string
		acc  string
		sm   *task.SharedMemory
		want *core.ExtendedResources
	}{
		{"T4", "T4", nil, &core.ExtendedResources{GpuAccelerator: &core.GPUAccelerator{Device: "nvidia-tesla-t4"}}},
		{"A100", "A100", nil, &core.ExtendedResources{GpuAccelerator: &core.GPUAccelerator{Device: "nvidia-tesla-a100"}}},
		{"A100.unpartitioned", "A100.unpartitioned", nil, &core.ExtendedResources{GpuAccelerator: &core.GPUAccelerator{
			Device: "nvidia-tesla-a100", PartitionSizeValue: &core.GPUAccelerator_Unpartitioned{Unpartitioned: true}}}},
		{"V5P slice", "V5P.slice_2x2x1", nil, &core.ExtendedResources{GpuAccelerator: &core.GPUAccelerator{
			Device: "tpu-v5p-slice", PartitionSizeValue: &core.GPUAccelerator_PartitionSize{PartitionSize: "2x2x1"}}}},
		{"shared memory True", "", &task.SharedMemory{}, &core.ExtendedResources{SharedMemory: &core.SharedMemory{
			MountPath: "/dev/shm", MountName: "flyte-shared-memory"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := minimal()
			tk.Limits.GPU = "1"
			if c.acc != "" {
				a, err := task.ParseAccelerator(c.acc)
				require.NoError(t, err)
				tk.Accelerator = &a
			}
			tk.SharedMemory = c.sm
			got := build(t, tk).Template.ExtendedResources
			assert.True(t, proto.Equal(c.want, got), "got %v", got)
		})
	}
}

func TestParseAccelerator(t *testing.T) {
	for _, name := range accelerators.Names() {
		a, err := task.ParseAccelerator(name)
		require.NoError(t, err, name)
		assert.NotEmpty(t, a.Device, name)
	}
	for in, want := range map[string]string{
		"t4":                  `unknown accelerator "t4": did you mean T4? (names are case-sensitive, as in flytekit)`,
		"A100.partition_9g":   `unknown accelerator "A100.partition_9g": use one of flytekit's names (T4, A10G, L4, H100, A100, A100.partition_1g_5gb, ...; see flytekit.extras.accelerators)`,
		"T4.partition_1g_5gb": `unknown accelerator "T4.partition_1g_5gb": T4 has no partitions (flytekit's T4 is a whole GPU)`,
		"A100_80gb":           `did you mean A100_80GB?`,
	} {
		_, err := task.ParseAccelerator(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}

func TestValidateExtended(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*task.Task)
		want   []fieldErr
	}{
		{"flytekit case 2 is valid", func(tk *task.Task) { *tk = flytekitCase2() }, nil},
		{"raw device", func(tk *task.Task) { tk.Accelerator = &task.Accelerator{Device: "nvidia-tesla-v100"} }, nil},
		{"accelerator without device", func(tk *task.Task) { tk.Accelerator = &task.Accelerator{PartitionSize: "1g.5gb"} },
			[]fieldErr{{field.ErrorTypeRequired, "accelerator.device"}}},
		{"device not a label value", func(tk *task.Task) { tk.Accelerator = &task.Accelerator{Device: "NVIDIA Tesla T4"} },
			[]fieldErr{{field.ErrorTypeInvalid, "accelerator.device"}}},
		{"partition and unpartitioned", func(tk *task.Task) {
			tk.Accelerator = &task.Accelerator{Device: "nvidia-tesla-a100", PartitionSize: "1g 5gb", Unpartitioned: true}
		}, []fieldErr{{field.ErrorTypeForbidden, "accelerator.partition_size"}, {field.ErrorTypeInvalid, "accelerator.partition_size"}}},
		{"shared memory sizes", func(tk *task.Task) { tk.SharedMemory = &task.SharedMemory{SizeLimit: "2GB"} },
			[]fieldErr{{field.ErrorTypeInvalid, "shared_memory"}}},
		// "0" is what the backend writes itself when no size is given, and flytekit passes
		// shared_memory="0" through: the same pod as an empty size (bounded by the pod's memory).
		{"shared memory zero", func(tk *task.Task) { tk.SharedMemory = &task.SharedMemory{SizeLimit: "0"} }, nil},
		{"shared memory zero with a unit", func(tk *task.Task) { tk.SharedMemory = &task.SharedMemory{SizeLimit: "0Gi"} }, nil},
		{"shared memory negative", func(tk *task.Task) { tk.SharedMemory = &task.SharedMemory{SizeLimit: "-1Gi"} },
			[]fieldErr{{field.ErrorTypeInvalid, "shared_memory"}}},
		{"shared memory clashes with the pod template", func(tk *task.Task) {
			tk.SharedMemory = &task.SharedMemory{}
			tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{
				Volumes: []corev1.Volume{{Name: "data"}, {Name: "flyte-shared-memory"}},
				Containers: []corev1.Container{
					{Name: "side", VolumeMounts: []corev1.VolumeMount{{Name: "x", MountPath: "/dev/shm"}}},
					{Name: "primary", VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/dev/shm"}}},
				},
			}}
		}, []fieldErr{
			{field.ErrorTypeDuplicate, "pod_template.spec.volumes[1].name"},
			{field.ErrorTypeDuplicate, "pod_template.spec.containers[1].volumeMounts[0].mountPath"},
		}},
		{"ignored inputs", func(tk *task.Task) {
			tk.Inputs = []task.Variable{{Name: "n", Type: task.Integer}}
			tk.Cache = &task.Cache{Version: "1", IgnoredInputs: []string{"n", "m", "n"}}
		}, []fieldErr{{field.ErrorTypeInvalid, "cache.ignored_inputs[1]"}, {field.ErrorTypeDuplicate, "cache.ignored_inputs[2]"}}},
		{"labels and annotations", func(tk *task.Task) {
			tk.Labels = map[string]string{"team": "data", "bad key": "x", "ok": "not ok!"}
			tk.Annotations = map[string]string{"example.com/free": "any text at all", "-bad": ""}
		}, []fieldErr{
			{field.ErrorTypeInvalid, "labels[bad key]"},
			{field.ErrorTypeInvalid, "labels[ok]"},
			{field.ErrorTypeInvalid, "annotations[-bad]"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := minimal()
			tc.mutate(&tk)
			assert.Equal(t, tc.want, errorsOf(t, tk.Validate(settings)))
		})
	}
}

func TestWarningsExtended(t *testing.T) {
	codes := func(tk task.Task) map[string]string {
		out := map[string]string{}
		for _, w := range tk.Warnings() {
			out[w.Code] = w.Field
		}
		return out
	}
	tk := minimal()
	tk.Accelerator = &task.Accelerator{Device: "nvidia-tesla-t4"}
	tk.Dask.Workers.Limits.GPU = "1"
	got := codes(tk)
	assert.Equal(t, "accelerator", got[task.WarnAcceleratorNoGPU])
	assert.NotContains(t, got, task.WarnAcceleratorAllPods)

	tk.Limits.GPU = "1"
	got = codes(tk)
	assert.NotContains(t, got, task.WarnAcceleratorNoGPU)
	assert.Equal(t, "accelerator", got[task.WarnAcceleratorAllPods], "the scheduler inherits the task's GPU")
	tk.Dask.Scheduler.Limits = resources.Spec{CPU: "1", Mem: "2Gi"}
	assert.NotContains(t, codes(tk), task.WarnAcceleratorAllPods, "the scheduler has its own resources")

	pod := minimal()
	pod.Accelerator = &task.Accelerator{Device: "nvidia-tesla-t4"}
	pod.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "primary",
		Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{"nvidia.com/gpu": resourceQty("1")}}}}}}
	assert.NotContains(t, codes(pod), task.WarnAcceleratorNoGPU, "a GPU in the pod template counts")

	sm := minimal()
	sm.SharedMemory = &task.SharedMemory{SizeLimit: "8Gi"}
	sm.Limits.Mem = "4Gi"
	sm.Dask = dask.Config{Workers: dask.WorkerGroup{Limits: resources.Spec{Mem: "16Gi"}}, Scheduler: dask.Scheduler{Limits: resources.Spec{Mem: "2Gi"}}}
	n := 0
	for _, w := range sm.Warnings() {
		if w.Code == task.WarnSharedMemoryAboveLimit {
			n++
			assert.Equal(t, "shared_memory", w.Field)
		}
	}
	assert.Equal(t, 2, n, "above the task's and the scheduler's limits, not the workers'")

	part := minimal()
	part.Limits.GPU = "1"
	part.Accelerator = &task.Accelerator{Device: "nvidia-tesla-a100", PartitionSize: "1g.10gb"}
	assert.Equal(t, "accelerator.partition_size", codes(part)[task.WarnAcceleratorPartition], "1g.10gb is an A100 80GB partition")
	part.Accelerator = &task.Accelerator{Device: "nvidia-tesla-t4", PartitionSize: "1g.5gb"}
	assert.Equal(t, "accelerator.partition_size", codes(part)[task.WarnAcceleratorPartition], "T4 has no partitions")
	part.Accelerator = &task.Accelerator{Device: "nvidia-tesla-a100", PartitionSize: "2g.10gb"}
	assert.NotContains(t, codes(part), task.WarnAcceleratorPartition)
	part.Accelerator = &task.Accelerator{Device: "acme-gpu", PartitionSize: "half"}
	assert.NotContains(t, codes(part), task.WarnAcceleratorPartition, "devices flytekit does not know are not checked")

	lab := minimal()
	lab.Labels = map[string]string{"a": "b"}
	assert.Equal(t, minimal().Warnings(), lab.Warnings(), "task labels are legal and not risky: explain notes that they do not reach the pods")
}

func resourceQty(s string) resource.Quantity { return resource.MustParse(s) }

// TestAcceleratorNoGPUWarningAgreesWithExplain: the "accelerator ignored" warning agrees with what
// the backend does (explain models it, checked against flyteplugins in backendverify). The backend
// tests the presence of the GPU key, not its value: without a pod template a task GPU of 0 is dropped
// (ToK8sResourceList), with one a GPU of 0 in the pod spec (the task's own, or any container's, even
// a sidecar's request) keeps the key, and the accelerator applies to every pod. (Review: a pod-template
// GPU of 0 was taken as no GPU.)
func TestAcceleratorNoGPUWarningAgreesWithExplain(t *testing.T) {
	zero := corev1.ResourceList{"nvidia.com/gpu": resourceQty("0")}
	cases := map[string]struct {
		mutate  func(*task.Task)
		applied bool
	}{
		"task gpu 0": {func(tk *task.Task) { tk.Limits.GPU = "0" }, false},
		"task gpu 1": {func(tk *task.Task) { tk.Limits.GPU = "1" }, true},
		"pod template primary gpu limit 0": {func(tk *task.Task) {
			tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "primary", Resources: corev1.ResourceRequirements{Limits: zero}}}}}
		}, true},
		"pod template sidecar gpu request 0": {func(tk *task.Task) {
			tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "side", Image: "s:1",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"gpu": resourceQty("0")}}}}}}
		}, true},
		"task gpu 0 with a pod template": {func(tk *task.Task) {
			tk.Limits.GPU = "0"
			tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "side", Image: "s:1"}}}}
		}, true},
		"pod template without gpu": {func(tk *task.Task) {
			tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "side", Image: "s:1"}}}}
		}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tk := minimal()
			tk.Accelerator = &task.Accelerator{Device: "nvidia-tesla-t4"}
			tc.mutate(&tk)
			require.NoError(t, tk.Validate(settings))
			job, err := explain.Explain(build(t, tk).Template, explain.DefaultPlatform())
			require.NoError(t, err)
			assert.Equal(t, tc.applied, job.Pods[0].NodeAffinity != nil, "explain: accelerator applied")
			warned := false
			for _, w := range tk.Warnings() {
				warned = warned || w.Code == task.WarnAcceleratorNoGPU
			}
			assert.Equal(t, !tc.applied, warned, "warning %s", task.WarnAcceleratorNoGPU)
		})
	}
}
