package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// requireRunCommand skips the test when the flytedask binary has no `run`
// command (issue 15's CLI, built by another branch).
func requireRunCommand(t *testing.T) {
	t.Helper()
	if res := runCLI(t, "run", "--help"); res.Code != 0 || !strings.Contains(res.Stdout+res.Stderr, "--wait") {
		t.Skipf("this flytedask has no `run --wait` yet:\n%s", res)
	}
}

// execName is a short unique execution name (the DaskJob is named
// NAME-NODE-ATTEMPT and must stay a valid Kubernetes name).
func execName(prefix string) string {
	return prefix + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// execCLIArgs are the connection flags for the execution path's FlyteAdmin.
func execCLIArgs(ep harness.ExecPath, version string, more ...string) []string {
	return append([]string{"--project", harness.Project, "--domain", harness.Domain, "--version", version,
		"--endpoint", ep.Endpoint, "--insecure"}, more...)
}

// TestExecCLIRunWait: `flytedask run --wait` of Dask tasks registered by
// flytedask, executed by the real path: exit 0 with RUNNING then SUCCEEDED;
// a failing task exits 1 with propeller's error; --timeout ends the wait with
// exit 3 while the task runs on; `abort` ends it (ABORTED, exit 1 from
// `status --wait`) and the Dask processes stop.
func TestExecCLIRunWait(t *testing.T) {
	ep := harness.Exec(t)
	requireRunCommand(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := harness.Dial(t, ep.Endpoint)

	sum := registerExecTask(ctx, t, c, daskTask("e2e.cli.dask_sum", []string{"python3", "-c", daskSumScript}, "2", "2", "536870912"))
	fails := registerExecTask(ctx, t, c, daskTask("e2e.cli.dask_fails", []string{"python3", "-c", "import sys; sys.exit(3)"}))
	sleeps := registerExecTask(ctx, t, c, daskTask("e2e.cli.dask_sleeps", []string{"python3", "-c", "import time; time.sleep(600)"}))

	t.Run("succeeds", func(t *testing.T) {
		name := execName("cli-s-")
		res := runCLI(t, append([]string{"run", sum.GetId().GetName()},
			execCLIArgs(ep, sum.GetId().GetVersion(), "--name", name, "--wait", "--poll-interval", "500ms")...)...)
		require.Equal(t, 0, res.Code, "%s", res)
		// Progress (one line per change, not a terminal) on stderr, the result on stdout.
		id := harness.Project + "/" + harness.Domain + "/" + name
		running := strings.Index(res.Stderr, "execution "+id+": RUNNING")
		succeeded := strings.Index(res.Stderr, "execution "+id+": SUCCEEDED")
		assert.True(t, running >= 0 && succeeded > running, "RUNNING then SUCCEEDED:\n%s", res)
		assert.Contains(t, res.Stdout, id+" SUCCEEDED")
		rec := daskJobRecord(t, ep, name, true)
		assert.Contains(t, res.Stderr, "file://"+rec.Log, "the runner's log link is shown")
		assert.Len(t, rec.Workers, 2)
		assert.Equal(t, "Successful", rec.JobStatus)
	})

	t.Run("fails", func(t *testing.T) {
		name := execName("cli-f-")
		res := runCLI(t, append([]string{"run", fails.GetId().GetName()},
			execCLIArgs(ep, fails.GetId().GetVersion(), "--name", name, "--wait", "--poll-interval", "500ms")...)...)
		require.Equal(t, 1, res.Code, "%s", res)
		assert.Contains(t, res.Stdout+res.Stderr, "FAILED")
		assert.Contains(t, res.Stdout+res.Stderr, "Dask Job failed", "propeller's error is shown")
	})

	t.Run("timeout then abort", func(t *testing.T) {
		name := execName("cli-t-")
		res := runCLI(t, append([]string{"run", sleeps.GetId().GetName()},
			execCLIArgs(ep, sleeps.GetId().GetVersion(), "--name", name, "--wait", "--poll-interval", "500ms", "--timeout", "20s")...)...)
		require.Equal(t, 3, res.Code, "--timeout while running: %s", res)
		rec := daskJobRecord(t, ep, name, false)
		assert.False(t, processGone(rec.Scheduler.PID), "the execution goes on after the wait ended")

		res = runCLI(t, "abort", name, "--project", harness.Project, "--domain", harness.Domain, "--endpoint", ep.Endpoint, "--insecure")
		require.Equal(t, 0, res.Code, "%s", res)
		res = runCLI(t, "status", name, "--project", harness.Project, "--domain", harness.Domain, "--endpoint", ep.Endpoint, "--insecure", "--wait", "--poll-interval", "500ms")
		assert.Equal(t, 1, res.Code, "%s", res)
		assert.Contains(t, res.Stdout, "ABORTED")
		assert.Eventually(t, func() bool { return processGone(rec.Scheduler.PID) }, time.Minute, 200*time.Millisecond, "scheduler still runs after abort")
	})
}
