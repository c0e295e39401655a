package register_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
	"github.com/flytedask/flytedask/task"
)

var target = register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"}

func manySpecs(t testing.TB, n int) []*admin.TaskSpec {
	out := make([]*admin.TaskSpec, n)
	for i := range out {
		out[i] = daskSpec(t, fmt.Sprintf("pkg.task%03d", i), 2)
	}
	return out
}

// assertOnePerSpec checks that results are in input order, one per spec, with the request id.
func assertOnePerSpec(t *testing.T, in []*admin.TaskSpec, res []register.Result) {
	t.Helper()
	require.Len(t, res, len(in))
	for i, r := range res {
		assert.Equal(t, i, r.Index)
		assert.Equal(t, in[i].GetTemplate().GetId().GetName(), r.Name())
		assert.Equal(t, target.Version, r.ID.GetVersion())
		assert.Equal(t, core.ResourceType_TASK, r.ID.GetResourceType())
	}
}

func TestRegisterCreatesInOrderWithoutMutatingInput(t *testing.T) {
	before := runtimeGoroutines()
	f := newFakeAdmin()
	// Random small server delays shuffle completion order.
	f.Hook = func(context.Context, *admin.TaskCreateRequest, int) error {
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		return nil
	}
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	in := manySpecs(t, 40)
	orig := make([]*admin.TaskSpec, len(in))
	for i, sp := range in {
		orig[i] = proto.Clone(sp).(*admin.TaskSpec)
	}
	var progress []string
	res, err := c.Register(context.Background(), in, target, register.WithProgress(func(r register.Result) {
		progress = append(progress, r.Name())
	}))
	require.NoError(t, err)
	assertOnePerSpec(t, in, res)
	for i, r := range res {
		assert.Equal(t, register.Created, r.Outcome, r.String())
		assert.Equal(t, 1, r.Attempts)
		assert.True(t, r.Outcome.OK())
		assert.True(t, proto.Equal(orig[i], in[i]), "input spec %d was modified", i)
	}
	assert.Len(t, progress, len(in))
	calls, after, stored := snapshot(f)
	assert.Len(t, stored, len(in))
	for _, sp := range in {
		assert.Equal(t, 1, calls[sp.Template.Id.Name])
	}
	assert.Empty(t, after)
	assert.Empty(t, f.Stats().MismatchedIDs, "template id must equal the request id")
	stored0 := f.Templates()[0]
	assert.Equal(t, "pkg.task000", stored0.GetId().GetName())
	assert.Equal(t, "flytesnacks", stored0.GetId().GetProject())

	// Registering the same specs again: all AlreadyExisted, nothing stored twice.
	res, err = c.Register(context.Background(), in, target)
	require.NoError(t, err)
	for _, r := range res {
		assert.Equal(t, register.AlreadyExisted, r.Outcome)
		assert.Equal(t, codes.AlreadyExists, r.Code)
	}
	require.NoError(t, c.Close())
	s.srv.Stop()
	checkNoGoroutineLeak(t, before)
}

