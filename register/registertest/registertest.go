// Package registertest provides an in-memory FlyteAdmin task store for tests of code that registers
// tasks with package register: use [Admin.Client] directly as a [register.TaskService], or serve the
// Admin over gRPC (it implements service.AdminServiceServer) with [Admin.Serve].
//
// CreateTask and GetTask follow FlyteAdmin v1.1.131 (checked against the real server by the project's
// e2e tests): the stored template's id is overwritten with the request id; an identical
// re-registration answers codes.AlreadyExists; a different template under the same id answers
// codes.InvalidArgument "task with different structure already exists"; a missing task answers
// codes.NotFound; a template without metadata.runtime makes v1.1.x crash after storing, which the
// client sees as codes.Unavailable "error reading from server: EOF" (the task is not stored here).
// Faults are injected with [Admin.Hook].
package registertest

import (
	"context"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/register"
)

// Admin is an in-memory FlyteAdmin task store. The zero value is not usable; create it with [New].
// It is safe for concurrent use. Set Hook and Latency before the first call. Besides CreateTask and
// GetTask it has every method of service.AdminServiceServer, promoted from the generated
// UnimplementedAdminServiceServer (they answer codes.Unimplemented); that set grows with the IDL.
type Admin struct {
	service.UnimplementedAdminServiceServer

	// Hook, if set, runs first on every CreateTask; a non-nil error is returned to the caller and
	// nothing is stored. n is the 1-based number of this call for the request's task name.
	Hook func(ctx context.Context, req *admin.TaskCreateRequest, n int) error
	// Latency is waited on every CreateTask after Hook (benchmarks, concurrency tests), or until
	// the call's context ends.
	Latency time.Duration

	mu           sync.Mutex
	tasks        map[string]*core.TaskTemplate // by id key
	calls        map[string]int                // CreateTask calls per task name
	answered     map[string]bool               // a success or AlreadyExists was returned for the name
	afterSuccess map[string]int                // calls received after answered was set
	created      []string
	getTaskCalls int
	mismatched   []string
	exec         execStore // executions (executions.go)

	lpOnce sync.Once
	lp     *lpState // workflows and launch plans (launchplans.go)
}

// New returns an empty Admin.
func New() *Admin {
	return &Admin{
		tasks:        map[string]*core.TaskTemplate{},
		calls:        map[string]int{},
		answered:     map[string]bool{},
		afterSuccess: map[string]int{},
	}
}

// key renders an id as project/domain/name/version: the stores' key and the id in messages
// (FlyteAdmin prints the identifier message itself, whose text form is not stable).
func key(id *core.Identifier) string {
	return id.GetProject() + "/" + id.GetDomain() + "/" + id.GetName() + "/" + id.GetVersion()
}

// CreateTask stores the request's template under the request id (see the package doc).
func (a *Admin) CreateTask(ctx context.Context, req *admin.TaskCreateRequest) (*admin.TaskCreateResponse, error) {
	name := req.GetId().GetName()
	a.mu.Lock()
	a.calls[name]++
	n := a.calls[name]
	if a.answered[name] {
		a.afterSuccess[name]++
	}
	a.mu.Unlock()
	if a.Hook != nil {
		if err := a.Hook(ctx, req, n); err != nil {
			return nil, err
		}
	}
	if a.Latency > 0 {
		t := time.NewTimer(a.Latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if err := ctx.Err(); err != nil {
		// What a gRPC client sees when its deadline passes or it cancels (the server may still
		// finish the call; this fake does not store the task).
		return nil, status.FromContextError(err).Err()
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
		return nil, status.Error(codes.Unavailable, "error reading from server: EOF")
	}
	tt := proto.Clone(req.GetSpec().GetTemplate()).(*core.TaskTemplate)
	a.mu.Lock()
	defer a.mu.Unlock()
	if !proto.Equal(tt.GetId(), id) {
		a.mismatched = append(a.mismatched, name)
	}
	tt.Id = proto.Clone(id).(*core.Identifier)
	k := key(id)
	if old, ok := a.tasks[k]; ok {
		if proto.Equal(old, tt) {
			a.answered[name] = true
			return nil, status.Errorf(codes.AlreadyExists, "identical task already exists with id %s", k)
		}
		return nil, status.Errorf(codes.InvalidArgument, "task with different structure already exists with id %s", k)
	}
	a.tasks[k] = tt
	a.answered[name] = true
	a.created = append(a.created, name)
	return &admin.TaskCreateResponse{}, nil
}

// GetTask returns the stored task with the request id, or codes.NotFound.
func (a *Admin) GetTask(ctx context.Context, req *admin.ObjectGetRequest) (*admin.Task, error) {
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.getTaskCalls++
	tt, ok := a.tasks[key(req.GetId())]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type TASK with identifier %s", key(req.GetId()))
	}
	c := proto.Clone(tt).(*core.TaskTemplate)
	return &admin.Task{Id: c.GetId(), Closure: &admin.TaskClosure{CompiledTask: &core.CompiledTask{Template: c}}}, nil
}

// Put stores a copy of tt under tt's id, as if it had been registered earlier. A nil template is
// ignored.
func (a *Admin) Put(tt *core.TaskTemplate) {
	if tt == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tasks[key(tt.GetId())] = proto.Clone(tt).(*core.TaskTemplate)
}

// Templates returns copies of the stored templates, sorted by project, domain, name and version.
func (a *Admin) Templates() []*core.TaskTemplate {
	a.mu.Lock()
	defer a.mu.Unlock()
	keys := make([]string, 0, len(a.tasks))
	for k := range a.tasks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*core.TaskTemplate, len(keys))
	for i, k := range keys {
		out[i] = proto.Clone(a.tasks[k]).(*core.TaskTemplate)
	}
	return out
}

