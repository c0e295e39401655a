package execution

import (
	"context"
	"errors"
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"

	"github.com/flytedask/flytedask/internal/adminconn"
	"github.com/flytedask/flytedask/register"
)

// Service is the part of FlyteAdmin's AdminService that a [Client] uses. The generated
// service.AdminServiceClient satisfies it; so does the in-memory fake of package
// register/registertest ([registertest.Admin.Client]).
type Service interface {
	GetTask(ctx context.Context, in *admin.ObjectGetRequest, opts ...grpc.CallOption) (*admin.Task, error)
	GetLaunchPlan(ctx context.Context, in *admin.ObjectGetRequest, opts ...grpc.CallOption) (*admin.LaunchPlan, error)
	CreateExecution(ctx context.Context, in *admin.ExecutionCreateRequest, opts ...grpc.CallOption) (*admin.ExecutionCreateResponse, error)
	GetExecution(ctx context.Context, in *admin.WorkflowExecutionGetRequest, opts ...grpc.CallOption) (*admin.Execution, error)
	GetExecutionData(ctx context.Context, in *admin.WorkflowExecutionGetDataRequest, opts ...grpc.CallOption) (*admin.WorkflowExecutionGetDataResponse, error)
	TerminateExecution(ctx context.Context, in *admin.ExecutionTerminateRequest, opts ...grpc.CallOption) (*admin.ExecutionTerminateResponse, error)
	ListNodeExecutions(ctx context.Context, in *admin.NodeExecutionListRequest, opts ...grpc.CallOption) (*admin.NodeExecutionList, error)
	ListTaskExecutions(ctx context.Context, in *admin.TaskExecutionListRequest, opts ...grpc.CallOption) (*admin.TaskExecutionList, error)
}

var _ Service = service.AdminServiceClient(nil)

func init() {
	adminconn.RegisterClient = func(c any) any { return c.(*Client).reg }
}

// Client launches, follows and aborts executions. It is safe for concurrent use. Create it with
// [New], or with [NewClient] around any [Service].
type Client struct {
	svc Service
	reg *register.Client // connection, authentication and retries
}

// New creates a Client for FlyteAdmin at o.Endpoint exactly as [register.New] does (same Options,
// flytectl config, TLS, authentication flows, retry policy and OnRetry callback, errors wrapping
// [register.ErrConfig]), after applying optFns to a copy of o. Like register.New it takes no
// context: it does not contact the server, and every call takes its own.
func New(o register.Options, optFns ...func(*register.Options)) (*Client, error) {
	rc, err := register.New(o, optFns...)
	if err != nil {
		return nil, err
	}
	conn := adminconn.Conn(rc)
	if conn == nil {
		_ = rc.Close()
		return nil, errors.New("execution: register.New made no connection")
	}
	return &Client{svc: service.NewAdminServiceClient(conn), reg: rc}, nil
}

// NewClient wraps an existing AdminService client (or any [Service]) with o's retry policy and
// retry callback, as [register.NewClient] does: the connection, its transport security and its
// authentication are the caller's; Close is a no-op.
func NewClient(svc Service, o register.ClientOptions) *Client {
	return &Client{svc: svc, reg: register.NewClient(nil, o)}
}

// Close releases the connection created by New.
func (c *Client) Close() error { return c.reg.Close() }

// call runs fn with register's retries.
func (c *Client) call(ctx context.Context, fn func(context.Context) error) error {
	return adminconn.Retrying(c.reg, ctx, fn)
}

// once runs fn once, with register's per-attempt timeout.
func (c *Client) once(ctx context.Context, fn func(context.Context) error) error {
	return adminconn.Once(c.reg, ctx, fn)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("execution: %s: %w", op, err)
}