func TestRegisterRetries(t *testing.T) {
	tests := []struct {
		name         string
		hook         func(ctx context.Context, req *admin.TaskCreateRequest, n int) error
		maxRetries   int
		perAttempt   time.Duration // 0: the test default (5s)
		wantOutcome  register.Outcome
		wantCode     codes.Code
		wantAttempts int
	}{
		{
			name: "unavailable burst then success",
			hook: func(_ context.Context, _ *admin.TaskCreateRequest, n int) error {
				if n <= 3 {
					return status.Error(codes.Unavailable, "try later")
				}
				return nil
			},
			maxRetries: 4, wantOutcome: register.Created, wantCode: codes.OK, wantAttempts: 4,
		},
		{
			name: "resource exhausted then success",
			hook: func(_ context.Context, _ *admin.TaskCreateRequest, n int) error {
				if n == 1 {
					return status.Error(codes.ResourceExhausted, "slow down")
				}
				return nil
			},
			maxRetries: 4, wantOutcome: register.Created, wantCode: codes.OK, wantAttempts: 2,
		},
		{
			name: "slow replies past the per-attempt deadline",
			hook: func(ctx context.Context, _ *admin.TaskCreateRequest, n int) error {
				if n <= 2 {
					<-ctx.Done() // never answers in time
					return status.FromContextError(ctx.Err()).Err()
				}
				return nil
			},
			maxRetries: 4, perAttempt: 500 * time.Millisecond, wantOutcome: register.Created, wantCode: codes.OK, wantAttempts: 3,
		},
		{
			name: "retries are bounded",
			hook: func(context.Context, *admin.TaskCreateRequest, int) error {
				return status.Error(codes.Unavailable, "down")
			},
			maxRetries: 2, wantOutcome: register.Failed, wantCode: codes.Unavailable, wantAttempts: 3,
		},
		{
			name: "no retries when disabled",
			hook: func(context.Context, *admin.TaskCreateRequest, int) error {
				return status.Error(codes.Unavailable, "down")
			},
			maxRetries: -1, wantOutcome: register.Failed, wantCode: codes.Unavailable, wantAttempts: 1,
		},
		{
			name: "invalid argument is never retried",
			hook: func(context.Context, *admin.TaskCreateRequest, int) error {
				return status.Error(codes.InvalidArgument, "missing image")
			},
			maxRetries: 4, wantOutcome: register.Failed, wantCode: codes.InvalidArgument, wantAttempts: 1,
		},
		{
			name: "internal is never retried",
			hook: func(context.Context, *admin.TaskCreateRequest, int) error {
				return status.Error(codes.Internal, "boom")
			},
			maxRetries: 4, wantOutcome: register.Failed, wantCode: codes.Internal, wantAttempts: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAdmin()
			f.Hook = tc.hook
			s := startServer(t, f, false)
			c := dialFast(t, s, func(cfg *register.Options) {
				cfg.Retry.MaxRetries = tc.maxRetries
				if tc.perAttempt > 0 {
					cfg.Retry.PerRetryTimeout = tc.perAttempt
				}
			})
			in := manySpecs(t, 6)
			res, err := c.Register(context.Background(), in, target, register.WithContinueOnError())
			assertOnePerSpec(t, in, res)
			calls, after, _ := snapshot(f)
			for _, r := range res {
				assert.Equal(t, tc.wantOutcome, r.Outcome, r.String())
				assert.Equal(t, tc.wantCode, r.Code, r.String())
				assert.Equal(t, tc.wantAttempts, r.Attempts, r.String())
				assert.Equal(t, tc.wantAttempts, calls[r.Name()], "server-side calls for %s", r.Name())
			}
			assert.Empty(t, after, "a CreateTask was repeated after a success")
			if tc.wantOutcome == register.Created {
				require.NoError(t, err)
			} else {
				var be *register.BatchError
				require.ErrorAs(t, err, &be)
				assert.Equal(t, len(in), be.Failed)
				assert.Equal(t, 0, be.NotAttempted)
				require.NotNil(t, be.First)
				assert.Equal(t, 0, be.First.Index)
			}
		})
	}
}

func TestRegisterFailFastStopsAfterFirstFailure(t *testing.T) {
	f := newFakeAdmin()
	f.Hook = func(_ context.Context, req *admin.TaskCreateRequest, _ int) error {
		if req.GetId().GetName() == "pkg.task001" {
			return status.Error(codes.InvalidArgument, "Parsing of MEMORY request failed\nsecond line")
		}
		return nil
	}
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	in := manySpecs(t, 5)
	res, err := c.Register(context.Background(), in, target, register.WithConcurrency(1))
	assertOnePerSpec(t, in, res)
	got := make([]register.Outcome, len(res))
	for i, r := range res {
		got[i] = r.Outcome
	}
	assert.Equal(t, []register.Outcome{register.Created, register.Failed, register.NotAttempted, register.NotAttempted, register.NotAttempted}, got)
	assert.Equal(t, "Parsing of MEMORY request failed ...", res[1].Reason)
	assert.Contains(t, res[2].Reason, "stopped after an earlier failure")
	calls, _, _ := snapshot(f)
	assert.Equal(t, map[string]int{"pkg.task000": 1, "pkg.task001": 1}, calls)
	var be *register.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 1, be.Failed)
	assert.Equal(t, 3, be.NotAttempted)
	assert.Nil(t, be.Cause, "the context did not end the run")
	assert.Contains(t, err.Error(), "register: 1 of 5 tasks failed, 3 not attempted; first failure: ")
	// The batch error carries the first failure's gRPC status (api-review defect 6).
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	var grpcErr interface{ GRPCStatus() *status.Status }
	require.ErrorAs(t, err, &grpcErr)
	assert.Equal(t, "Parsing of MEMORY request failed\nsecond line", grpcErr.GRPCStatus().Message())
	assert.NotSame(t, &res[1], be.First, "First is a copy, not a pointer into the results")
	assert.Equal(t, res[1].String(), be.First.String())
	assert.True(t, proto.Equal(res[1].ID, be.First.ID))
	assert.Equal(t, "pkg.task001@v1: Failed (InvalidArgument, 1 attempt): Parsing of MEMORY request failed ...", res[1].String())
}

