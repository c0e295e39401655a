package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/task"
)

// The knobs flytekit v1.16.24 gives (accelerator=, shared_memory=, Cache(ignored_inputs=) /
// cache_ignore_input_vars=, @task(labels=, annotations=), enable_deck=, the docstring) decode into
// task.Task, merge under defaults like the other keys, and build.
func TestDecodeExtended(t *testing.T) {
	s, err := decode(t, `
defaults:
  image: ghcr.io/acme/dask-app:1.4.2
  python: {module: wf, function: f}
  limits: {gpu: 1, mem: 8Gi}
  accelerator: T4
  shared_memory: true
  labels: {team: data}
  enable_deck: true
  dask: {}
tasks:
  - name: wf.a
    accelerator: A100.partition_1g_5gb
    shared_memory: 2Gi
    labels: {tier: gold}
    annotations: {example.com/owner: "ML team"}
    inputs: {n: integer, seed: integer}
    cache: {version: "1", ignore_input_vars: [seed]}
    short_description: Sum n numbers.
    long_description: |
      Uses a Dask cluster.
  - name: wf.b
    accelerator: {device: nvidia-tesla-v100}
    shared_memory: false
    enable_deck: false
  - name: wf.c
    accelerator: nvidia-h100-mig
  - name: wf.d
    accelerator: {device: nvidia-tesla-a100, unpartitioned: true}
    shared_memory: 1073741824
`)
	require.NoError(t, err)
	require.Len(t, s.Tasks, 4)
	a, b, c, d := s.Tasks[0], s.Tasks[1], s.Tasks[2], s.Tasks[3]
	assert.Equal(t, &task.Accelerator{Device: "nvidia-tesla-a100", PartitionSize: "1g.5gb"}, a.Accelerator)
	assert.Equal(t, &task.SharedMemory{SizeLimit: "2Gi"}, a.SharedMemory)
	assert.Equal(t, map[string]string{"team": "data", "tier": "gold"}, a.Labels)
	assert.Equal(t, map[string]string{"example.com/owner": "ML team"}, a.Annotations)
	assert.True(t, a.EnableDeck)
	assert.Equal(t, []string{"seed"}, a.Cache.IgnoredInputs)
	assert.Equal(t, "Sum n numbers.", a.ShortDescription)
	assert.Equal(t, "Uses a Dask cluster.\n", a.LongDescription)

	assert.Equal(t, &task.Accelerator{Device: "nvidia-tesla-v100"}, b.Accelerator)
	assert.Nil(t, b.SharedMemory, "shared_memory: false switches the default off")
	assert.False(t, b.EnableDeck)
	assert.Equal(t, map[string]string{"team": "data"}, b.Labels)

	assert.Equal(t, &task.Accelerator{Device: "nvidia-h100-mig"}, c.Accelerator, "a lower-case string is a device")
	assert.Equal(t, &task.SharedMemory{}, c.SharedMemory, "shared_memory: true from the defaults")

	assert.Equal(t, &task.Accelerator{Device: "nvidia-tesla-a100", Unpartitioned: true}, d.Accelerator)
	assert.Equal(t, &task.SharedMemory{SizeLimit: "1073741824"}, d.SharedMemory, "a number is a quantity as Python's str() writes it")

	specs, err := s.Build()
	require.NoError(t, err)
	md := specs[0].Template.Metadata
	assert.Equal(t, []string{"seed"}, md.CacheIgnoreInputVars)
	assert.True(t, md.GeneratesDeck.GetValue())
	assert.Equal(t, "2Gi", specs[0].Template.ExtendedResources.SharedMemory.SizeLimit)
	assert.Equal(t, "Sum n numbers.", specs[0].Description.ShortDescription)

	var codes []string
	for _, w := range s.Warnings() {
		codes = append(codes, w.Path+" "+w.Code)
	}
	assert.Contains(t, codes, "tasks[0].accelerator "+task.WarnAcceleratorAllPods)
}

// TestDecodeAcceleratorNameInLowerCase: a lower-case flytekit name (t4, a100, a100-80gb) is the
// misspelt name, not a raw device: no node carries the label "t4", so the pods would stay Pending.
// (Review: it was silently taken as the device "t4".) A genuine device string stays a device.
func TestDecodeAcceleratorNameInLowerCase(t *testing.T) {
	for acc, want := range map[string]string{"t4": "T4", "a100": "A100", "h100": "H100", "a100-80gb": "A100_80GB", "l4-vws": "L4_VWS"} {
		_, err := decode(t, "tasks:\n  - name: wf.t\n    image: ghcr.io/a/b:1\n    python: {module: wf, function: t}\n    limits: {gpu: 1}\n    accelerator: "+acc+"\n    dask: {}\n")
		var se *Error
		require.ErrorAs(t, err, &se, acc)
		require.Len(t, se.Problems, 1, acc)
		assert.Equal(t, "tasks[0].accelerator", se.Problems[0].Path, acc)
		assert.Contains(t, se.Problems[0].Message, "did you mean "+want+"?", acc)
	}
	s, err := decode(t, "tasks:\n  - name: wf.t\n    image: ghcr.io/a/b:1\n    python: {module: wf, function: t}\n    limits: {gpu: 1}\n    accelerator: nvidia-tesla-t4\n    dask: {}\n")
	require.NoError(t, err)
	assert.Equal(t, &task.Accelerator{Device: "nvidia-tesla-t4"}, s.Tasks[0].Accelerator)
}
