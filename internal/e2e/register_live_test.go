package e2e_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/e2e/harness"
	"github.com/flytedask/flytedask/register"
)

// Tests of package register (the library) against the real FlyteAdmin.
// Adopted from register/testdata/e2e/register_live_test.go.txt, written by the
// register package's author, plus the quickstart scenarios.

// liveSpec is a small Dask task built by hand (not with the task package), so
// that the register package is tested independently of the builders.
func liveSpec(t *testing.T, name string, workers int) *admin.TaskSpec {
	t.Helper()
	custom, err := structpb.NewStruct(map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers":   map[string]any{"numberOfWorkers": workers, "resources": map[string]any{}},
	})
	require.NoError(t, err)
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:        &core.Identifier{ResourceType: core.ResourceType_TASK, Name: name},
		Type:      "dask",
		Metadata:  &core.TaskMetadata{Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_OTHER, Version: "0.1.0", Flavor: "go"}},
		Interface: &core.TypedInterface{},
		Custom:    custom,
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/example/dask:1", Args: []string{"python", "-m", "job"},
		}},
	}}
}

// dialLibrary connects the register package to endpoint (host:port).
func dialLibrary(t *testing.T, endpoint string, cfg register.Options) *register.Client {
	t.Helper()
	cfg.Endpoint = "dns:///" + endpoint
	cfg.Insecure = true
	c, err := register.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func libTarget(prefix string) register.Target {
	return register.Target{Project: harness.Project, Domain: harness.Domain, Version: harness.UniqueVersion(prefix)}
}

// TestRegisterLive: Created, AlreadyExisted, Diff same / not registered /
// changed, a conflicting re-registration with its field diff, and an invalid
// spec that never reaches the server.
func TestRegisterLive(t *testing.T) {
	c := dialLibrary(t, harness.Endpoint(t), register.Options{Retry: register.RetryPolicy{PerRetryTimeout: 30 * time.Second}})
	ctx := rpcContext(t)
	tgt := libTarget("rc")
	specs := []*admin.TaskSpec{liveSpec(t, "rc.a", 1), liveSpec(t, "rc.b", 2), liveSpec(t, "rc.c", 3)}

	res, err := c.Register(ctx, specs, tgt)
	require.NoError(t, err)
	require.Len(t, res, len(specs))
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome, "%s", r)
	}
	res, err = c.Register(ctx, specs, tgt)
	require.NoError(t, err)
	for _, r := range res {
		assert.Equal(t, register.AlreadyExisted, r.Outcome, "%s", r)
	}

	d, err := c.Diff(ctx, specs[0], tgt)
	require.NoError(t, err)
	assert.Equal(t, register.Same, d.Status, "%v", d.Differences)
	d, err = c.Diff(ctx, liveSpec(t, "rc.nope", 1), tgt)
	require.NoError(t, err)
	assert.Equal(t, register.NotRegistered, d.Status)

	changed := liveSpec(t, "rc.a", 4)
	changed.Template.GetContainer().Image = "ghcr.io/example/dask:2"
	d, err = c.Diff(ctx, changed, tgt)
	require.NoError(t, err)
	assert.Equal(t, register.Changed, d.Status)
	want := []register.Difference{
		{Path: "template.custom.workers.numberOfWorkers", Old: "1", New: "4"},
		{Path: "template.container.image", Old: `"ghcr.io/example/dask:1"`, New: `"ghcr.io/example/dask:2"`},
	}
	assert.Equal(t, want, d.Differences)

	res, err = c.Register(ctx, []*admin.TaskSpec{changed}, tgt)
	require.Error(t, err)
	require.Len(t, res, 1)
	assert.Equal(t, register.Failed, res[0].Outcome, "%s", res[0])
	assert.Equal(t, codes.InvalidArgument, res[0].Code)
	assert.True(t, res[0].Conflict)
	assert.Equal(t, want, res[0].Diff)

	bad := liveSpec(t, "rc.bad", 1)
	bad.Template.Metadata.Runtime = nil // would crash flyteadmin v1.1.131
	res, err = c.Register(ctx, []*admin.TaskSpec{bad}, tgt)
	var verr *register.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, register.Invalid, res[0].Outcome)
	_, err = c.Diff(ctx, bad, tgt)
	require.ErrorIs(t, err, register.ErrInvalidSpec)
	_, err = c.Diff(ctx, liveSpec(t, "rc.a", 1), tgt) // admin still alive
	require.NoError(t, err)
}