func TestRegisterInvalidSpecsAreNeverSent(t *testing.T) {
	noRuntime := daskSpec(t, "pkg.noruntime", 1)
	noRuntime.Template.Metadata.Runtime = nil
	templated := daskSpec(t, "pkg.templated", 1)
	templated.Template.GetContainer().Image = "{{.image.default.fqn}}:{{.image.default.version}}"
	tests := []struct {
		name        string
		specs       []*admin.TaskSpec
		target      register.Target
		validator   func(*admin.TaskSpec) error
		wantInvalid map[int]string // index -> substring of the reason
	}{
		{
			name:        "metadata without runtime",
			specs:       []*admin.TaskSpec{daskSpec(t, "pkg.ok", 1), noRuntime},
			target:      target,
			wantInvalid: map[int]string{1: "template.metadata.runtime: the template needs a runtime"},
		},
		{
			name:        "nil spec and nil template",
			specs:       []*admin.TaskSpec{nil, {}, daskSpec(t, "pkg.ok", 1)},
			target:      target,
			wantInvalid: map[int]string{0: "spec is nil", 1: "template: a task spec needs a template"},
		},
		{
			name:        "unresolved image template",
			specs:       []*admin.TaskSpec{templated},
			target:      target,
			wantInvalid: map[int]string{0: "unresolved template"},
		},
		{
			name:        "duplicate names",
			specs:       []*admin.TaskSpec{daskSpec(t, "pkg.a", 1), daskSpec(t, "pkg.a", 2)},
			target:      target,
			wantInvalid: map[int]string{1: "duplicate task name, also spec [0]"},
		},
		{
			name:        "version not url safe",
			specs:       []*admin.TaskSpec{daskSpec(t, "pkg.a", 1)},
			target:      register.Target{Project: "p", Domain: "d", Version: "v/1?"},
			wantInvalid: map[int]string{0: "versions must be URL-safe"},
		},
		{
			name:        "empty project and version",
			specs:       []*admin.TaskSpec{daskSpec(t, "pkg.a", 1)},
			target:      register.Target{Domain: "d"},
			wantInvalid: map[int]string{0: "project is empty; version is empty"},
		},
		{
			name:   "custom validator",
			specs:  []*admin.TaskSpec{daskSpec(t, "pkg.a", 1), daskSpec(t, "pkg.b", 0)},
			target: target,
			validator: func(s *admin.TaskSpec) error {
				if s.GetTemplate().GetCustom().GetFields()["workers"].GetStructValue().GetFields()["numberOfWorkers"].GetNumberValue() < 1 {
					return errors.New("needs at least one worker")
				}
				return nil
			},
			wantInvalid: map[int]string{1: "needs at least one worker"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAdmin()
			s := startServer(t, f, false)
			c := dialFast(t, s, nil)
			var opts []register.CallOption
			if tc.validator != nil {
				opts = append(opts, register.WithValidator(tc.validator))
			}
			res, err := c.Register(context.Background(), tc.specs, tc.target, opts...)
			var ve *register.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Len(t, ve.Problems, len(tc.wantInvalid))
			require.Len(t, res, len(tc.specs))
			for i, r := range res {
				if want, ok := tc.wantInvalid[i]; ok {
					assert.Equal(t, register.Invalid, r.Outcome)
					assert.Contains(t, r.Reason, want)
				} else {
					assert.Equal(t, register.NotAttempted, r.Outcome)
				}
				assert.Zero(t, r.Attempts)
			}
			if tc.target == target {
				assert.ErrorIs(t, err, register.ErrInvalidSpec)
			} else {
				assert.ErrorIs(t, err, register.ErrInvalidTarget)
			}
			calls, _, _ := snapshot(f)
			assert.Empty(t, calls, "nothing may be sent when a spec is invalid")

			// DryRun agrees with Register.
			dry := register.DryRun(tc.specs, tc.target, opts...)
			for i := range dry {
				assert.Equal(t, res[i].Outcome, dry[i].Outcome)
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	in := manySpecs(t, 3)
	res := register.DryRun(in, target)
	assertOnePerSpec(t, in, res)
	for _, r := range res {
		assert.Equal(t, register.WouldRegister, r.Outcome)
		assert.Equal(t, "flytesnacks", r.ID.GetProject())
	}
}

func TestRegisterDifferentStructureAttachesDiff(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	put(f, daskSpec(t, "pkg.job", 2).Template, target)
	put(f, daskSpec(t, "pkg.same", 2).Template, target)
	local := daskSpec(t, "pkg.job", 3)
	local.Template.GetContainer().Args = append(local.Template.GetContainer().Args, "--extra")
	res, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.same", 2), local, daskSpec(t, "pkg.new", 1)}, target, register.WithConcurrency(1))
	var be *register.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, register.AlreadyExisted, res[0].Outcome)
	r := res[1]
	assert.Equal(t, register.Failed, r.Outcome)
	assert.Equal(t, codes.InvalidArgument, r.Code)
	assert.True(t, r.Conflict)
	assert.Equal(t, 1, r.Attempts)
	assert.Equal(t, []register.Difference{
		{Path: "template.custom.workers.numberOfWorkers", Old: "2", New: "3"},
		{Path: "template.container.args[3]", Old: "<unset>", New: `"--extra"`},
	}, r.Diff)
	assert.Equal(t, `pkg.job@v1: Failed (InvalidArgument, 1 attempt): task with different structure already exists with id flytesnacks/development/pkg.job/v1 [2 fields differ: template.custom.workers.numberOfWorkers, template.container.args[3]]`, r.String())
	assert.Equal(t, register.NotAttempted, res[2].Outcome, "fail-fast by default")
}

func TestDiff(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	put(f, daskSpec(t, "pkg.job", 2).Template, target)
	tests := []struct {
		name  string
		spec  *admin.TaskSpec
		want  register.DiffStatus
		diffs []register.Difference
	}{
		{name: "same", spec: daskSpec(t, "pkg.job", 2), want: register.Same},
		{name: "not registered", spec: daskSpec(t, "pkg.other", 2), want: register.NotRegistered},
		{name: "changed", spec: daskSpec(t, "pkg.job", 5), want: register.Changed,
			diffs: []register.Difference{{Path: "template.custom.workers.numberOfWorkers", Old: "2", New: "5"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Diff(context.Background(), tc.spec, target)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Status)
			assert.Equal(t, tc.diffs, got.Differences)
			assert.Equal(t, tc.spec.Template.Id.Name, got.ID.GetName())
		})
	}
	_, err := c.Diff(context.Background(), &admin.TaskSpec{}, target)
	assert.ErrorIs(t, err, register.ErrInvalidSpec)
	calls, _, _ := snapshot(f)
	assert.Empty(t, calls, "Diff never creates")
}

func TestRegisterServerAppearsLater(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, true)
	go func() {
		<-s.dialed // the client has tried and failed at least once
		time.Sleep(30 * time.Millisecond)
		s.start()
	}()
	c := dialFast(t, s, func(cfg *register.Options) {
		cfg.Retry.MaxRetries = 1000 // bounded by the server's appearance, not by the count
		cfg.Retry.MaxBackoff = 5 * time.Millisecond
	})
	in := manySpecs(t, 10)
	res, err := c.Register(context.Background(), in, target)
	require.NoError(t, err)
	assertOnePerSpec(t, in, res)
	total := 0
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome)
		total += r.Attempts
	}
	assert.Greater(t, total, len(in), "some attempts must have failed while the server was absent")
	calls, after, _ := snapshot(f)
	for _, sp := range in {
		assert.Equal(t, 1, calls[sp.Template.Id.Name], "the server sees each task once")
	}
	assert.Empty(t, after)
}

