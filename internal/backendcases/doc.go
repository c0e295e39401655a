// Package backendcases writes, from its tests, the case files that the nested backend-check modules read.
//
// Those modules run real Flyte backend code and cannot link this module: internal/backendcheck links the
// legacy IDL github.com/flyteorg/flyteidl v1.5.21 (flytepropeller v1.1.129, flyteplugins v1.1.31), and this
// module links github.com/flyteorg/flyte/flyteidl, which registers the same proto files (a binary holding
// both panics at init). So the modules exchange bytes. The tests of this package read every project bundle
// (testdata/bundles/ and examples/*/testdata/) and the real pyflyte bundles of testdata/pyflyte with the SDK's
// bundle.ReadFile, record for each task its deterministic TaskTemplate bytes, the verdict of task.ValidateSpec
// and, for Dask tasks, explain.Explain's answer under each check platform, and compare the result with the
// committed files:
//
//   - internal/backendcheck/testdata/sdk_cases.json, read by internal/backendcheck (legacy backend);
//   - explain/internal/backendverify/testdata/bundle_cases.jsonl, read by explain/internal/backendverify
//     (current backend, flyteplugins v1.16.8).
//
// TestRecordedBytesAreTheBundleBytes checks that re-encoding what the reader decoded gives back each task entry of
// every project bundle byte for byte, so the recorded template bytes are the ones the SDK wrote.
//
// A stale file fails TestCaseFilesUpToDate; rewrite both with
//
//	go test ./internal/backendcases -update
//
// and then run make verify. This package has no non-test code.
package backendcases