// TestRegisterLiveQuickstart registers the quickstart bundle's tasks and the
// tasks of examples/specs/hello_dask.yaml with the library: Created, then
// AlreadyExisted, Diff Same, and GetTask returns exactly the template that
// was sent (the local template with the target id written into it).
func TestRegisterLiveQuickstart(t *testing.T) {
	ep := harness.Endpoint(t)
	c := dialLibrary(t, ep, register.Options{})
	raw := harness.Dial(t, ep)
	ctx := rpcContext(t)

	for _, tc := range []struct {
		name, path string
		tasks      int
	}{
		{"quickstart", quickstartBundle(t), 1},
		{"hello_dask.yaml", helloBundle(t), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := bundle.ReadFile(tc.path)
			require.NoError(t, err)
			specs := b.Specs()
			require.Len(t, specs, tc.tasks)
			local := make([]*admin.TaskSpec, len(specs))
			for i, s := range specs {
				local[i] = harness.Clone(s)
			}
			tgt := libTarget("lib-" + tc.name[:5])

			res, err := c.Register(ctx, specs, tgt)
			require.NoError(t, err)
			for i, r := range res {
				assert.Equal(t, register.Created, r.Outcome, "%s", r)
				assert.Equal(t, 1, r.Attempts, "%s", r)
				assert.Equal(t, specs[i].GetTemplate().GetId().GetName(), r.Name())
			}
			res, err = c.Register(ctx, specs, tgt)
			require.NoError(t, err)
			for _, r := range res {
				assert.Equal(t, register.AlreadyExisted, r.Outcome, "%s", r)
			}
			for i, s := range specs {
				require.True(t, harness.Equal(local[i], s), "Register modified its input:\n%s", harness.Diff(local[i], s))

				d, err := c.Diff(ctx, s, tgt)
				require.NoError(t, err)
				assert.Equal(t, register.Same, d.Status, "%v", d.Differences)

				// Round trip: FlyteAdmin stores the template as sent, which is the form
				// flytectl sends (register.FlytectlForm: e.g. a pod spec without "command": []).
				id := &core.Identifier{
					ResourceType: core.ResourceType_TASK, Project: tgt.Project, Domain: tgt.Domain,
					Name: s.GetTemplate().GetId().GetName(), Version: tgt.Version,
				}
				got, err := raw.GetTask(ctx, &admin.ObjectGetRequest{Id: id})
				require.NoError(t, err)
				form, err := register.FlytectlForm(s)
				require.NoError(t, err)
				want := form.GetTemplate()
				want.Id = id
				assert.True(t, harness.Equal(want, got.GetClosure().GetCompiledTask().GetTemplate()),
					"stored template differs from the local one:\n%s", harness.Diff(want, got.GetClosure().GetCompiledTask().GetTemplate()))
				assert.True(t, harness.Equal(id, got.GetId()), "%v", got.GetId())
			}
		})
	}
}

// TestRegisterLiveAdminStartsLate: Register begins while no FlyteAdmin
// listens; the standby admin starts a few seconds later and the retries
// succeed.
func TestRegisterLiveAdminStartsLate(t *testing.T) {
	sb := harness.Standby(t)
	c := dialLibrary(t, sb.Endpoint, register.Options{Retry: register.RetryPolicy{MaxRetries: 100, MaxBackoff: time.Second}})
	ctx, cancel := context.WithTimeout(context.Background(), lateBound)
	defer cancel()
	tgt := libTarget("late")
	specs := []*admin.TaskSpec{liveSpec(t, "rc.late1", 1), liveSpec(t, "rc.late2", 2)}
	type out struct {
		res []register.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := c.Register(ctx, specs, tgt)
		done <- out{res, err}
	}()
	time.Sleep(lateDelay(t))
	proc := sb.Start(t)
	var o out
	select {
	case o = <-done:
	case <-proc.Exited():
		t.Fatalf("standby admin exited early:\n%s", proc.LogTail(3000))
	}
	require.NoError(t, o.err, "admin log:\n%s", proc.LogTail(3000))
	for _, r := range o.res {
		assert.Equal(t, register.Created, r.Outcome, "%s", r)
		assert.Greater(t, r.Attempts, 1, "%s", r)
	}
}

// lateDelay is how long "admin started late" scenarios wait before starting
// the standby admin (FLYTEDASK_E2E_LATE_DELAY, default defaultLateDelay).
func lateDelay(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv(harness.EnvLateDelay)
	if s == "" {
		return defaultLateDelay
	}
	d, err := time.ParseDuration(s)
	require.NoError(t, err, "%s", harness.EnvLateDelay)
	return d
}