func TestRegisterContextCancelledMidRun(t *testing.T) {
	before := runtimeGoroutines()
	f := newFakeAdmin()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var served atomic.Int32
	f.Hook = func(hctx context.Context, _ *admin.TaskCreateRequest, _ int) error {
		if served.Add(1) <= 5 {
			return nil
		}
		cancel() // the client gives up while this call is in flight
		<-hctx.Done()
		return status.FromContextError(hctx.Err()).Err()
	}
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	in := manySpecs(t, 30)
	res, err := c.Register(ctx, in, target, register.WithConcurrency(3))
	assertOnePerSpec(t, in, res)
	require.ErrorIs(t, err, context.Canceled)
	var be *register.BatchError
	require.ErrorAs(t, err, &be)

	// Server handlers of cancelled calls may still be running: let them finish before looking.
	s.srv.GracefulStop()
	calls, _, stored := snapshot(f)
	storedSet := map[string]bool{}
	for _, n := range stored {
		storedSet[n] = true
	}
	counts := map[register.Outcome]int{}
	for _, r := range res {
		counts[r.Outcome]++
		switch r.Outcome {
		case register.Created:
			assert.True(t, storedSet[r.Name()], "Created but not stored: %s", r.Name())
		case register.Failed:
			// Interrupted in flight: the server may or may not have stored it (a reply can be lost
			// to the cancellation), and the result says so.
			assert.Equal(t, codes.Canceled, r.Code, r.String())
			assert.ErrorIs(t, r.Err, context.Canceled)
			assert.Contains(t, r.Reason, "server-side effect unknown")
		case register.NotAttempted:
			assert.Equal(t, codes.Canceled, r.Code)
			assert.Zero(t, r.Attempts)
			assert.Zero(t, calls[r.Name()], "NotAttempted but the server saw %s", r.Name())
		default:
			t.Errorf("unexpected outcome %s", r)
		}
		if storedSet[r.Name()] {
			assert.Contains(t, []register.Outcome{register.Created, register.Failed}, r.Outcome, "stored %s reported %s", r.Name(), r.Outcome)
		}
	}
	assert.Len(t, stored, 5, "the hook lets exactly 5 calls through")
	assert.GreaterOrEqual(t, counts[register.Failed], 1)
	assert.LessOrEqual(t, counts[register.Failed], 3+5, "at most the in-flight calls fail")
	assert.Positive(t, counts[register.NotAttempted])
	assert.Equal(t, len(in), counts[register.Created]+counts[register.Failed]+counts[register.NotAttempted])
	assert.Equal(t, counts[register.NotAttempted], be.NotAttempted)
	require.NoError(t, c.Close())
	checkNoGoroutineLeak(t, before)
}

