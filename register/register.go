package register

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/internal/protodiff"
)

// DefaultConcurrency is the number of CreateTask calls Register keeps in flight.
const DefaultConcurrency = 8

// CallOption configures one call of [Client.Register], [DryRun] or [Client.Diff] (per-call
// behaviour; the Client itself is configured by [Options]).
type CallOption func(*options)

type options struct {
	concurrency     int
	validators      []func(*admin.TaskSpec) error
	continueOnError bool
	progress        func(Result)
	activate        bool // WithActivateLaunchPlans (entities.go)
}

// WithConcurrency sets how many specs are registered at once (default [DefaultConcurrency]; values
// below 1 mean 1).
func WithConcurrency(n int) CallOption {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// WithValidator adds a validation step run on every spec after [Preflight] (which always runs: it
// guards against specs that crash FlyteAdmin) and after the validators added before it. fn sees the
// spec as it will be sent: a copy whose template id is the request id (project, domain and version
// of the [Target]); it must not modify it. It may be called concurrently for different specs
// (validation runs on all CPUs). A non-nil error marks the spec Invalid; if any spec is invalid
// nothing is sent.
func WithValidator(fn func(*admin.TaskSpec) error) CallOption {
	return func(o *options) {
		if fn != nil {
			o.validators = append(o.validators, fn)
		}
	}
}

// WithContinueOnError keeps registering after a spec fails. By default, as flytectl, the first
// failure stops the run: specs not yet started are reported NotAttempted, those in flight finish.
func WithContinueOnError() CallOption {
	return func(o *options) { o.continueOnError = true }
}

// WithProgress calls fn with each spec's final result as soon as it is known (in completion order,
// never concurrently). Results for specs that were never started are not reported through fn.
func WithProgress(fn func(Result)) CallOption {
	return func(o *options) { o.progress = fn }
}

func buildOptions(opts []CallOption) options {
	o := options{concurrency: DefaultConcurrency}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// cloneSpec deep-copies a spec.
func cloneSpec(s *admin.TaskSpec) *admin.TaskSpec {
	return proto.Clone(s).(*admin.TaskSpec)
}

func cloneID(id *core.Identifier) *core.Identifier {
	return proto.Clone(id).(*core.Identifier)
}

// prepare builds the request for spec: the request id from the target and a clone of the spec, in
// the form flytectl sends ([FlytectlForm]), whose template id equals the request id (a spec without
// a template stays without one, for Preflight to report). The caller's spec is never modified. A pod
// spec flytectl could not decode (which Preflight refuses) is left as it is.
func prepare(spec *admin.TaskSpec, target Target) *admin.TaskCreateRequest {
	id := requestID(spec, target)
	var c *admin.TaskSpec
	if spec != nil {
		c = shallowSpec(spec) // shares everything below the template's top level: see toFlytectlForm
		if c.Template != nil {
			_ = toFlytectlForm(c.Template)
			c.Template.Id = cloneID(id)
		}
	}
	return &admin.TaskCreateRequest{Id: id, Spec: c}
}

// validated prepares the requests and validates what will be sent; it returns the requests, or the
// results/error to return.
func validated(specs []*admin.TaskSpec, target Target, o options) ([]*admin.TaskCreateRequest, []Result, error) {
	results := make([]Result, len(specs))
	reqs := make([]*admin.TaskCreateRequest, len(specs))
	parallelFor(len(specs), func(i int) {
		reqs[i] = prepare(specs[i], target)
		results[i] = Result{Index: i, ID: reqs[i].GetId()}
	})
	if ve := validateAll(reqs, target, o.validators); ve != nil {
		for i := range results {
			results[i].Reason = "not sent: other specs failed validation"
		}
		for _, p := range ve.Problems {
			r := &results[p.Index]
			r.Outcome, r.Code, r.Reason, r.Err = Invalid, codes.InvalidArgument, strings.ReplaceAll(p.Err.Error(), "\n\t", "; "), p.Err
		}
		return nil, results, ve
	}
	return reqs, results, nil
}

// DryRun validates specs exactly as [Client.Register] does and lists what would be registered, without
// any network access: valid specs get WouldRegister; if any spec is invalid the invalid ones get
// Invalid and the others NotAttempted (Register would send nothing).
func DryRun(specs []*admin.TaskSpec, target Target, opts ...CallOption) []Result {
	_, results, err := validated(specs, target, buildOptions(opts))
	if err == nil {
		for i := range results {
			results[i].Outcome = WouldRegister
			results[i].Reason = "valid, not sent (dry run)"
		}
	}
	return results
}

// Register creates every spec as a task under target with CreateTask and returns one Result per spec,
// in input order.
//
// Behaviour:
//   - All specs are validated first ([Target.Validate], [Preflight], WithValidator, no duplicate
//     names). If any fails, nothing is sent and the error is a *[ValidationError].
//   - Each request uses the id {TASK, target.Project, target.Domain, template.id.name,
//     target.Version}; the same id is written into a shallow copy of the template (the input's
//     own fields are not modified; sub-messages are shared with it, which is why validators must
//     not modify the spec they see).
//   - Up to WithConcurrency calls run at once. codes.AlreadyExists counts as success (AlreadyExisted).
//   - Unavailable, DeadlineExceeded and ResourceExhausted are retried with exponential backoff and full
//     jitter, RetryPolicy.MaxRetries times, or when that is not configured for RetryPolicy.Window
//     ([DefaultRetryWindow]); each attempt is bounded by PerRetryTimeout. Other codes are final. A
//     spec is never sent again after a successful reply.
//   - An InvalidArgument "different structure" reply is reported with Conflict set, and the
//     registered template is fetched (GetTask) to fill Result.Diff.
//   - Unless WithContinueOnError, the first failure stops the run; unstarted specs are NotAttempted.
//   - When ctx ends, no new call starts; calls in flight are cancelled and reported Failed with the
//     context's code (their server-side effect is unknown; registering again is safe because identical
//     re-registration yields AlreadyExisted).
//
// The error is nil when every spec is Created or AlreadyExisted, a *ValidationError when validation
// failed, else a *[BatchError] (which unwraps to the first failure's error and to ctx.Err() if the
// context ended the run, so status.Code and errors.Is see both). With no specs, Register only
// validates the target: an invalid one gives a *ValidationError whose one Problem has Index -1.
func (c *Client) Register(ctx context.Context, specs []*admin.TaskSpec, target Target, opts ...CallOption) ([]Result, error) {
	o := buildOptions(opts)
	if len(specs) == 0 {
		if err := target.Validate(); err != nil {
			return nil, &ValidationError{Problems: []Problem{{Index: -1, Err: err}}}
		}
		return nil, nil
	}
	reqs, results, err := validated(specs, target, o)
	if err != nil {
		return results, err
	}
	ctx = WithRetryRun(ctx) // one retry window for the whole run

	var (
		next    atomic.Int64
		stopped atomic.Bool
		mu      sync.Mutex // serialises progress callbacks
		wg      sync.WaitGroup
	)
	workers := min(o.concurrency, len(reqs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if stopped.Load() || ctx.Err() != nil {
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				r := &results[i]
				c.registerOne(ctx, reqs[i], r)
				if r.Outcome == Failed && !o.continueOnError {
					stopped.Store(true)
				}
				if o.progress != nil && r.Outcome != NotAttempted {
					mu.Lock()
					o.progress(*r)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return finishBatch(ctx, results, "")
}

// finishBatch ends a run: it gives every NotAttempted result without a reason the reason (and,
// when ctx ended, the context's code and error), and returns results with nil when every result
// succeeded, else with a *BatchError counting them (kinds as in BatchError.kinds).
func finishBatch(ctx context.Context, results []Result, kinds string) ([]Result, error) {
	be := &BatchError{Total: len(results), kinds: kinds}
	for i := range results {
		r := &results[i]
		switch r.Outcome {
		case NotAttempted:
			be.NotAttempted++
			if r.Reason == "" {
				if ctx.Err() != nil {
					r.Code, r.Err = status.FromContextError(ctx.Err()).Code(), ctx.Err()
					r.Reason = "not attempted: " + ctx.Err().Error()
				} else {
					r.Reason = "not attempted: stopped after an earlier failure"
				}
			}
		case Failed:
			be.Failed++
			if be.First == nil {
				// A deep copy: the error must not change when the caller edits the results.
				first := *r
				first.ID = cloneID(r.ID)
				first.Diff = slices.Clone(r.Diff)
				be.First = &first
			}
		}
	}
	if be.Failed == 0 && be.NotAttempted == 0 {
		return results, nil
	}
	if ctx.Err() != nil {
		be.Cause = ctx.Err()
	}
	return results, be
}

// registerOne sends one request with retries and fills r. It leaves r NotAttempted if ctx ended before
// the first attempt.
func (c *Client) registerOne(ctx context.Context, req *admin.TaskCreateRequest, r *Result) {
	err := c.retrying(ctx, func(actx context.Context) error {
		r.Attempts++
		_, err := c.svc.CreateTask(actx, req)
		return err
	})
	if r.Attempts == 0 {
		return // ctx ended before the first attempt
	}
	c.outcome(ctx, err, r, "task")
	if r.Outcome == Failed && isDifferentStructure(err) {
		r.Conflict = true
		diffs, derr := c.remoteDiff(ctx, req)
		if derr != nil {
			r.Reason += "; diff unavailable: " + oneLine(status.Convert(derr).Message())
		} else {
			r.Diff = diffs
		}
	}
}

// interruptedError is a call's error when the context ended while it was being retried: its gRPC
// status has the context's code (Canceled or DeadlineExceeded), not the last attempt's, and it
// unwraps to both the context's error and the last attempt's error.
type interruptedError struct {
	ctxErr, last error
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("%v (last error: %v)", e.ctxErr, e.last)
}

func (e *interruptedError) GRPCStatus() *status.Status {
	return status.New(status.FromContextError(e.ctxErr).Code(), e.Error())
}

func (e *interruptedError) Unwrap() []error { return []error{e.ctxErr, e.last} }

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	return s
}

// isDifferentStructure recognises FlyteAdmin's reply to re-registering an id with other content
// (v1.1.131 "task with different structure already exists with id ..."; newer releases add a diff).
func isDifferentStructure(err error) bool {
	st := status.Convert(err)
	return st.Code() == codes.InvalidArgument && strings.Contains(st.Message(), "different structure")
}

// retryable reports whether a failed attempt may be repeated.
func retryable(c codes.Code) bool {
	return c == codes.Unavailable || c == codes.DeadlineExceeded || c == codes.ResourceExhausted
}

// retrying calls fn until it succeeds, fails with a non-retryable code, retries are exhausted or ctx
// ends. Each call gets a context bounded by PerRetryTimeout. It returns fn's last error (or nil); when
// ctx ends before the first call it returns ctx.Err() without calling fn.
//
// In window mode the window is the run's (see [WithRetryRun]) when ctx carries one, else this
// call's, and no wait goes past its end.
func (c *Client) retrying(ctx context.Context, fn func(context.Context) error) error {
	p := c.retry
	var last error
	ctx = WithRetryRun(ctx) // a call outside a run is a run of its own
	start := time.Now()
	deadline := ctx.Value(retryRunKey{}).(*retryRun).start.Add(p.Window)
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			if last == nil {
				return err
			}
			return last
		}
		actx, cancel := context.WithTimeout(context.WithValue(ctx, callerContextKey{}, ctx), p.PerRetryTimeout)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		last = err
		if !shouldRetry(p, err, attempt, start, deadline) || ctx.Err() != nil {
			return err
		}
		wait := backoff(p, attempt)
		if p.Window > 0 {
			wait = min(wait, max(time.Until(deadline), 0))
		}
		c.notifyRetry(p, err, attempt, start, wait)
		if !sleep(ctx, wait) {
			return err
		}
	}
}

// backoff is the full-jitter wait before retry number attempt+1: uniform in [0, min(max, base*2^attempt)].
func backoff(p RetryPolicy, attempt int) time.Duration {
	return rand.N(backoffBound(p, attempt) + 1)
}

// backoffBound is min(MaxBackoff, BaseBackoff*2^attempt), without overflow.
func backoffBound(p RetryPolicy, attempt int) time.Duration {
	if attempt < 0 || attempt >= 63 || p.BaseBackoff > p.MaxBackoff>>attempt {
		return p.MaxBackoff
	}
	return p.BaseBackoff << attempt
}

// sleep waits d or until ctx ends; it reports whether the full wait elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// getTemplate fetches the registered template for id. A missing task yields a codes.NotFound error.
func (c *Client) getTemplate(ctx context.Context, id *core.Identifier) (*core.TaskTemplate, error) {
	var task *admin.Task
	err := c.retrying(ctx, func(actx context.Context) error {
		var err error
		task, err = c.svc.GetTask(actx, &admin.ObjectGetRequest{Id: id})
		return err
	})
	if err != nil {
		return nil, err
	}
	tt := task.GetClosure().GetCompiledTask().GetTemplate()
	if tt == nil {
		return nil, status.Errorf(codes.Internal, "GetTask returned no template for %s", id.GetName())
	}
	return tt, nil
}

// remoteDiff compares the registered template with the prepared request's template. The registered
// template's id is replaced by the request id first (FlyteAdmin overwrites it with the request id
// anyway, and may normalise e.g. resource_type).
func (c *Client) remoteDiff(ctx context.Context, req *admin.TaskCreateRequest) ([]Difference, error) {
	remote, err := c.getTemplate(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return diffTemplates(remote, req.GetSpec().GetTemplate()), nil
}

func diffTemplates(remote, local *core.TaskTemplate) []Difference {
	r := proto.Clone(remote).(*core.TaskTemplate)
	r.Id = local.GetId()
	return differences(protodiff.Diff(r, local))
}

// Diff compares spec, as it would be registered under target, with the task FlyteAdmin has under the
// same id: Same, NotRegistered (GetTask NotFound) or Changed with the field differences (Old =
// registered, New = local). The spec is validated first, as Register validates it ([Preflight],
// [Target.Validate] and the validators of [WithValidator]; the other CallOptions do not apply): a
// failure is a *[ValidationError] (errors.Is matches ErrInvalidSpec/ErrInvalidTarget); other
// errors wrap the GetTask status error after retries. With an error, Status is [DiffUnknown].
// A Diff is a run of its own (see [WithRetryRun]) unless ctx carries one.
func (c *Client) Diff(ctx context.Context, spec *admin.TaskSpec, target Target, opts ...CallOption) (DiffResult, error) {
	o := buildOptions(opts)
	req := prepare(spec, target)
	if ve := validateAll([]*admin.TaskCreateRequest{req}, target, o.validators); ve != nil {
		return DiffResult{ID: req.GetId()}, ve
	}
	res := DiffResult{ID: req.GetId()}
	remote, err := c.getTemplate(ctx, req.GetId())
	if status.Code(err) == codes.NotFound {
		res.Status = NotRegistered
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("register: GetTask %s: %w", req.GetId().GetName(), err)
	}
	res.Differences = diffTemplates(remote, req.GetSpec().GetTemplate())
	res.Status = Same
	if len(res.Differences) > 0 {
		res.Status = Changed
	}
	return res, nil
}
