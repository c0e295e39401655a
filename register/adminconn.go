package register

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/internal/adminconn"
)

// The hooks through which package execution reuses a Client's connection, authentication and
// retries (see internal/adminconn).
func init() {
	adminconn.Conn = func(c any) *grpc.ClientConn { return c.(*Client).conn }
	adminconn.Retrying = func(c any, ctx context.Context, fn func(context.Context) error) error {
		return c.(*Client).retrying(ctx, fn)
	}
	adminconn.Once = func(c any, ctx context.Context, fn func(context.Context) error) error {
		cl := c.(*Client)
		actx, cancel := context.WithTimeout(context.WithValue(ctx, callerContextKey{}, ctx), cl.retry.PerRetryTimeout)
		defer cancel()
		err := fn(actx)
		if status.Code(err) == codes.Unavailable && cl.conn != nil {
			cl.conn.ResetConnectBackoff()
		}
		return err
	}
}