func TestRegisterContextAlreadyCancelled(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := c.Register(ctx, manySpecs(t, 4), target)
	require.ErrorIs(t, err, context.Canceled)
	for _, r := range res {
		assert.Equal(t, register.NotAttempted, r.Outcome)
		assert.Contains(t, r.Reason, "context canceled")
	}
	calls, _, _ := snapshot(f)
	assert.Empty(t, calls)
}

func TestNewClientWithRetryPolicy(t *testing.T) {
	var n atomic.Int32
	fake := &stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		if n.Add(1) <= 2 {
			return status.Error(codes.Unavailable, "x")
		}
		return nil
	}}
	c := register.NewClient(fake, register.ClientOptions{Retry: register.RetryPolicy{MaxRetries: 2, BaseBackoff: time.Microsecond, MaxBackoff: time.Millisecond}})
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.NoError(t, err)
	assert.Equal(t, 3, res[0].Attempts)
	assert.NoError(t, c.Close())
}

// Cancelling the context while Register waits between attempts ends the wait at once: with an hour
// of backoff, Register still returns, reporting the spec Failed with the context's code.
func TestRegisterContextCancelledDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attempted := make(chan struct{}, 1)
	fake := &stubAdmin{create: func(context.Context, *admin.TaskCreateRequest) error {
		attempted <- struct{}{}
		return status.Error(codes.Unavailable, "down")
	}}
	go func() {
		<-attempted
		cancel()
	}()
	c := register.NewClient(fake, register.ClientOptions{Retry: register.RetryPolicy{MaxRetries: 3, BaseBackoff: time.Hour, MaxBackoff: time.Hour}})
	res, err := c.Register(ctx, manySpecs(t, 1), target)
	require.ErrorIs(t, err, context.Canceled)
	r := res[0]
	assert.Equal(t, register.Failed, r.Outcome)
	assert.Equal(t, codes.Canceled, r.Code)
	assert.Equal(t, 1, r.Attempts)
	assert.ErrorIs(t, r.Err, context.Canceled)
	assert.Contains(t, r.Reason, "last error: down")
}

