package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// Tests of the flytedask binary (cmd/flytedask, built from the main module)
// against the real FlyteAdmin.

// bundleNames returns the task names of the bundle at path, in order.
func bundleNames(t *testing.T, path string) []string {
	t.Helper()
	b, err := bundle.ReadFile(path)
	require.NoError(t, err)
	var names []string
	for _, s := range b.Specs() {
		names = append(names, s.GetTemplate().GetId().GetName())
	}
	require.NotEmpty(t, names)
	return names
}

// requireOutcomes asserts that register exited with code and that its table
// lists every name with outcome.
func requireOutcomes(t *testing.T, res cliResult, code int, outcome string, names ...string) {
	t.Helper()
	require.Equal(t, code, res.Code, "%s", res)
	got := tableOutcomes(t, res.Stdout)
	for _, n := range names {
		assert.Equal(t, outcome, got[n], "task %s:\n%s", n, res)
	}
}

// diffLines parses `flytedask diff` output: NAME -> status line (same, not
// registered, changed, error: ...).
func diffLines(stdout string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if l == "" || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			continue
		}
		if name, status, ok := strings.Cut(l, ": "); ok {
			out[name] = status
		}
	}
	return out
}

// editedHelloSpec writes a copy of examples/specs/hello_dask.yaml with the
// single occurrence of from replaced by to, and returns its path.
func editedHelloSpec(t *testing.T, from, to string) string {
	t.Helper()
	src, err := os.ReadFile(helloSpec)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(src), from), "hello_dask.yaml changed: update this test")
	path := filepath.Join(t.TempDir(), "hello_dask.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(src), from, to, 1)), 0o600))
	return path
}

const (
	helloTask = "workflows.dask_example.hello_dask"
	scoreTask = "workflows.dask_example.score"
)

// TestCLIRegisterAndDiff drives `flytedask register` and `flytedask diff`
// with the quickstart bundle (written by examples/quickstart) and with
// examples/specs/hello_dask.yaml (as a bundle written by `flytedask package`
// and as -f spec file): Created; AlreadyExisted; a changed spec with the same
// version fails with the field diff; diff reports same / changed / not
// registered with exit codes 0 / 1 / 1.
func TestCLIRegisterAndDiff(t *testing.T) {
	ep := harness.Endpoint(t)
	conn := []string{"--endpoint", ep, "--insecure"}
	qs, hello := quickstartBundle(t), helloBundle(t)
	qsNames, helloNames := bundleNames(t, qs), bundleNames(t, hello)
	require.Equal(t, []string{helloTask}, qsNames)
	require.ElementsMatch(t, []string{helloTask, scoreTask}, helloNames)
	// Different versions: both bundles have a task named helloTask, with other content.
	qsVersion, helloVersion := harness.UniqueVersion("cli-qs"), harness.UniqueVersion("cli-hello")

	// a. A bundle registered through the CLI: every task Created, exit 0.
	reg := func(version string, input ...string) cliResult {
		args := append(append(append([]string{"register"}, input...), target(version)...), conn...)
		return runCLI(t, args...)
	}
	requireOutcomes(t, reg(qsVersion, qs), 0, "Created", qsNames...)
	requireOutcomes(t, reg(helloVersion, hello), 0, "Created", helloNames...)

	// b. Again: AlreadyExisted, exit 0; the spec file itself builds the same tasks.
	requireOutcomes(t, reg(qsVersion, qs), 0, "AlreadyExisted", qsNames...)
	requireOutcomes(t, reg(helloVersion, hello), 0, "AlreadyExisted", helloNames...)
	requireOutcomes(t, reg(helloVersion, "-f", helloSpec), 0, "AlreadyExisted", helloNames...)

	// c. A changed spec (score: 8 -> 9 workers) with the same version: exit 1,
	// score failed with the field diff, hello_dask unchanged.
	changed := editedHelloSpec(t, "number_of_workers: 8\n", "number_of_workers: 9\n")
	res := reg(helloVersion, "-f", changed, "--continue-on-error")
	require.Equal(t, 1, res.Code, "%s", res)
	got := tableOutcomes(t, res.Stdout)
	assert.Equal(t, "Failed", got[scoreTask], "%s", res)
	assert.Equal(t, "AlreadyExisted", got[helloTask], "%s", res)
	assert.Contains(t, res.Stdout, "custom.workers.numberOfWorkers: 8 -> 9", "%s", res)
	assert.Contains(t, res.Stdout+res.Stderr, "different structure", "%s", res)

	// FlyteAdmin's own checks reach the user: a container limit above the
	// platform's (run.sh: 8Gi) fails with admin's reason, exit 1.
	res = reg(harness.UniqueVersion("cli-big"), "-f", editedHelloSpec(t, "memory: 4Gi}", "memory: 64Gi}"))
	require.Equal(t, 1, res.Code, "%s", res)
	assert.Contains(t, res.Stdout, "greater than current limit set in the platform configuration", "%s", res)
	for name, outcome := range tableOutcomes(t, res.Stdout) {
		assert.NotEqual(t, "Created", outcome, "%s: %s", name, res)
	}

	// f. diff: same (exit 0), changed (exit 1), not registered (exit 1).
	diff := func(version string, input ...string) cliResult {
		args := append(append(append([]string{"diff"}, input...), target(version)...), conn...)
		return runCLI(t, args...)
	}
	res = diff(helloVersion, hello)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, map[string]string{helloTask: "same", scoreTask: "same"}, diffLines(res.Stdout), "%s", res)

	res = diff(helloVersion, "-f", changed)
	require.Equal(t, 1, res.Code, "%s", res)
	assert.Equal(t, map[string]string{helloTask: "same", scoreTask: "changed"}, diffLines(res.Stdout), "%s", res)
	assert.Contains(t, res.Stdout, "custom.workers.numberOfWorkers: 8 -> 9", "%s", res)
	assert.NotContains(t, res.Stdout, "container.image", "only the changed field is listed: %s", res)

	res = diff(harness.UniqueVersion("cli-none"), qs)
	require.Equal(t, 1, res.Code, "%s", res)
	assert.Equal(t, map[string]string{helloTask: "not registered"}, diffLines(res.Stdout), "%s", res)

	// The quickstart task is the same as registered, found through a flytectl
	// config file instead of flags.
	cfg := flytectlConfig(t, ep)
	res = runCLI(t, append([]string{"diff", qs, "--config", cfg}, target(qsVersion)...)...)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, map[string]string{helloTask: "same"}, diffLines(res.Stdout), "%s", res)
}

