package e2e_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// defaultLateDelay is how long the client waits before the standby admin is
// started in TestAdminStartedLate (override with FLYTEDASK_E2E_LATE_DELAY).
const defaultLateDelay = 3 * time.Second

// lateBound bounds the whole scenario: admin start-up plus gRPC reconnect
// backoff. It is a hang guard, not a speed assertion.
const lateBound = 3 * time.Minute

// TestAdminStartedLate starts a client before FlyteAdmin runs: a fail-fast
// RPC gets Unavailable; a WaitForReady CreateTask issued before admin starts
// succeeds once admin is up; after an admin restart the same task is
// AlreadyExists (state lives in PostgreSQL). Times are logged, not asserted.
func TestAdminStartedLate(t *testing.T) {
	sb := harness.Standby(t)
	delay := defaultLateDelay
	if s := os.Getenv(harness.EnvLateDelay); s != "" {
		d, err := time.ParseDuration(s)
		require.NoError(t, err, "%s", harness.EnvLateDelay)
		delay = d
	}
	client := harness.Dial(t, sb.Endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), lateBound)
	defer cancel()

	failFastCtx, failFastCancel := context.WithTimeout(ctx, 10*time.Second)
	err := harness.Ping(failFastCtx, client)
	failFastCancel()
	require.Equal(t, codes.Unavailable, status.Code(err), "fail-fast RPC before admin starts: %v", err)

	id := harness.TaskID("flytedask.e2e.late", harness.UniqueVersion("late"))
	spec, err := harness.DaskTaskSpec(id, 2)
	require.NoError(t, err)

	begin := time.Now()
	result := make(chan error, 1)
	go func() {
		_, err := client.CreateTask(ctx, harness.CreateRequest(spec), grpc.WaitForReady(true))
		result <- err
	}()
	time.Sleep(delay)
	started := time.Now()
	proc := sb.Start(t)
	select {
	case err = <-result:
	case <-proc.Exited():
		t.Fatalf("standby admin exited early:\n%s", proc.LogTail(3000))
	}
	done := time.Now()
	require.NoError(t, err, "WaitForReady CreateTask; admin log:\n%s", proc.LogTail(3000))
	t.Logf("admin started %s after the client began; CreateTask returned %s after admin start (%s after the client began)",
		started.Sub(begin).Round(time.Millisecond), done.Sub(started).Round(time.Millisecond), done.Sub(begin).Round(time.Millisecond))

	// Restart: the task persists, re-registering it is AlreadyExists.
	require.NoError(t, proc.Stop(15*time.Second))
	restarted := time.Now()
	proc = sb.Start(t)
	var firstErr error
	err, attempts := harness.RetryUnavailable(ctx, 200*time.Millisecond, func(ctx context.Context) error {
		_, err := client.CreateTask(ctx, harness.CreateRequest(spec), grpc.WaitForReady(true))
		if firstErr == nil {
			firstErr = err
		}
		return err
	})
	require.Equal(t, codes.AlreadyExists, status.Code(err), "after restart: %v\n%s", err, proc.LogTail(3000))
	t.Logf("after restart CreateTask answered AlreadyExists %s after admin start, attempt %d (first result: %v)",
		time.Since(restarted).Round(time.Millisecond), attempts, firstErr)
}