// When the caller's deadline is shorter than PerRetryTimeout, the attempt ends with the caller's
// deadline and is not retried.
func TestRegisterContextDeadlineShorterThanAttemptTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	fake := &stubAdmin{create: func(actx context.Context, _ *admin.TaskCreateRequest) error {
		<-actx.Done()
		return status.FromContextError(actx.Err()).Err()
	}}
	c := register.NewClient(fake, register.ClientOptions{Retry: register.RetryPolicy{MaxRetries: 3, PerRetryTimeout: time.Hour}})
	res, err := c.Register(ctx, manySpecs(t, 1), target)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	r := res[0]
	assert.Equal(t, register.Failed, r.Outcome)
	assert.Equal(t, codes.DeadlineExceeded, r.Code)
	assert.Equal(t, 1, r.Attempts, "the caller's deadline is not retried")
	assert.Contains(t, r.Reason, "interrupted by context deadline exceeded")
}

func TestOutcomeAndStatusStrings(t *testing.T) {
	names := map[register.Outcome]string{
		register.NotAttempted: "NotAttempted", register.Created: "Created", register.AlreadyExisted: "AlreadyExisted",
		register.Failed: "Failed", register.Invalid: "Invalid", register.WouldRegister: "WouldRegister", register.Outcome(42): "Outcome(42)",
	}
	for o, want := range names {
		assert.Equal(t, want, o.String())
	}
	assert.Equal(t, "Unknown Same NotRegistered Changed DiffStatus(9)", strings.Join([]string{register.DiffUnknown.String(),
		register.Same.String(), register.NotRegistered.String(), register.Changed.String(), register.DiffStatus(9).String()}, " "))
	assert.Equal(t, "flytesnacks/development@v1", target.String())
}

func TestValidateVersion(t *testing.T) {
	for _, v := range []string{"v1", "abc-DEF_1.2~3", "0123456789abcdef"} {
		assert.NoError(t, register.ValidateVersion(v), v)
	}
	for _, v := range []string{"", "v 1", "v/1", "a?b", "a#b", "a[1]", "a%20", "ä", "a:b", "a@b", "a,b"} {
		assert.Error(t, register.ValidateVersion(v), v)
	}
}

// stubAdmin implements just CreateTask/GetTask of service.AdminServiceClient for NewClient tests.
// Methods other than CreateTask panic through the nil embedded interface; Register calls none.
type stubAdmin struct {
	service.AdminServiceClient
	create func(context.Context, *admin.TaskCreateRequest) error
}

func (s *stubAdmin) CreateTask(ctx context.Context, req *admin.TaskCreateRequest, _ ...grpc.CallOption) (*admin.TaskCreateResponse, error) {
	if err := s.create(ctx, req); err != nil {
		return nil, err
	}
	return &admin.TaskCreateResponse{}, nil
}

func runtimeGoroutines() int { return runtime.NumGoroutine() }

