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
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

// fakeAdmin is the importable fake of package registertest, used over gRPC (startServer) or directly.
type fakeAdmin = registertest.Admin

func newFakeAdmin() *fakeAdmin { return registertest.New() }

// put stores a template directly under target, as if registered earlier.
func put(f *fakeAdmin, tt *core.TaskTemplate, target register.Target) {
	c := proto.Clone(tt).(*core.TaskTemplate)
	c.Id = &core.Identifier{ResourceType: core.ResourceType_TASK, Project: target.Project, Domain: target.Domain, Name: tt.GetId().GetName(), Version: target.Version}
	f.Put(c)
}

// snapshot returns the calls per name, the calls after a success per name, and the names stored.
func snapshot(f *fakeAdmin) (calls, afterSuccess map[string]int, stored []string) {
	st := f.Stats()
	return st.Calls, st.AfterSuccess, st.Created
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

// config returns Options that reach s through New (plaintext, fast reconnects).
func (s *bufServer) config() register.Options {
	return register.Options{
		Endpoint: "passthrough:///bufnet",
		Insecure: true,
		DialOptions: []grpc.DialOption{
			grpc.WithContextDialer(s.dial),
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: 5 * time.Millisecond, Multiplier: 1.6, MaxDelay: 20 * time.Millisecond},
				MinConnectTimeout: time.Second,
			}),
		},
		Retry: register.RetryPolicy{PerRetryTimeout: 5 * time.Second},
	}
}

// newClient is New(o) for a test: it fails the test on an error and closes the client at its end.
func newClient(t testing.TB, o register.Options) *register.Client {
	t.Helper()
	c, err := register.New(o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// dialFast dials s with a quick retry policy suitable for tests.
func dialFast(t testing.TB, s *bufServer, mut func(*register.Options)) *register.Client {
	t.Helper()
	cfg := s.config()
	cfg.Retry.MaxBackoff = 2 * time.Millisecond
	var fns []func(*register.Options)
	if mut != nil {
		fns = append(fns, mut)
	}
	c, err := register.New(cfg, fns...)
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
