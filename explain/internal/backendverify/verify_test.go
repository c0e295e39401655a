package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackendAgreesWithExplain runs every case of DefaultCaseFiles (explain's own cases and one per Dask task of
// every project bundle and platform) through the current backend's Dask plugin and expects explain's answer.
func TestBackendAgreesWithExplain(t *testing.T) {
	entry, err := daskPlugin()
	require.NoError(t, err)
	for _, path := range DefaultCaseFiles {
		t.Run(filepath.Base(path), func(t *testing.T) {
			total, failed, err := verifyFile(entry, path)
			require.NoError(t, err)
			assert.Positive(t, total, "no cases in %s", path)
			assert.Empty(t, failed, "explain and flyteplugins v1.16.8 disagree")
			t.Logf("%s: %d cases agree", path, total-len(failed))
		})
	}
}

// TestVerifyFileReportsMismatches checks that a wrong expectation is reported: the first bundle case with its
// worker replica count changed.
func TestVerifyFileReportsMismatches(t *testing.T) {
	entry, err := daskPlugin()
	require.NoError(t, err)
	data, err := os.ReadFile(DefaultCaseFiles[1])
	require.NoError(t, err)
	first, _, ok := bytes.Cut(data, []byte("\n"))
	require.True(t, ok)
	require.Contains(t, string(first), `"role":"worker"`)
	broken := bytes.Replace(first, []byte(`"role":"worker"`), []byte(`"role":"not-a-worker"`), 1)
	path := filepath.Join(t.TempDir(), "cases.jsonl")
	require.NoError(t, os.WriteFile(path, append(append(first, '\n'), append(broken, '\n')...), 0o644))

	total, failed, err := verifyFile(entry, path)
	require.NoError(t, err)
	assert.Equal(t, 2, total)
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0], "not-a-worker")
}

func TestVerifyFileErrors(t *testing.T) {
	entry, err := daskPlugin()
	require.NoError(t, err)
	dir := t.TempDir()
	_, _, err = verifyFile(entry, filepath.Join(dir, "missing.jsonl"))
	require.ErrorIs(t, err, os.ErrNotExist)
	bad := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte("{not json\n"), 0o644))
	_, _, err = verifyFile(entry, bad)
	require.Error(t, err)
}
