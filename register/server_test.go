package register_test

import (
	"context"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/register"
)

// fakeAdmin is an in-memory FlyteAdmin task store with FlyteAdmin v1.1.131's CreateTask/GetTask
// semantics (identical -> AlreadyExists, different -> InvalidArgument "different structure") and hooks
// for fault injection. It counts calls per task id server-side.
type fakeAdmin struct {
	service.UnimplementedAdminServiceServer

	// hook, if set, runs first on every CreateTask; a non-nil error is returned to the client and
	// nothing is stored. n is the 1-based number of this call for the request's task name.
	hook func(ctx context.Context, req *admin.TaskCreateRequest, n int) error
	// latency is slept on every CreateTask (benchmarks).
	latency time.Duration

	mu            sync.Mutex
	tasks         map[string]*core.TaskTemplate // by name (tests use one project/domain/version)
	calls         map[string]int                // CreateTask calls per name
	answered      map[string]bool               // a success or AlreadyExists was returned for name
	afterSuccess  map[string]int                // calls received after answered was set
	createdOrder  []string
	getTaskCalls  int
	badTemplateID []string // names whose template id differed from the request id
}

func newFakeAdmin() *fakeAdmin {
	return &fakeAdmin{
		tasks:        map[string]*core.TaskTemplate{},
		calls:        map[string]int{},
		answered:     map[string]bool{},
		afterSuccess: map[string]int{},
	}
}

func cloneTemplate(tt *core.TaskTemplate) *core.TaskTemplate {
	return proto.Clone(tt).(*core.TaskTemplate)
}

func (f *fakeAdmin) CreateTask(ctx context.Context, req *admin.TaskCreateRequest) (*admin.TaskCreateResponse, error) {
	name := req.GetId().GetName()
	f.mu.Lock()
	f.calls[name]++
	n := f.calls[name]
	if f.answered[name] {
		f.afterSuccess[name]++
	}
	f.mu.Unlock()
	if f.hook != nil {
		if err := f.hook(ctx, req, n); err != nil {
			return nil, err
		}
	}
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	id := req.GetId()
	switch {
	case id == nil:
		return nil, status.Error(codes.InvalidArgument, "missing id")
	case id.GetResourceType() != core.ResourceType_TASK:
		return nil, status.Errorf(codes.InvalidArgument, "unexpected resource type %s", id.GetResourceType())
	case id.GetVersion() == "":
		return nil, status.Error(codes.InvalidArgument, "missing version")
	case req.GetSpec().GetTemplate().GetMetadata().GetRuntime() == nil:
		return nil, status.Error(codes.Unavailable, "error reading from server: EOF") // the v1.1.x crash
	}
	tt := cloneTemplate(req.GetSpec().GetTemplate())
	f.mu.Lock()
	defer f.mu.Unlock()
	if !proto.Equal(tt.GetId(), id) {
		f.badTemplateID = append(f.badTemplateID, name)
	}
	tt.Id = id // setDefaults
	if old, ok := f.tasks[name]; ok {
		if proto.Equal(old, tt) {
			f.answered[name] = true
			return nil, status.Errorf(codes.AlreadyExists, "identical task already exists with id %s", name)
		}
		return nil, status.Errorf(codes.InvalidArgument, "task with different structure already exists with id %s", name)
	}
	f.tasks[name] = tt
	f.answered[name] = true
	f.createdOrder = append(f.createdOrder, name)
	return &admin.TaskCreateResponse{}, nil
}

func (f *fakeAdmin) GetTask(_ context.Context, req *admin.ObjectGetRequest) (*admin.Task, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.getTaskCalls++
	tt, ok := f.tasks[req.GetId().GetName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type TASK with identifier %s", req.GetId().GetName())
	}
	return &admin.Task{Id: tt.GetId(), Closure: &admin.TaskClosure{CompiledTask: &core.CompiledTask{Template: cloneTemplate(tt)}}}, nil
}

