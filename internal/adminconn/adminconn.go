// Package adminconn lets package execution reuse the connection, authentication and retry code of
// package register without growing register's public API: register sets these hooks in an init
// function (register/adminconn.go), and execution calls them with the *register.Client it created.
// The client is passed as any to avoid an import cycle.
package adminconn

import (
	"context"

	"google.golang.org/grpc"
)

var (
	// Conn returns the connection a *register.Client made with register.New, or nil for one made
	// with register.NewClient.
	Conn func(client any) *grpc.ClientConn
	// Retrying calls fn as register retries its own calls: each attempt under the per-attempt
	// timeout, retryable codes retried with backoff within the retry window or count, retries
	// reported to the client's retry callback.
	Retrying func(client any, ctx context.Context, fn func(context.Context) error) error
	// Once calls fn once, with the attempt context register gives each attempt (the per-attempt
	// timeout; the caller's context for an interactive login), and on codes.Unavailable asks the
	// connection to reconnect at the next call instead of after its reconnect backoff.
	Once func(client any, ctx context.Context, fn func(context.Context) error) error
)

// RegisterClient returns the *register.Client inside an *execution.Client (set by package
// execution), so that the CLI registers and runs over one connection with one token.
var RegisterClient func(executionClient any) any
