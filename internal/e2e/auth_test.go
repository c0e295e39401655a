package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/internal/e2e/harness"
	"github.com/flytedask/flytedask/register"
)

// Tests against the FlyteAdmin run.sh starts with authentication on: TLS with a private CA, its own
// OAuth2 server (appAuth Self), the confidential client flytedask-ci, scopes [all], 45 s tokens.

const authClientID = "flytedask-ci"

// authEnv is the authenticating FlyteAdmin: its endpoint (127.0.0.1:PORT, gRPC and HTTPS on one
// port) and the directory with ca.pem and client_secret.
type authEnv struct {
	endpoint, dir, authkit string
}

func authAdmin(t *testing.T) authEnv {
	t.Helper()
	e := authEnv{os.Getenv("FLYTEDASK_E2E_AUTH_ENDPOINT"), os.Getenv("FLYTEDASK_E2E_AUTH_DIR"), os.Getenv("FLYTEDASK_E2E_AUTHKIT")}
	if e.endpoint == "" || e.dir == "" || e.authkit == "" {
		t.Skip("FLYTEDASK_E2E_AUTH_* not set: run through internal/e2e/run.sh")
	}
	return e
}

func (e authEnv) ca() string     { return filepath.Join(e.dir, "ca.pem") }
func (e authEnv) secret() string { return filepath.Join(e.dir, "client_secret") }
func (e authEnv) secretValue(t *testing.T) string {
	b, err := os.ReadFile(e.secret())
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

// config writes a flytectl config for the authenticating admin (TLS, CA from caCertFilePath) with
// the given extra admin lines. The same file is what flytectl v0.9.4 reads.
func (e authEnv) config(t *testing.T, extra ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "admin:\n  endpoint: dns:///%s\n  caCertFilePath: %s\n", e.endpoint, e.ca())
	for _, l := range extra {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// ClientSecret with neither tokenUrl nor scopes: both are discovered from FlyteAdmin (as is the
// metadata header, flyte-authorization); the tasks are Created and read back identical.
func TestAuthClientSecretDiscovered(t *testing.T) {
	e := authAdmin(t)
	cfg := e.config(t, "authType: ClientSecret", "clientId: "+authClientID, "clientSecretLocation: "+e.secret())
	version := harness.UniqueVersion("auth-cs")
	res := runCLI(t, append([]string{"register", "-f", helloSpec, "--config", cfg}, target(version)...)...)
	requireOutcomes(t, res, 0, "Created", helloTask, scoreTask)
	assert.NotContains(t, res.Stdout+res.Stderr, e.secretValue(t))

	// Read back through the same authenticated path: FlyteAdmin holds exactly these tasks.
	d := runCLI(t, append([]string{"diff", "-f", helloSpec, "--config", cfg}, target(version)...)...)
	require.Equal(t, 0, d.Code, "%s", d)
	assert.Equal(t, map[string]string{helloTask: "same", scoreTask: "same"}, diffLines(d.Stdout))
}

// A wrong secret: exit 1 well within 60 s, the message names the client id and says authentication
// failed, the secret is nowhere in the output, and the token endpoint is not hammered.
func TestAuthWrongSecret(t *testing.T) {
	e := authAdmin(t)
	wrong := "wrong-" + e.secretValue(t)
	secretFile := filepath.Join(t.TempDir(), "client_secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(wrong), 0o600))
	cfg := e.config(t, "authType: ClientSecret", "clientId: "+authClientID, "clientSecretLocation: "+secretFile)
	start := time.Now()
	res := runCLI(t, append([]string{"register", "-f", helloSpec, "--config", cfg}, target(harness.UniqueVersion("auth-wrong"))...)...)
	elapsed := time.Since(start)
	assert.Equal(t, 1, res.Code, "%s", res)
	assert.Less(t, elapsed, 60*time.Second)
	out := res.Stdout + res.Stderr
	assert.Contains(t, out, fmt.Sprintf(`authentication failed for client id %q at https://%s/oauth2/token`, authClientID, e.endpoint))
	assert.Contains(t, res.Stderr, fmt.Sprintf(`tasks failed, 0 not attempted: register: authentication failed for client id %q`, authClientID), "the last line says why")
	assert.NotContains(t, out, wrong)
	assert.NotContains(t, out, e.secretValue(t))
	for _, row := range []string{helloTask, scoreTask} {
		assert.Contains(t, tableOutcomes(t, res.Stdout)[row], "Failed")
	}
	// One attempt per task: Unauthenticated is not retried.
	for _, l := range strings.Split(res.Stdout, "\n") {
		if f := strings.Fields(l); len(f) > 3 && (f[0] == helloTask || f[0] == scoreTask) {
			assert.Equal(t, "1", f[3], "ATTEMPTS of %s", f[0])
		}
	}
}

// No authType against the authenticating server: exit 1 and a message saying to set admin.authType.
func TestAuthNoAuthType(t *testing.T) {
	e := authAdmin(t)
	cfg := e.config(t)
	res := runCLI(t, append([]string{"register", "-f", helloSpec, "--config", cfg}, target(harness.UniqueVersion("auth-none"))...)...)
	assert.Equal(t, 1, res.Code, "%s", res)
	assert.Contains(t, res.Stdout, "Unauthenticated")
	assert.Contains(t, res.Stdout, "set admin.authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)")
}

// ExternalCommand: a command printing a token obtained from the same server's token endpoint.
func TestAuthExternalCommand(t *testing.T) {
	e := authAdmin(t)
	cmd := fmt.Sprintf("command: [%s, token, -token-url, 'https://%s/oauth2/token', -ca, %s, -client-id, %s, -secret-file, %s]",
		e.authkit, e.endpoint, e.ca(), authClientID, e.secret())
	cfg := e.config(t, "authType: ExternalCommand", cmd)
	version := harness.UniqueVersion("auth-ext")
	res := runCLI(t, append([]string{"register", "-f", helloSpec, "--config", cfg}, target(version)...)...)
	requireOutcomes(t, res, 0, "Created", helloTask, scoreTask)
	assert.NotContains(t, res.Stdout+res.Stderr, e.secretValue(t))

	// The command's token itself is never printed.
	tok, err := exec.Command(e.authkit, "token", "-token-url", "https://"+e.endpoint+"/oauth2/token", "-ca", e.ca(),
		"-client-id", authClientID, "-secret-file", e.secret()).Output()
	require.NoError(t, err)
	assert.NotContains(t, res.Stdout+res.Stderr, strings.TrimSpace(string(tok)))
}

// tokenObserver records, from a client interceptor that runs after register's, the tokens sent and
// the Unauthenticated answers received.
type tokenObserver struct {
	mu              sync.Mutex
	tokens          []string // distinct, in first-use order
	unauthenticated int
	delay           atomic.Int64 // slept before each CreateTask
}

func (o *tokenObserver) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if d := time.Duration(o.delay.Load()); strings.HasSuffix(method, "/CreateTask") && d > 0 {
		time.Sleep(d) // a slow registration
	}
	// The client sends its token as per-RPC credentials (gRPC adds them to the headers only
	// over a secure connection).
	for _, co := range opts {
		pc, ok := co.(grpc.PerRPCCredsCallOption)
		if !ok {
			continue
		}
		md, err := pc.Creds.GetRequestMetadata(ctx)
		if v := md["flyte-authorization"]; err == nil && v != "" {
			o.mu.Lock()
			if len(o.tokens) == 0 || o.tokens[len(o.tokens)-1] != v {
				o.tokens = append(o.tokens, v)
			}
			o.mu.Unlock()
		}
	}
	err := invoker(ctx, method, req, reply, cc, opts...)
	if status.Code(err) == codes.Unauthenticated {
		o.mu.Lock()
		o.unauthenticated++
		o.mu.Unlock()
	}
	return err
}

// A registration longer than the token lifetime (45 s): the token is replaced before it expires,
// FlyteAdmin never refuses one after the lazy first call, and every task is created exactly once.
func TestAuthTokenRefreshedDuringLongRegistration(t *testing.T) {
	e := authAdmin(t)
	opts, err := register.LoadFlytectlConfig(e.config(t, "authType: ClientSecret", "clientId: "+authClientID, "clientSecretLocation: "+e.secret()))
	require.NoError(t, err)
	obs := &tokenObserver{}
	obs.delay.Store(int64(2 * time.Second))
	const n = 30 // 30 tasks, one at a time, 2 s each: about 60 s
	c, err := register.New(opts, func(o *register.Options) {
		o.DialOptions = append(o.DialOptions, grpc.WithChainUnaryInterceptor(obs.intercept))
	})
	require.NoError(t, err)
	defer c.Close()
	specs := make([]*admin.TaskSpec, n)
	for i := range specs {
		specs[i] = liveSpec(t, fmt.Sprintf("e2e.auth.long_%02d", i), 1)
	}
	target := libTarget("auth-long")
	start := time.Now()
	res, err := c.Register(context.Background(), specs, target, register.WithConcurrency(1))
	require.NoError(t, err)
	t.Logf("registered %d tasks in %s with %d tokens", n, time.Since(start).Round(time.Second), len(obs.tokens))
	require.Greater(t, time.Since(start), 45*time.Second, "the run outlived a token")
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome, r.String())
		assert.Equal(t, 1, r.Attempts, r.String())
	}
	assert.GreaterOrEqual(t, len(obs.tokens), 2, "the token was replaced")
	assert.Equal(t, 1, obs.unauthenticated, "only the first (bare) call was refused")
	// Nothing lost or duplicated: every task reads back identical (Diff Same), and registering
	// again yields AlreadyExisted for each.
	for _, s := range specs[:3] {
		d, err := c.Diff(context.Background(), s, target)
		require.NoError(t, err)
		assert.Equal(t, register.Same, d.Status)
	}
	obs.delay.Store(0)
	again, err := c.Register(context.Background(), specs, target, register.WithConcurrency(8))
	require.NoError(t, err)
	for _, r := range again {
		assert.Equal(t, register.AlreadyExisted, r.Outcome, r.String())
	}
}