// Reset forgets every stored task and all counters.
func (a *Admin) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.tasks)
	clear(a.calls)
	clear(a.answered)
	clear(a.afterSuccess)
	a.created, a.getTaskCalls, a.mismatched = nil, 0, nil
	a.exec = execStore{} // executions, scripts and hooks (executions.go)
	a.resetEntities()    // workflows and launch plans (launchplans.go)
}

// Stats is what an Admin has seen.
type Stats struct {
	// Calls counts CreateTask calls per task name.
	Calls map[string]int
	// AfterSuccess counts, per task name, CreateTask calls received after a call for that name had
	// already been answered with success or AlreadyExists (a client should send none).
	AfterSuccess map[string]int
	// Created lists the task names stored by CreateTask, in the order they were stored.
	Created []string
	// GetTaskCalls counts GetTask calls.
	GetTaskCalls int
	// MismatchedIDs lists task names whose template id differed from the request id.
	MismatchedIDs []string
}

// Stats returns a copy of the counters.
func (a *Admin) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Stats{Calls: map[string]int{}, AfterSuccess: map[string]int{}, GetTaskCalls: a.getTaskCalls,
		Created: append([]string(nil), a.created...), MismatchedIDs: append([]string(nil), a.mismatched...)}
	for k, v := range a.calls {
		s.Calls[k] = v
	}
	for k, v := range a.afterSuccess {
		s.AfterSuccess[k] = v
	}
	return s
}

// Client returns an in-process [register.TaskService] backed by a, with no gRPC in between (call
// options are ignored). Contexts behave as over gRPC: a call whose context has ended, or ends
// during Latency, fails with codes.Canceled or codes.DeadlineExceeded.
func (a *Admin) Client() register.TaskService { return client{a: a} }

type client struct {
	service.AdminServiceClient // nil: the methods not implemented here (see AdminClient)
	a                          *Admin
}

func (c client) CreateTask(ctx context.Context, req *admin.TaskCreateRequest, _ ...grpc.CallOption) (*admin.TaskCreateResponse, error) {
	return c.a.CreateTask(ctx, req)
}

func (c client) GetTask(ctx context.Context, req *admin.ObjectGetRequest, _ ...grpc.CallOption) (*admin.Task, error) {
	return c.a.GetTask(ctx, req)
}

// Serve serves a over gRPC on an in-memory listener and returns a connection to it, for code that
// needs a real service.AdminServiceClient (service.NewAdminServiceClient(conn)). stop closes the
// connection and the server.
func (a *Admin) Serve() (conn *grpc.ClientConn, stop func(), err error) {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	service.RegisterAdminServiceServer(srv, a)
	go func() { _ = srv.Serve(lis) }()
	conn, err = grpc.NewClient("passthrough:///registertest",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		srv.Stop()
		return nil, nil, err
	}
	return conn, func() { _ = conn.Close(); srv.Stop() }, nil
}
