package register_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/register"
)

// With no retry count configured, Unavailable is retried for the whole window (not 4 times), every
// retry is announced through OnRetry with its reason, and the call gives up once the window has
// passed.
func TestRetryWindowWithoutMaxRetries(t *testing.T) {
	var calls int
	var mu sync.Mutex
	fake := &stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return status.Error(codes.Unavailable, "connection refused")
	}}
	window := 300 * time.Millisecond
	var events []register.RetryEvent
	c := register.NewClient(fake, register.ClientOptions{
		Retry: register.RetryPolicy{Window: window, BaseBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond},
		OnRetry: func(ev register.RetryEvent) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, ev)
		},
	})
	start := time.Now()
	res, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "a.b", 1)}, target)
	took := time.Since(start)
	require.Error(t, err)
	assert.Equal(t, register.Failed, res[0].Outcome)
	assert.Equal(t, codes.Unavailable, res[0].Code)
	assert.GreaterOrEqual(t, took, window, "rides out the whole window")
	assert.Greater(t, res[0].Attempts, register.DefaultMaxRetries+1, "more than flytectl's 4 retries")
	require.Len(t, events, res[0].Attempts-1, "one event per retry")
	for i, ev := range events {
		assert.Equal(t, i+1, ev.Attempt)
		assert.Equal(t, codes.Unavailable, ev.Code)
		assert.ErrorContains(t, ev.Err, "connection refused")
		assert.Equal(t, window, ev.Window)
		assert.Equal(t, -1, ev.RetriesLeft)
		assert.LessOrEqual(t, ev.Wait, 10*time.Millisecond)
	}
}

// An explicit retry count keeps flytectl's meaning: exactly that many retries, however short.
func TestRetryCountWhenConfigured(t *testing.T) {
	calls := 0
	fake := &stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		calls++
		return status.Error(codes.Unavailable, "down")
	}}
	var left []int
	c := register.NewClient(fake, register.ClientOptions{
		Retry:   register.RetryPolicy{MaxRetries: 2, Window: time.Hour, BaseBackoff: time.Microsecond, MaxBackoff: time.Millisecond},
		OnRetry: func(ev register.RetryEvent) { left = append(left, ev.RetriesLeft) },
	})
	res, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "a.b", 1)}, target)
	require.Error(t, err)
	assert.Equal(t, 3, res[0].Attempts)
	assert.Equal(t, 3, calls)
	assert.Equal(t, []int{2, 1}, left)
}

// The default window is at least the 30 s a FlyteAdmin restart takes, and Config without retry
// keys selects it (flytectl's maxRetries/maxBackoffDelay/perRetryTimeout select counts and caps).
func TestDefaultRetryWindow(t *testing.T) {
	assert.GreaterOrEqual(t, register.DefaultRetryWindow, 30*time.Second)
	cfg, err := register.ParseFlytectlConfig([]byte("admin:\n  endpoint: dns:///127.0.0.1:1\n  insecure: true\n"))
	require.NoError(t, err)
	assert.Zero(t, cfg.Retry.MaxRetries)
	assert.Contains(t, cfg.String(), "Retry: {Window: 1m0s,")
	cfg, err = register.ParseFlytectlConfig([]byte("admin:\n  endpoint: dns:///127.0.0.1:1\n  maxRetries: 3\n  maxBackoffDelay: 2s\n  perRetryTimeout: 4s\n"))
	require.NoError(t, err)
	assert.Contains(t, cfg.String(), "Retry: {MaxRetries: 3, PerRetryTimeout: 4s, MaxBackoff: 2s}")
}

// A server that is refused for a while and then appears: with the default policy (no MaxRetries)
// the run succeeds; ResetConnectBackoff lets the channel reconnect at the next attempt.
func TestRegisterDefaultPolicyRidesOutOutage(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, true)
	go func() {
		<-s.dialed
		time.Sleep(200 * time.Millisecond)
		s.start()
	}()
	var n int
	var mu sync.Mutex
	c := dialFast(t, s, func(o *register.Options) {
		o.Retry.MaxBackoff = 20 * time.Millisecond
		o.OnRetry = func(register.RetryEvent) { mu.Lock(); n++; mu.Unlock() }
	})
	in := manySpecs(t, 4)
	res, err := c.Register(context.Background(), in, target)
	require.NoError(t, err)
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome)
	}
	assert.Positive(t, n, "retries were announced")
}

