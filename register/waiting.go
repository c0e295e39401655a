package register

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultRetryWindow is how long a run's calls are retried when no retry count is configured
// (Options.Retry.MaxRetries 0, no admin.maxRetries key): long enough to ride out a FlyteAdmin restart or
// rolling update (tens of seconds of Unavailable), short enough that a server that is really gone
// fails the run within about a minute. flytectl's own default (4 retries, about 0.4 s when the
// server refuses connections) fails on every restart.
const DefaultRetryWindow = 60 * time.Second

// RetryEvent describes a failed attempt that is about to be retried; see [Options].OnRetry.
type RetryEvent struct {
	// Code and Err are the failed attempt's gRPC code and error.
	Code codes.Code
	Err  error
	// Attempt is the number of the attempt that failed (1 = the first).
	Attempt int
	// Wait is the (jittered) pause before the next attempt.
	Wait time.Duration
	// Elapsed is the time since the call's first attempt began.
	Elapsed time.Duration
	// Window is the retry window in force (0 when a retry count is configured); RetriesLeft is the
	// number of retries left when a count is configured (-1 in window mode).
	Window      time.Duration
	RetriesLeft int
}

// retryRunKey carries, in a context, the *retryRun its calls belong to.
type retryRunKey struct{}

// retryRun is a run: calls that share one retry window and one memory of authentication refusals.
type retryRun struct{ start time.Time }

// WithRetryRun returns a context under which every call of a Client shares one retry window
// (RetryPolicy.Window, when no retry count is configured) that begins now, instead of each call
// having its own: against a FlyteAdmin that is down, a run of many calls then gives up after about
// one window, not one window per call (or per group of concurrent calls). A run also scopes the
// memory of an authentication refusal (a wrong client secret): within a run it fails the following
// calls at once, instead of asking the token endpoint again per task; a new run asks again.
// [Client.Register] does this itself; use it around a loop of [Client.Diff] calls (a Diff outside
// a run is a run of its own). When ctx already carries a run, it is returned unchanged, so keep a
// context made by WithRetryRun to the run it is meant for: a Register under a run that began more
// than a window ago is not retried at all.
func WithRetryRun(ctx context.Context) context.Context {
	if _, ok := ctx.Value(retryRunKey{}).(*retryRun); ok {
		return ctx
	}
	return context.WithValue(ctx, retryRunKey{}, &retryRun{start: time.Now()})
}

// shouldRetry decides whether attempt (0-based, just failed with err) of a call that began at
// start may be retried under p; deadline is the end of the retry window (the run's or the call's).
// A call that began within the window is retried at least DefaultMaxRetries times; one that began
// after it is not retried.
func shouldRetry(p RetryPolicy, err error, attempt int, start, deadline time.Time) bool {
	if !retryable(status.Code(err)) {
		return false
	}
	if p.Window > 0 {
		return time.Now().Before(deadline) || (attempt < DefaultMaxRetries && start.Before(deadline))
	}
	return attempt < p.MaxRetries
}

// notifyRetry reports a retry to the OnRetry callback and, for Unavailable, asks the gRPC channel
// to reconnect at the next attempt instead of after its own (up to 2-minute) reconnect backoff: the
// wait is this package's bounded, jittered backoff alone.
func (c *Client) notifyRetry(p RetryPolicy, err error, attempt int, start time.Time, wait time.Duration) {
	if status.Code(err) == codes.Unavailable && c.conn != nil {
		c.conn.ResetConnectBackoff()
	}
	if c.onRetry == nil {
		return
	}
	ev := RetryEvent{Code: status.Code(err), Err: err, Attempt: attempt + 1, Wait: wait, Elapsed: time.Since(start), Window: p.Window, RetriesLeft: -1}
	if p.Window == 0 {
		ev.RetriesLeft = p.MaxRetries - attempt
	}
	c.onRetry(ev)
}
