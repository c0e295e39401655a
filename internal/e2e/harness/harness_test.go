package harness_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

func TestDaskTaskSpec(t *testing.T) {
	id := harness.TaskID("pkg.task", "v1")
	spec, err := harness.DaskTaskSpec(id, 3)
	require.NoError(t, err)
	tt := spec.GetTemplate()

	assert.True(t, harness.Equal(id, tt.GetId()), "template id is the given id")
	id.Version = "changed"
	assert.Equal(t, "v1", tt.GetId().GetVersion(), "template id is a copy")

	assert.Equal(t, "dask", tt.GetType())
	rt := tt.GetMetadata().GetRuntime()
	require.NotNil(t, rt, "runtime must be set: admin v1.1.131 crashes without it")
	assert.Equal(t, core.RuntimeMetadata_FLYTE_SDK, rt.GetType())
	assert.NotEmpty(t, rt.GetVersion())
	assert.Equal(t, "go", rt.GetFlavor())
	assert.NotNil(t, tt.GetInterface())
	assert.Equal(t, harness.TestImage, tt.GetContainer().GetImage())
	assert.NotEmpty(t, tt.GetContainer().GetArgs())

	custom := tt.GetCustom().AsMap()
	require.Contains(t, custom, "scheduler")
	require.Contains(t, custom, "workers")
	assert.Contains(t, custom["scheduler"], "resources")
	workers := custom["workers"].(map[string]any)
	assert.Contains(t, workers, "resources")
	assert.InDelta(t, 3, workers["numberOfWorkers"], 0)
}

func TestDaskCustomKeepsEmptySubmessages(t *testing.T) {
	job := harness.DaskJob(0)
	job.Scheduler.Resources = &core.Resources{}
	job.Workers.Resources = &core.Resources{}
	job.Workers.Image = ""
	s, err := harness.DaskCustom(job)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers":   map[string]any{"resources": map[string]any{}},
	}, s.AsMap())
}

func TestCreateRequestCopiesTemplateID(t *testing.T) {
	spec, err := harness.DaskTaskSpec(harness.TaskID("pkg.task", "v2"), 1)
	require.NoError(t, err)
	req := harness.CreateRequest(spec)
	assert.True(t, harness.Equal(spec.GetTemplate().GetId(), req.GetId()))
	req.Id.Version = "other"
	assert.Equal(t, "v2", spec.GetTemplate().GetId().GetVersion())
	assert.Same(t, spec, req.GetSpec())
}

func TestCloneEqualDiff(t *testing.T) {
	a := harness.TaskID("n", "v")
	b := harness.Clone(a)
	assert.True(t, harness.Equal(a, b))
	assert.Empty(t, harness.Diff(a, b))
	b.Name = "m"
	assert.False(t, harness.Equal(a, b))
	assert.Contains(t, harness.Diff(a, b), `"m"`)
}

func TestUniqueVersion(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		v := harness.UniqueVersion("e2e-")
		assert.False(t, seen[v], "duplicate %s", v)
		seen[v] = true
		assert.Equal(t, url.PathEscape(v), v, "URL-safe")
		assert.Regexp(t, `^e2e-\d+-\d+$`, v)
	}
}

func TestRetryUnavailable(t *testing.T) {
	unavailable := status.Error(codes.Unavailable, "down")
	tests := []struct {
		name         string
		results      []error
		wantCode     codes.Code
		wantAttempts int
	}{
		{"ok at once", []error{nil}, codes.OK, 1},
		{"other error is final", []error{status.Error(codes.InvalidArgument, "bad")}, codes.InvalidArgument, 1},
		{"plain error is final", []error{errors.New("boom")}, codes.Unknown, 1},
		{"retries unavailable", []error{unavailable, unavailable, status.Error(codes.AlreadyExists, "dup")}, codes.AlreadyExists, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err, attempts := harness.RetryUnavailable(context.Background(), time.Millisecond, func(context.Context) error {
				calls++
				return tt.results[calls-1]
			})
			assert.Equal(t, tt.wantCode, status.Code(err))
			assert.Equal(t, tt.wantAttempts, attempts)
			assert.Equal(t, tt.wantAttempts, calls)
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err, attempts := harness.RetryUnavailable(ctx, time.Millisecond, func(context.Context) error {
		calls++
		if calls == 2 {
			cancel()
		}
		return unavailable
	})
	assert.Equal(t, codes.Unavailable, status.Code(err), "gives up when ctx ends")
	assert.Equal(t, 2, attempts)
}

func TestWaitReadyGivesUp(t *testing.T) {
	// Nothing listens on port 1 of 127.0.0.1 (privileged, never used here).
	conn, err := harness.NewConn("127.0.0.1:1")
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = harness.WaitReady(ctx, service.NewAdminServiceClient(conn), 50*time.Millisecond)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "FlyteAdmin not ready")
}

func TestSkipsWithoutEnvironment(t *testing.T) {
	t.Setenv(harness.EnvEndpoint, "")
	t.Setenv(harness.EnvStandbyConfig, "")
	for name, f := range map[string]func(testing.TB){
		"Endpoint": func(tb testing.TB) { harness.Endpoint(tb) },
		"Standby":  func(tb testing.TB) { harness.Standby(tb) },
	} {
		t.Run(name, func(t *testing.T) {
			ran := t.Run("inner", func(t *testing.T) {
				f(t)
				t.Error("not skipped")
			})
			assert.True(t, ran, "a skipped subtest counts as passed")
		})
	}
}
