package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/exampletest"
)

func TestQuickstart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "flyte-package.tgz")
	var stdout bytes.Buffer
	require.NoError(t, run(out, &stdout))
	assert.Contains(t, stdout.String(), "workers   4 x cpu=2 mem=8Gi")
	assert.NotContains(t, stdout.String(), "warning:", "the quickstart follows every best practice")

	b, err := bundle.ReadFile(out)
	require.NoError(t, err)
	require.Len(t, b.Tasks, 1)
	assert.Equal(t, "0_workflows.dask_example.hello_dask_1.pb", filepath.Base(b.Tasks[0].Path))
}

func TestGoldenBundle(t *testing.T) {
	list, err := specs()
	require.NoError(t, err)
	exampletest.AssertBundle(t, "quickstart.tgz", list)
}