// put stores a template directly, as if registered earlier.
func (f *fakeAdmin) put(tt *core.TaskTemplate, target register.Target) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := cloneTemplate(tt)
	c.Id = &core.Identifier{ResourceType: core.ResourceType_TASK, Project: target.Project, Domain: target.Domain, Name: tt.GetId().GetName(), Version: target.Version}
	f.tasks[c.Id.Name] = c
}

func (f *fakeAdmin) snapshot() (calls, afterSuccess map[string]int, stored []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls, afterSuccess = map[string]int{}, map[string]int{}
	for k, v := range f.calls {
		calls[k] = v
	}
	for k, v := range f.afterSuccess {
		afterSuccess[k] = v
	}
	return calls, afterSuccess, append([]string(nil), f.createdOrder...)
}

// bufServer serves f on an in-memory listener. If the start channel is non-nil the server only starts
// serving after it is closed; until then dials fail like a refused connection.
type bufServer struct {
	lis     *bufconn.Listener
	srv     *grpc.Server
	started chan struct{}
	dialed  chan struct{} // closed on the first dial attempt
	once    sync.Once
}

func startServer(t testing.TB, f *fakeAdmin, deferred bool, opts ...grpc.ServerOption) *bufServer {
	t.Helper()
	s := &bufServer{lis: bufconn.Listen(1 << 20), srv: grpc.NewServer(opts...), started: make(chan struct{}), dialed: make(chan struct{})}
	service.RegisterAdminServiceServer(s.srv, f)
	if !deferred {
		s.start()
	}
	t.Cleanup(func() {
		s.srv.Stop()
		_ = s.lis.Close()
	})
	return s
}

func (s *bufServer) start() {
	select {
	case <-s.started:
		return
	default:
	}
	close(s.started)
	go func() { _ = s.srv.Serve(s.lis) }()
}

func (s *bufServer) dial(ctx context.Context, _ string) (net.Conn, error) {
	s.once.Do(func() { close(s.dialed) })
	select {
	case <-s.started:
		return s.lis.DialContext(ctx)
	default:
		return nil, &net.OpError{Op: "dial", Net: "bufconn", Err: syscallRefused{}}
	}
}

type syscallRefused struct{}

func (syscallRefused) Error() string { return "connection refused" }

// config returns a Config that reaches s through Dial (plaintext, fast reconnects).
func (s *bufServer) config() register.Config {
	return register.Config{
		Endpoint: "passthrough:///bufnet",
		Insecure: true,
		DialOptions: []grpc.DialOption{
			grpc.WithContextDialer(s.dial),
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: 5 * time.Millisecond, Multiplier: 1.6, MaxDelay: 20 * time.Millisecond},
				MinConnectTimeout: time.Second,
			}),
		},
		PerRetryTimeout: 5 * time.Second,
	}
}

// dialFast dials s with a quick retry policy suitable for tests.
func dialFast(t testing.TB, s *bufServer, mut func(*register.Config)) *register.Client {
	t.Helper()
	cfg := s.config()
	cfg.MaxBackoffDelay = 2 * time.Millisecond
	if mut != nil {
		mut(&cfg)
	}
	c, err := register.Dial(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// daskSpec returns a minimal valid Dask TaskSpec named name with the given worker count.
func daskSpec(t testing.TB, name string, workers int) *admin.TaskSpec {
	custom, err := structpb.NewStruct(map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers":   map[string]any{"numberOfWorkers": workers, "resources": map[string]any{}},
	})
	require.NoError(t, err)
	return &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Name: name},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_OTHER, Version: "0.1.0", Flavor: "go"},
		},
		Interface: &core.TypedInterface{},
		Custom:    custom,
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/example/dask:1",
			Args:  []string{"python", "-m", "job"},
		}},
	}}
}

// checkNoGoroutineLeak waits (bounded) for the goroutine count to return to at most before.
func checkNoGoroutineLeak(t *testing.T, before int) {
	t.Helper()
	var now int
	for i := 0; i < 200; i++ {
		now = runtime.NumGoroutine()
		if now <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	t.Fatalf("goroutines: %d before, %d after\n%s", before, now, buf[:n])
}
