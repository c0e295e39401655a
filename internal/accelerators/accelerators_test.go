package accelerators_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flytedask/flytedask/internal/accelerators"
)

func TestNamesAndNear(t *testing.T) {
	names := accelerators.Names()
	assert.True(t, slices.IsSorted(names))
	assert.Contains(t, names, "T4")
	assert.Contains(t, names, "A100.unpartitioned")
	assert.Contains(t, names, "A100.partition_1g_5gb")
	for in, want := range map[string]string{"t4": "T4", "a100-80gb": "A100_80GB", "A100.Partition_1G_5GB": "A100.partition_1g_5gb"} {
		got, ok := accelerators.Near(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	_, ok := accelerators.Near("nvidia-tesla-t4")
	assert.False(t, ok)
}
