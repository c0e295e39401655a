package resources_test

import (
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/resources"
)

// Checklist 7 and 13 (/work/shared/reference/dask-spec.md §5): every name
// maps to its flyteidl enum, the custom order is CPU, MEMORY, GPU,
// EPHEMERAL_STORAGE whatever order the fields were set in, and no
// conversion ever produces STORAGE or UNKNOWN.
func TestChecklistNames(t *testing.T) {
	assert.Equal(t, [4]resources.Name{resources.CPU, resources.Mem, resources.GPU, resources.EphemeralStorage}, resources.Names())
	for name, want := range map[resources.Name]core.Resources_ResourceName{
		resources.CPU:              core.Resources_CPU,
		resources.Mem:              core.Resources_MEMORY,
		resources.GPU:              core.Resources_GPU,
		resources.EphemeralStorage: core.Resources_EPHEMERAL_STORAGE,
		"storage":                  core.Resources_UNKNOWN,
		"memory":                   core.Resources_UNKNOWN,
	} {
		assert.Equal(t, want, name.ProtoName(), "%q", name)
	}

	var s resources.Spec
	require.True(t, s.Set(resources.EphemeralStorage, "10Gi"))
	require.True(t, s.Set(resources.GPU, "1"))
	require.True(t, s.Set(resources.Mem, "2Gi"))
	require.True(t, s.Set(resources.CPU, "1"))
	assert.False(t, s.Set("storage", "1Gi"), "STORAGE cannot be set")
	assert.Equal(t, resources.Spec{CPU: "1", Mem: "2Gi", GPU: "1", EphemeralStorage: "10Gi"}, s)
	assert.Equal(t, "", s.Get("storage"))

	for _, r := range []*core.Resources{resources.ToProto(s, s), resources.ContainerProto(s, s)} {
		for _, list := range [][]*core.Resources_ResourceEntry{r.Requests, r.Limits} {
			require.Len(t, list, 4)
			for _, e := range list {
				assert.NotContains(t, []core.Resources_ResourceName{core.Resources_STORAGE, core.Resources_UNKNOWN}, e.Name)
			}
		}
	}
	assert.Equal(t, []string{"CPU=1", "MEMORY=2Gi", "GPU=1", "EPHEMERAL_STORAGE=10Gi"}, names(resources.ToProto(resources.Spec{}, s).Limits))
}