// TestCLIRegisterAdminStartsLate (e): `flytedask register` starts while no
// FlyteAdmin listens on its endpoint; the standby admin starts a few seconds
// later; the CLI's retries succeed and it exits 0. Retries come from the
// flytectl config file (admin.maxRetries / maxBackoffDelay): flytectl's
// default of 4 quick retries would give up before an admin is up.
func TestCLIRegisterAdminStartsLate(t *testing.T) {
	sb := harness.Standby(t)
	qs := quickstartBundle(t)
	names := bundleNames(t, qs)
	cfg := flytectlConfig(t, sb.Endpoint, "maxRetries: 60", "maxBackoffDelay: 1s", "perRetryTimeout: 15s")
	version := harness.UniqueVersion("cli-late")

	begin := time.Now()
	wait := startCLI(t, append([]string{"register", qs, "--config", cfg}, target(version)...)...)
	time.Sleep(lateDelay(t))
	started := time.Now()
	proc := sb.Start(t)
	res := wait()
	t.Logf("admin started %s after register began; register exited %s after admin start",
		started.Sub(begin).Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	select {
	case <-proc.Exited():
		t.Fatalf("standby admin exited:\n%s", proc.LogTail(3000))
	default:
	}
	requireOutcomes(t, res, 0, "Created", names...)
	// The table's ATTEMPTS column shows the retries (logged: on a very loaded
	// machine the CLI might only send its first call after the admin is up).
	for _, l := range strings.Split(res.Stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 4 && f[0] == names[0] {
			t.Logf("attempts of %s: %s", names[0], f[3])
		}
	}

	// The endpoint given with --endpoint/--insecure (no config file) now answers too.
	requireOutcomes(t, runCLI(t, append([]string{"register", qs, "--endpoint", sb.Endpoint, "--insecure"}, target(version)...)...),
		0, "AlreadyExisted", names...)
}
