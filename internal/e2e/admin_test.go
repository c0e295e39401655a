package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// rpcTimeout bounds each RPC against the running admin.
const rpcTimeout = 30 * time.Second

func rpcContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestCreateTaskLifecycle(t *testing.T) {
	client := harness.Dial(t, harness.Endpoint(t))
	ctx := rpcContext(t)

	id := harness.TaskID("flytedask.e2e.lifecycle", harness.UniqueVersion("lifecycle"))
	spec, err := harness.DaskTaskSpec(id, 2)
	require.NoError(t, err)
	want := harness.Clone(spec.GetTemplate())

	_, err = client.CreateTask(ctx, harness.CreateRequest(spec))
	require.NoError(t, err, "first CreateTask")

	_, err = client.CreateTask(ctx, harness.CreateRequest(spec))
	require.Equal(t, codes.AlreadyExists, status.Code(err), "identical re-register: %v", err)

	changes := []struct {
		name   string
		mutate func(t *testing.T, tt *core.TaskTemplate)
	}{
		{"custom worker count", func(t *testing.T, tt *core.TaskTemplate) {
			custom, err := harness.DaskCustom(harness.DaskJob(3))
			require.NoError(t, err)
			tt.Custom = custom
		}},
		{"container image", func(_ *testing.T, tt *core.TaskTemplate) {
			tt.GetContainer().Image = harness.TestImage + "-other"
		}},
		{"container args", func(_ *testing.T, tt *core.TaskTemplate) {
			tt.GetContainer().Args = append(tt.GetContainer().Args, "--extra")
		}},
	}
	for _, c := range changes {
		t.Run("different structure/"+c.name, func(t *testing.T) {
			changed := harness.Clone(spec)
			c.mutate(t, changed.Template)
			require.False(t, harness.Equal(spec, changed), "mutation must change the spec")
			_, err := client.CreateTask(ctx, harness.CreateRequest(changed))
			require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
			assert.Contains(t, status.Convert(err).Message(), "different structure")
		})
	}

	got, err := client.GetTask(ctx, &admin.ObjectGetRequest{Id: id})
	require.NoError(t, err)
	assert.True(t, harness.Equal(id, got.GetId()), "task id: %s", harness.Diff(id, got.GetId()))
	gotTemplate := got.GetClosure().GetCompiledTask().GetTemplate()
	require.NotNil(t, gotTemplate)
	assert.True(t, harness.Equal(want, gotTemplate), "stored template differs (-sent +stored):\n%s", harness.Diff(want, gotTemplate))
}

// TestTemplateIDOverwritten checks that admin stores the request id in the
// template, whatever id the template carried (flytectl relies on this to
// place pyflyte bundles with empty project/domain/version).
func TestTemplateIDOverwritten(t *testing.T) {
	client := harness.Dial(t, harness.Endpoint(t))
	ctx := rpcContext(t)

	id := harness.TaskID("flytedask.e2e.idoverwrite", harness.UniqueVersion("idoverwrite"))
	spec, err := harness.DaskTaskSpec(&core.Identifier{ResourceType: core.ResourceType_TASK, Name: id.Name}, 1)
	require.NoError(t, err)
	_, err = client.CreateTask(ctx, &admin.TaskCreateRequest{Id: id, Spec: spec})
	require.NoError(t, err)

	got, err := client.GetTask(ctx, &admin.ObjectGetRequest{Id: id})
	require.NoError(t, err)
	want := harness.Clone(spec.GetTemplate())
	want.Id = id
	gotTemplate := got.GetClosure().GetCompiledTask().GetTemplate()
	assert.True(t, harness.Equal(want, gotTemplate), "(-want +stored):\n%s", harness.Diff(want, gotTemplate))
}

func TestGetTaskNotFound(t *testing.T) {
	client := harness.Dial(t, harness.Endpoint(t))
	_, err := client.GetTask(rpcContext(t), &admin.ObjectGetRequest{
		Id: harness.TaskID("flytedask.e2e.missing", harness.UniqueVersion("missing")),
	})
	require.Equal(t, codes.NotFound, status.Code(err), "%v", err)
}

func TestCreateTaskRejected(t *testing.T) {
	client := harness.Dial(t, harness.Endpoint(t))
	ctx := rpcContext(t)

	tests := []struct {
		name    string
		mutate  func(req *admin.TaskCreateRequest)
		wantMsg string
	}{
		{"unknown project", func(req *admin.TaskCreateRequest) { req.Id.Project = "nope" }, "project [nope]"},
		{"unknown domain", func(req *admin.TaskCreateRequest) { req.Id.Domain = "nope" }, "domain [nope] is unrecognized"},
		{"missing version", func(req *admin.TaskCreateRequest) { req.Id.Version = "" }, "missing version"},
		{"missing image", func(req *admin.TaskCreateRequest) { req.Spec.Template.GetContainer().Image = "" }, "missing image"},
		{"missing runtime version", func(req *admin.TaskCreateRequest) { req.Spec.Template.Metadata.Runtime.Version = "" }, "missing runtime version"},
		{"memory limit above platform", func(req *admin.TaskCreateRequest) {
			req.Spec.Template.GetContainer().Resources.Limits[1].Value = "64Gi" // run.sh: limits.memory 8Gi
		}, "greater than current limit set in the platform configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := harness.TaskID("flytedask.e2e.rejected", harness.UniqueVersion("rejected"))
			spec, err := harness.DaskTaskSpec(id, 1)
			require.NoError(t, err)
			req := harness.CreateRequest(spec)
			tt.mutate(req)
			_, err = client.CreateTask(ctx, req)
			require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
			assert.Contains(t, status.Convert(err).Message(), tt.wantMsg)
		})
	}
}
