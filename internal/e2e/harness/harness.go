// Package harness holds reusable helpers for end-to-end tests that talk to a
// real FlyteAdmin v1.1.131 started by internal/e2e/run.sh.
//
// run.sh exports the environment variables named by the Env* constants. Tests
// call Endpoint (or Standby) first: both skip the test with a clear message
// when the variables are missing, so `go test ./...` outside run.sh is a no-op
// for the live scenarios.
package harness

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// Environment variables set by run.sh.
const (
	// EnvEndpoint is host:port of the gRPC listener of the FlyteAdmin that
	// run.sh keeps running for the whole test run.
	EnvEndpoint = "FLYTEDASK_E2E_ENDPOINT"
	// EnvAdminBin is the path of the flyteadmin binary.
	EnvAdminBin = "FLYTEDASK_E2E_ADMIN_BIN"
	// EnvStandbyConfig is the path of an admin.yaml for a second FlyteAdmin
	// that is NOT running: it shares the database with the main one but has
	// its own ports, so a test can start and stop it (see StartAdmin).
	EnvStandbyConfig = "FLYTEDASK_E2E_STANDBY_CONFIG"
	// EnvStandbyEndpoint is host:port of the standby admin's gRPC listener.
	EnvStandbyEndpoint = "FLYTEDASK_E2E_STANDBY_ENDPOINT"
	// EnvWorkDir is a directory tests may write logs into; it outlives the
	// test process (run.sh prints where).
	EnvWorkDir = "FLYTEDASK_E2E_WORKDIR"
	// EnvLateDelay overrides the delay (a Go duration) after which the
	// "admin started late" scenario starts the standby admin.
	EnvLateDelay = "FLYTEDASK_E2E_LATE_DELAY"
)

// Project and Domain are the project (seeded by run.sh with
// `flyteadmin migrate seed-projects flytesnacks`) and domain used by tests.
const (
	Project = "flytesnacks"
	Domain  = "development"
)

// skipHint is appended to skip messages.
const skipHint = "run internal/e2e/run.sh to start FlyteAdmin and run these tests"

// Endpoint returns the main FlyteAdmin gRPC endpoint, or skips the test when
// EnvEndpoint is unset.
func Endpoint(t testing.TB) string {
	t.Helper()
	ep := os.Getenv(EnvEndpoint)
	if ep == "" {
		t.Skipf("%s is not set: %s", EnvEndpoint, skipHint)
	}
	return ep
}

// NewConn returns a plaintext gRPC client connection to endpoint (host:port).
// Like grpc.NewClient it does not connect until the first RPC.
func NewConn(endpoint string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	all := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)
	conn, err := grpc.NewClient(endpoint, all...)
	if err != nil {
		return nil, fmt.Errorf("grpc client for %s: %w", endpoint, err)
	}
	return conn, nil
}

// Dial returns an AdminServiceClient for endpoint whose connection is closed
// when the test ends.
func Dial(t testing.TB, endpoint string, opts ...grpc.DialOption) service.AdminServiceClient {
	t.Helper()
	conn, err := NewConn(endpoint, opts...)
	if err != nil {
		t.Fatalf("dial FlyteAdmin: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return service.NewAdminServiceClient(conn)
}

// Ping makes one cheap RPC (ListProjects, which also touches the database)
// and returns its error.
func Ping(ctx context.Context, client service.AdminServiceClient, opts ...grpc.CallOption) error {
	if _, err := client.ListProjects(ctx, &admin.ProjectListRequest{Limit: 1}, opts...); err != nil {
		return fmt.Errorf("ping FlyteAdmin: %w", err)
	}
	return nil
}

// WaitReady calls Ping every interval until it succeeds or ctx ends; it
// returns the last Ping error joined with the context error in the latter case.
func WaitReady(ctx context.Context, client service.AdminServiceClient, interval time.Duration) error {
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, interval)
		err := Ping(attemptCtx, client)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("FlyteAdmin not ready: %w (last error: %w)", ctx.Err(), err)
		case <-time.After(interval):
		}
	}
}

// RetryUnavailable calls fn until it returns an error whose gRPC code is not
// codes.Unavailable (or nil), waiting interval between attempts, and gives up
// when ctx ends. It returns fn's last result and the number of attempts.
//
// A restarted FlyteAdmin needs this even with grpc.WaitForReady: an RPC sent
// on the transport to the old, just-killed process fails with Unavailable
// ("error reading from server: EOF") and is not retried by gRPC itself.
func RetryUnavailable(ctx context.Context, interval time.Duration, fn func(context.Context) error) (error, int) {
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if status.Code(err) != codes.Unavailable {
			return err, attempt
		}
		select {
		case <-ctx.Done():
			return err, attempt
		case <-time.After(interval):
		}
	}
}

var versionSeq atomic.Int64

// UniqueVersion returns a URL-safe task version that differs between calls
// and between test processes, so tests can run repeatedly against one
// database. prefix must be URL-safe itself.
func UniqueVersion(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", strings.TrimSuffix(prefix, "-"), time.Now().UnixNano(), versionSeq.Add(1))
}

// WorkDir returns EnvWorkDir, or a test temp dir when it is unset.
func WorkDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv(EnvWorkDir); d != "" {
		return d
	}
	return t.TempDir()
}
