package registertest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/plugins"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
	"github.com/flytedask/flytedask/task"
)

func quickstart() task.Task {
	return task.Task{
		Name:    "workflows.etl.run",
		Image:   "ghcr.io/acme/dask-app:1.0",
		Command: []string{"python", "-m", "etl"},
		Dask:    dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: 3}},
	}
}

// TestFlyteIDLInterop is issue 8's proof that flytedask and github.com/flyteorg/flyte/flyteidl live in
// one binary: flyteidl's admin, core, plugins and service packages are linked next to flytedask (a
// second copy of the IDL would panic at init), the spec flytedask builds is the type the generated
// service.AdminServiceClient takes, and it crosses a real gRPC connection unchanged.
func TestFlyteIDLInterop(t *testing.T) {
	spec, err := quickstart().Build(task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"})
	require.NoError(t, err)

	var job plugins.DaskJob // the plugin's own message reads flytedask's custom
	raw, err := protojson.Marshal(spec.GetTemplate().GetCustom())
	require.NoError(t, err)
	require.NoError(t, protojson.Unmarshal(raw, &job))
	assert.Equal(t, uint32(3), job.GetWorkers().GetNumberOfWorkers())

	fake := registertest.New()
	conn, stop, err := fake.Serve()
	require.NoError(t, err)
	defer stop()
	var svc service.AdminServiceClient = service.NewAdminServiceClient(conn)
	id := proto.Clone(spec.GetTemplate().GetId()).(*core.Identifier)
	_, err = svc.CreateTask(context.Background(), &admin.TaskCreateRequest{Id: id, Spec: spec})
	require.NoError(t, err)
	got, err := svc.GetTask(context.Background(), &admin.ObjectGetRequest{Id: id})
	require.NoError(t, err)
	assert.True(t, proto.Equal(spec.GetTemplate(), got.GetClosure().GetCompiledTask().GetTemplate()))

	// The same connection serves register.Client, through the generated client.
	res, err := register.NewClient(svc, register.ClientOptions{}).Register(context.Background(), []*admin.TaskSpec{spec},
		register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"})
	require.NoError(t, err)
	assert.Equal(t, register.AlreadyExisted, res[0].Outcome)
}

func TestAdminSemantics(t *testing.T) {
	a := registertest.New()
	c := a.Client()
	spec, err := quickstart().Build(task.Settings{Project: "p", Domain: "d", Version: "v1"})
	require.NoError(t, err)
	id := spec.GetTemplate().GetId()
	req := &admin.TaskCreateRequest{Id: id, Spec: spec}
	_, err = c.CreateTask(context.Background(), req)
	require.NoError(t, err)
	_, err = c.CreateTask(context.Background(), req)
	assert.Equal(t, codes.AlreadyExists, status.Code(err))
	changed := proto.Clone(spec).(*admin.TaskSpec)
	changed.Template.GetContainer().Image = "ghcr.io/acme/dask-app:2.0"
	_, err = c.CreateTask(context.Background(), &admin.TaskCreateRequest{Id: id, Spec: changed})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	assert.Contains(t, status.Convert(err).Message(), "different structure")
	other := proto.Clone(id).(*core.Identifier)
	other.Version = "v2"
	_, err = c.GetTask(context.Background(), &admin.ObjectGetRequest{Id: other})
	assert.Equal(t, codes.NotFound, status.Code(err))

	noRuntime := proto.Clone(spec).(*admin.TaskSpec)
	noRuntime.Template.Metadata.Runtime = nil
	_, err = c.CreateTask(context.Background(), &admin.TaskCreateRequest{Id: other, Spec: noRuntime})
	assert.Equal(t, codes.Unavailable, status.Code(err))

	a.Hook = func(context.Context, *admin.TaskCreateRequest, int) error {
		return status.Error(codes.PermissionDenied, "no")
	}
	_, err = c.CreateTask(context.Background(), req)
	assert.Equal(t, codes.PermissionDenied, status.Code(err))

	st := a.Stats()
	assert.Equal(t, map[string]int{"workflows.etl.run": 5}, st.Calls)
	assert.Equal(t, []string{"workflows.etl.run"}, st.Created)
	assert.Equal(t, 1, st.GetTaskCalls)
	assert.Len(t, a.Templates(), 1)
	a.Reset()
	assert.Empty(t, a.Templates())
	assert.Empty(t, a.Stats().Calls)
}

// Example registers a task against the in-memory FlyteAdmin, as a consumer's unit test would.
func Example() {
	spec, err := quickstart().Build(task.Settings{Version: "v1"})
	if err != nil {
		panic(err)
	}
	fake := registertest.New()
	client := register.NewClient(fake.Client(), register.ClientOptions{})
	res, err := client.Register(context.Background(), []*admin.TaskSpec{spec},
		register.Target{Project: "flytesnacks", Domain: "development", Version: "v1"})
	fmt.Println(res[0].Outcome, err)
	tt := fake.Templates()[0]
	fmt.Println(tt.GetId().GetProject(), tt.GetId().GetName(), tt.GetType())
	// Output:
	// Created <nil>
	// flytesnacks workflows.etl.run dask
}