// downAdmin answers every call Unavailable.
type downAdmin struct{ stubAdmin }

func (d *downAdmin) GetTask(context.Context, *admin.ObjectGetRequest, ...grpc.CallOption) (*admin.Task, error) {
	return nil, status.Error(codes.Unavailable, "down")
}

func newDownClient(window, maxBackoff time.Duration) *register.Client {
	fake := &downAdmin{stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		return status.Error(codes.Unavailable, "down")
	}}}
	return register.NewClient(fake, register.ClientOptions{Retry: register.RetryPolicy{Window: window, BaseBackoff: time.Millisecond, MaxBackoff: maxBackoff}})
}

// The retry window is the run's, not each call's: against a down server, a --continue-on-error run
// of 32 specs at concurrency 8 gives up after about one window, not four.
func TestRetryWindowIsPerRun(t *testing.T) {
	window := 200 * time.Millisecond
	c := newDownClient(window, 5*time.Millisecond)
	start := time.Now()
	res, err := c.Register(context.Background(), manySpecs(t, 32), target, register.WithContinueOnError(), register.WithConcurrency(8))
	took := time.Since(start)
	require.Error(t, err)
	for _, r := range res {
		assert.Equal(t, codes.Unavailable, r.Code, r.String())
	}
	assert.GreaterOrEqual(t, took, window)
	assert.Less(t, took, 2*window, "one window for the run")
}

// Diff calls under one WithRetryRun context share the window too.
func TestRetryRunSharedByDiffs(t *testing.T) {
	window := 200 * time.Millisecond
	c := newDownClient(window, 5*time.Millisecond)
	ctx := register.WithRetryRun(context.Background())
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, s := range manySpecs(t, 32) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.Diff(ctx, s, target)
			assert.Equal(t, codes.Unavailable, status.Code(err))
		}()
	}
	wg.Wait()
	assert.Less(t, time.Since(start), 2*window, "one window for the loop")
}

// No wait goes past the end of the window: a call with a 1 s backoff cap and a 100 ms window ends
// soon after the window.
func TestRetryWaitClippedToWindow(t *testing.T) {
	window := 100 * time.Millisecond
	fake := &stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		return status.Error(codes.Unavailable, "down")
	}}
	c := register.NewClient(fake, register.ClientOptions{Retry: register.RetryPolicy{Window: window, BaseBackoff: time.Second, MaxBackoff: time.Second}})
	start := time.Now()
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	took := time.Since(start)
	require.Error(t, err)
	assert.Greater(t, res[0].Attempts, register.DefaultMaxRetries, "the minimum retries still happen")
	assert.Less(t, took, window+150*time.Millisecond, "waits clipped to the window")
}

// When the context ends during a backoff wait, the result's code, status.Code of its error and
// status.Code of the batch error all say Canceled; the error still unwraps to the last attempt's.
func TestCancelDuringBackoffCodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attempted := make(chan struct{}, 1)
	fake := &stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		select {
		case attempted <- struct{}{}:
		default:
		}
		return status.Error(codes.Unavailable, "down")
	}}
	go func() { <-attempted; cancel() }()
	c := register.NewClient(fake, register.ClientOptions{Retry: register.RetryPolicy{MaxRetries: 3, BaseBackoff: time.Hour, MaxBackoff: time.Hour}})
	res, err := c.Register(ctx, manySpecs(t, 1), target)
	require.Error(t, err)
	assert.Equal(t, codes.Canceled, res[0].Code)
	assert.Equal(t, codes.Canceled, status.Code(res[0].Err))
	assert.Equal(t, codes.Canceled, status.Code(err))
	assert.ErrorIs(t, res[0].Err, context.Canceled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, res[0].Err, status.Error(codes.Unavailable, "down"), "unwraps to the last attempt's error")
	assert.ErrorContains(t, res[0].Err, "last error: rpc error: code = Unavailable desc = down")
}