func TestRegisterNoSpecs(t *testing.T) {
	c := register.NewClient(&stubAdmin{}, register.ClientOptions{})
	res, err := c.Register(context.Background(), nil, target)
	assert.NoError(t, err)
	assert.Empty(t, res)
	_, err = c.Register(context.Background(), nil, register.Target{})
	assert.ErrorIs(t, err, register.ErrInvalidTarget)
	assert.Empty(t, register.DryRun(nil, target))
}

// TestWithValidatorAddsAndSeesTheSentSpec pins api-review defect 2: each WithValidator adds a step
// (a second one does not drop the first), and validators see the spec as it will be sent, with the
// request id in its template.
func TestWithValidatorAddsAndSeesTheSentSpec(t *testing.T) {
	target := register.Target{Project: "flytesnacks", Domain: "development", Version: "v7"}
	specs := []*admin.TaskSpec{daskSpec(t, "pkg.a", 1), daskSpec(t, "pkg.b", 1)}
	var (
		mu   sync.Mutex // validation may run in parallel
		seen []*core.Identifier
	)
	first := func(s *admin.TaskSpec) error {
		mu.Lock()
		seen = append(seen, s.GetTemplate().GetId())
		mu.Unlock()
		if s.GetTemplate().GetId().GetName() == "pkg.a" {
			return errors.New("first validator refuses pkg.a")
		}
		return nil
	}
	second := func(*admin.TaskSpec) error { return nil }
	res := register.DryRun(specs, target, register.WithValidator(first), register.WithValidator(second))
	assert.Equal(t, register.Invalid, res[0].Outcome, "the first validator still runs after a second is added")
	assert.Contains(t, res[0].Reason, "first validator refuses pkg.a")
	assert.Equal(t, register.NotAttempted, res[1].Outcome)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	for _, id := range seen {
		assert.True(t, proto.Equal(&core.Identifier{ResourceType: core.ResourceType_TASK, Project: "flytesnacks",
			Domain: "development", Name: id.GetName(), Version: "v7"}, id), "validator saw %v", id)
		assert.Contains(t, []string{"pkg.a", "pkg.b"}, id.GetName())
	}
	assert.Empty(t, specs[0].Template.Id.Version, "the caller's spec is not modified")
}

// TestEmptyRegisterAndDiffReturnValidationError pins api-review defect 5: Register with no specs and
// Diff report validation failures as the documented *ValidationError.
func TestEmptyRegisterAndDiffReturnValidationError(t *testing.T) {
	c := register.NewClient(registertest.New().Client(), register.ClientOptions{})
	_, err := c.Register(context.Background(), nil, register.Target{Project: "p", Domain: "d"})
	var ve *register.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 1)
	assert.Equal(t, -1, ve.Problems[0].Index)
	assert.ErrorIs(t, err, register.ErrInvalidTarget)

	_, err = c.Register(context.Background(), nil, register.Target{Project: "p", Domain: "d", Version: "v1"})
	assert.NoError(t, err)

	bad := daskSpec(t, "pkg.bad", 1)
	bad.Template.Metadata.Runtime = nil
	_, err = c.Diff(context.Background(), bad, register.Target{Project: "p", Domain: "d", Version: "v1"})
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, register.ErrInvalidSpec)
}

// Register with enough specs for the parallel validation path (>= 64), with validators and with
// sub-messages shared between specs (as a tool building variants would): run under the race
// detector by make race.
func TestRegisterConcurrentValidationOfManySharedSpecs(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	in := manySpecs(t, 200)
	for _, sp := range in[1:] {
		sp.Template.Metadata = in[0].Template.Metadata
		sp.Template.Interface = in[0].Template.Interface
	}
	var mu sync.Mutex
	validated := 0
	res, err := c.Register(context.Background(), in, target, register.WithValidator(task.ValidateSpec),
		register.WithValidator(func(s *admin.TaskSpec) error {
			_ = s.String()
			mu.Lock()
			validated++
			mu.Unlock()
			return nil
		}))
	require.NoError(t, err)
	require.Len(t, res, 200)
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome, r.String())
	}
	assert.Equal(t, 200, validated)
}
