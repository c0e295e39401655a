package register_test

// Tests for the defects of the second API review (../shared/reference/api-review.md, V1-V12 and
// concerns C2, C4, C5). Each failed before its fix.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/protodiff"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

// recordAuth is a server interceptor that records the authorization header of every call (and
// refuses calls without the test token).
type recordAuth struct {
	mu   sync.Mutex
	seen []string
}

func (r *recordAuth) option() grpc.ServerOption {
	return grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		got := strings.Join(md.Get("authorization"), ",")
		r.mu.Lock()
		r.seen = append(r.seen, got)
		r.mu.Unlock()
		if got != "Bearer "+testAccessToken {
			return nil, status.Error(codes.Unauthenticated, "missing or bad token")
		}
		return h(ctx, req)
	})
}

func (r *recordAuth) tokens() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// V1: insecure transport credentials in DialOptions (Insecure false) must not carry a token.
func TestTokenNotSentOverPlaintextDialOptions(t *testing.T) {
	rec := &recordAuth{}
	s := startServer(t, newFakeAdmin(), false, rec.option())
	for _, typ := range []string{"TokenSource", "ExternalCommand"} {
		t.Run(typ, func(t *testing.T) {
			cfg := s.config()
			cfg.Insecure = false // the DialOptions make the transport plaintext anyway
			cfg.DialOptions = append(cfg.DialOptions, grpc.WithTransportCredentials(insecure.NewCredentials()))
			cfg.Retry.MaxRetries = -1
			if typ == "TokenSource" {
				cfg.Auth.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testAccessToken})
			} else {
				cfg.Auth.Type = register.AuthExternalCommand
				cfg.Auth.Command = []string{"echo", testAccessToken}
			}
			c := newClient(t, cfg)
			res, err := c.Register(context.Background(), manySpecs(t, 1), target)
			require.Error(t, err)
			assert.Equal(t, register.Failed, res[0].Outcome)
			assert.Equal(t, codes.Unauthenticated, res[0].Code)
			assert.Contains(t, res[0].Reason, "plaintext")
			for _, tok := range rec.tokens() {
				assert.Empty(t, tok, "a token reached the server over plaintext")
			}
		})
	}
	// With the opt-in the same connection carries the token.
	cfg := s.config()
	cfg.Insecure = false
	cfg.DialOptions = append(cfg.DialOptions, grpc.WithTransportCredentials(insecure.NewCredentials()))
	cfg.Auth.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testAccessToken})
	cfg.Auth.AllowTokensOverPlaintext = true
	c := newClient(t, cfg)
	_, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.NoError(t, err)
}

// V2: New's error for a bad proxy URL does not contain the password.
func TestProxyURLPasswordNotInError(t *testing.T) {
	for _, u := range []string{"http://alice:s3cr3t@proxy.corp:3128/%zz", "http://alice:s3cr3t@proxy.corp:31x8"} {
		_, err := register.New(register.Options{Endpoint: "localhost:1", HTTPProxyURL: u})
		require.Error(t, err, u)
		assert.ErrorIs(t, err, register.ErrConfig)
		assert.NotContains(t, err.Error(), "s3cr3t")
		assert.Contains(t, err.Error(), "httpProxyURL")
	}
}

// V3: a token command that leaves a child holding its stdout does not outlive the context.
func TestExternalCommandHonoursContextWithOrphan(t *testing.T) {
	rec := &recordAuth{}
	s := startServer(t, newFakeAdmin(), false, rec.option())
	cfg := s.config()
	cfg.Retry = register.RetryPolicy{MaxRetries: -1, PerRetryTimeout: 200 * time.Millisecond}
	cfg.Auth = register.Auth{Type: register.AuthExternalCommand, AllowTokensOverPlaintext: true,
		Command: []string{"sh", "-c", "sleep 5 & wait; echo tok"}}
	c, err := register.New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, _ := c.Register(ctx, manySpecs(t, 1), target)
	assert.Less(t, time.Since(start), 2*time.Second, "Register waited for the orphan")
	assert.Equal(t, register.Failed, res[0].Outcome)
	assert.Equal(t, codes.DeadlineExceeded, res[0].Code)
	start = time.Now()
	require.NoError(t, c.Close())
	assert.Less(t, time.Since(start), 2*time.Second, "Close waited for the orphan")
}

// failingGet is a TaskService whose GetTask always fails.
type failingGet struct{}

func (failingGet) CreateTask(context.Context, *admin.TaskCreateRequest, ...grpc.CallOption) (*admin.TaskCreateResponse, error) {
	return nil, status.Error(codes.Internal, "x")
}

func (failingGet) GetTask(context.Context, *admin.ObjectGetRequest, ...grpc.CallOption) (*admin.Task, error) {
	return nil, status.Error(codes.PermissionDenied, "denied")
}

// V4: the zero DiffStatus is not Same, and Diff returns it with every error.
func TestDiffStatusZeroIsNotSame(t *testing.T) {
	var zero register.DiffStatus
	assert.NotEqual(t, register.Same, zero)
	assert.Equal(t, "Unknown", zero.String())
	c := register.NewClient(failingGet{}, register.ClientOptions{})
	res, err := c.Diff(context.Background(), daskSpec(t, "a", 1), target)
	require.Error(t, err)
	assert.Equal(t, zero, res.Status)
	res, err = c.Diff(context.Background(), &admin.TaskSpec{}, target)
	require.Error(t, err)
	assert.Equal(t, zero, res.Status)
}

// V6: New copies every slice of Options: changing them afterwards changes nothing.
func TestNewCopiesCommandSlices(t *testing.T) {
	rec := &recordAuth{}
	s := startServer(t, newFakeAdmin(), false, rec.option())
	cfg := s.config()
	cfg.Retry.MaxRetries = -1
	cfg.Auth = register.Auth{Type: register.AuthExternalCommand, AllowTokensOverPlaintext: true,
		Command: []string{"echo", testAccessToken}, ProxyCommand: []string{"echo", "proxy"}, Scopes: []string{"all"}}
	c := newClient(t, cfg)
	cfg.Auth.Command[1] = "changed-after-New"
	cfg.Auth.ProxyCommand[0] = "false"
	cfg.Auth.Scopes[0] = "changed"
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
}

// V7: registertest's in-process client honours the context as the gRPC server does.
func TestRegistertestInProcessHonoursContext(t *testing.T) {
	for _, mode := range []string{"in-process", "gRPC"} {
		t.Run(mode, func(t *testing.T) {
			a := registertest.New()
			a.Latency = 2 * time.Second
			var svc register.TaskService = a.Client()
			if mode == "gRPC" {
				conn, stop, err := a.Serve()
				require.NoError(t, err)
				defer stop()
				svc = service.NewAdminServiceClient(conn)
			}
			c := register.NewClient(svc, register.ClientOptions{Retry: register.RetryPolicy{MaxRetries: 1, PerRetryTimeout: 50 * time.Millisecond, MaxBackoff: time.Millisecond}})
			start := time.Now()
			res, err := c.Register(context.Background(), manySpecs(t, 1), target)
			require.Error(t, err)
			assert.Less(t, time.Since(start), time.Second)
			assert.Equal(t, register.Failed, res[0].Outcome)
			assert.Equal(t, codes.DeadlineExceeded, res[0].Code)
			assert.Equal(t, 2, res[0].Attempts)
		})
	}
}

// hangTS is a TokenSource whose Token blocks until release is closed.
type hangTS struct {
	release         chan struct{}
	mu              sync.Mutex
	active, maxSeen int
	calls           int
}

func (h *hangTS) Token() (*oauth2.Token, error) {
	h.mu.Lock()
	h.active++
	h.calls++
	h.maxSeen = max(h.maxSeen, h.active)
	h.mu.Unlock()
	<-h.release
	h.mu.Lock()
	h.active--
	h.mu.Unlock()
	return &oauth2.Token{AccessToken: testAccessToken}, nil
}

// V8: a hanging TokenSource is called once at a time (single flight), not once per attempt, and
// nothing new starts after Close.
func TestHangingTokenSourceSingleFlight(t *testing.T) {
	s := startServer(t, newFakeAdmin(), false)
	ts := &hangTS{release: make(chan struct{})}
	cfg := s.config()
	cfg.Retry = register.RetryPolicy{MaxRetries: 5, PerRetryTimeout: 30 * time.Millisecond, MaxBackoff: time.Millisecond}
	cfg.Auth = register.Auth{TokenSource: ts, AllowTokensOverPlaintext: true}
	c, err := register.New(cfg)
	require.NoError(t, err)
	res, err := c.Register(context.Background(), manySpecs(t, 2), target, register.WithContinueOnError())
	require.Error(t, err)
	assert.Equal(t, 6, res[0].Attempts)
	require.NoError(t, c.Close())
	res, _ = c.Register(context.Background(), manySpecs(t, 1), target)
	assert.Equal(t, register.Failed, res[0].Outcome, "a closed client fails")
	ts.mu.Lock()
	assert.Equal(t, 1, ts.maxSeen, "concurrent Token calls")
	assert.Equal(t, 1, ts.calls, "Token calls in all")
	ts.mu.Unlock()
	close(ts.release)
}

// V9: ProxyCommand runs once for concurrent first calls.
func TestProxyCommandSingleFlight(t *testing.T) {
	f := filepath.Join(t.TempDir(), "count")
	s := startServer(t, newFakeAdmin(), false)
	cfg := s.config()
	cfg.Auth = register.Auth{ProxyCommand: []string{"sh", "-c", "echo run >> " + f + "; sleep 0.2; echo ptok"}}
	c := newClient(t, cfg)
	_, err := c.Register(context.Background(), manySpecs(t, 8), target)
	require.NoError(t, err)
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(b), "run"), "ProxyCommand runs")
}

// V10: BatchError.First does not change when the caller edits the results.
func TestBatchErrorFirstIsDeepCopy(t *testing.T) {
	a := registertest.New()
	a.Hook = func(_ context.Context, req *admin.TaskCreateRequest, _ int) error {
		if req.GetId().GetName() == "pkg.b" {
			return status.Error(codes.InvalidArgument, "task with different structure already exists")
		}
		return nil
	}
	put(a, daskSpec(t, "pkg.b", 7).Template, target)
	c := register.NewClient(a.Client(), register.ClientOptions{})
	specs := []*admin.TaskSpec{daskSpec(t, "pkg.a", 1), daskSpec(t, "pkg.b", 1), daskSpec(t, "pkg.c", 1)}
	res, err := c.Register(context.Background(), specs, target, register.WithConcurrency(1))
	var be *register.BatchError
	require.ErrorAs(t, err, &be)
	before := err.Error()
	require.NotEmpty(t, res[1].Diff)
	diffBefore := fmt.Sprint(be.First.Diff)
	res[1].ID.Name, res[1].ID.Version = "EDITED", "EDITED"
	res[1].Diff[0].Path = "EDITED"
	assert.Equal(t, before, err.Error())
	assert.Equal(t, diffBefore, fmt.Sprint(be.First.Diff))
}

// clientSecretOptions returns a token endpoint and Options for the ClientSecret flow against a fake
// FlyteAdmin that requires its token.
func clientSecretOptions(t *testing.T) (*tokenServer, register.Options) {
	tok := newTokenServer(t)
	s := startServer(t, newFakeAdmin(), false, requireBearer("authorization"))
	cfg := s.config()
	cfg.Auth = register.Auth{Type: register.AuthClientSecret, ClientID: "ci", ClientSecretLocation: writeSecret(t, testClientSecret),
		TokenURL: tok.URL, AllowTokensOverPlaintext: true}
	return tok, cfg
}

// V12: idle OAuth2 HTTP connections are closed by Close.
func TestClientSecretIdleConnsClosedByClose(t *testing.T) {
	_, cfg := clientSecretOptions(t)
	persist := func() int {
		buf := make([]byte, 1<<20)
		return strings.Count(string(buf[:runtime.Stack(buf, true)]), "net/http.(*persistConn)")
	}
	before := persist()
	c, err := register.New(cfg)
	require.NoError(t, err)
	_, err = c.Register(context.Background(), manySpecs(t, 1), target)
	require.NoError(t, err)
	require.Greater(t, persist(), before, "the token request left an idle connection")
	require.NoError(t, c.Close())
	deadline := time.Now().Add(2 * time.Second)
	for persist() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, before, persist(), "idle OAuth2 connections after Close")
}

// C2: a refusal by the token endpoint is remembered for one run, not for the Client's life.
func TestClientSecretRefusalScopedToRun(t *testing.T) {
	p, cfg := clientSecretOptions(t)
	p.refuse.Store(true)
	c := newClient(t, cfg)
	res, err := c.Register(context.Background(), manySpecs(t, 5), target, register.WithContinueOnError())
	require.Error(t, err)
	for _, r := range res {
		assert.Equal(t, codes.Unauthenticated, r.Code)
	}
	assert.LessOrEqual(t, p.requests.Load(), int32(2), "one run asks the token endpoint once (oauth2 may try two auth styles)")
	p.refuse.Store(false)
	res, err = c.Register(context.Background(), manySpecs(t, 5), target)
	require.NoError(t, err, "the next run asks again")
	assert.Equal(t, register.Created, res[0].Outcome)
}

// C5: %v, %+v and %#v of Auth do not print the command's arguments or a token.
func TestAuthFormattingHidesArguments(t *testing.T) {
	a := register.Auth{Type: register.AuthExternalCommand, Command: []string{"printf", "eyJ.secret-arg.sig"},
		ProxyCommand: []string{"proxy-login", "--password=secret-arg"},
		TokenSource:  oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testAccessToken})}
	o := register.Options{Endpoint: "x:1", Auth: a}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{a, &a, o, &o} {
			out := fmt.Sprintf(format, v)
			assert.NotContains(t, out, "secret-arg", format)
			assert.NotContains(t, out, testAccessToken, format)
		}
	}
	assert.Contains(t, fmt.Sprint(a), "printf")
}

// V5: OnRetry is an Options field, fixed when the Client is made: concurrent calls read it while
// nothing writes it (run under the race detector by make race).
func TestRetryEventsConcurrentCalls(t *testing.T) {
	a := registertest.New()
	a.Hook = func(_ context.Context, _ *admin.TaskCreateRequest, n int) error {
		if n < 3 {
			return status.Error(codes.Unavailable, "down")
		}
		return nil
	}
	var events atomic.Int32
	c := register.NewClient(a.Client(), register.ClientOptions{
		Retry:   register.RetryPolicy{MaxBackoff: time.Millisecond},
		OnRetry: func(register.RetryEvent) { events.Add(1) },
	})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, fmt.Sprintf("pkg.t%d", i), 1)}, target)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(8), events.Load(), "two retries for each of four tasks")
}

// C4: Pkce listens only on a loopback redirect host (RFC 8252 section 7.3): a redirect URI on
// another address is refused before anything listens or a browser opens.
func TestPkceRefusesNonLoopbackRedirect(t *testing.T) {
	for _, uri := range []string{"http://0.0.0.0:%s/callback", "http://example.com:%s/callback", "http://10.1.2.3:%s/callback"} {
		t.Run(uri, func(t *testing.T) {
			p := newFakeIdP(t)
			a := startAuthServer(t, p)
			_, port, _ := strings.Cut(freeLoopback(t), ":")
			a.meta.redirectURI = fmt.Sprintf(uri, port)
			o := a.options(register.AuthPkce)
			opened := false
			o.Auth.OpenBrowser = func(string) error { opened = true; return nil }
			o.Auth.Prompt = io.Discard
			o.Auth.Pkce.Timeout = 300 * time.Millisecond // bounds the test without the check
			c := newClient(t, o)
			res, err := c.Register(context.Background(), manySpecs(t, 1), target)
			require.Error(t, err)
			assert.Equal(t, codes.Unauthenticated, res[0].Code)
			assert.Contains(t, res[0].Reason, "Pkce needs a loopback redirect URI")
			assert.False(t, opened, "no browser was opened")
		})
	}
}

// The exported Unset is the marker Diff fills in (protodiff's, converted at the boundary).
func TestDifferenceUnsetMarker(t *testing.T) {
	assert.Equal(t, protodiff.Unset, register.Unset)
	a := registertest.New()
	old := daskSpec(t, "pkg.a", 1)
	put(a, old.Template, target)
	changed := daskSpec(t, "pkg.a", 1)
	changed.Template.GetContainer().Args = append(changed.Template.GetContainer().Args, "--extra")
	res, err := register.NewClient(a.Client(), register.ClientOptions{}).Diff(context.Background(), changed, target)
	require.NoError(t, err)
	assert.Equal(t, register.Changed, res.Status)
	assert.Equal(t, []register.Difference{{Path: "template.container.args[3]", Old: register.Unset, New: `"--extra"`}}, res.Differences)
	assert.Equal(t, `template.container.args[3]: <unset> -> "--extra"`, res.Differences[0].String())
}

// Preflight reports every problem as a *field.Error with the field's protojson path from the
// TaskSpec, as task.ValidateSpec does.
func TestPreflightFieldPaths(t *testing.T) {
	type fe struct {
		Type  field.ErrorType
		Field string
	}
	podSpec := func() *admin.TaskSpec {
		s := daskSpec(t, "pkg.pod", 1)
		ps, err := structpb.NewStruct(map[string]any{"containers": "not a list"})
		require.NoError(t, err)
		s.Template.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: ps}}
		return s
	}
	tests := []struct {
		name string
		spec *admin.TaskSpec
		want []fe
	}{
		{"nil spec", nil, []fe{{field.ErrorTypeRequired, ""}}},
		{"no template", &admin.TaskSpec{}, []fe{{field.ErrorTypeRequired, "template"}}},
		{"empty template", &admin.TaskSpec{Template: &core.TaskTemplate{}}, []fe{
			{field.ErrorTypeRequired, "template.id"}, {field.ErrorTypeRequired, "template.type"},
			{field.ErrorTypeRequired, "template.metadata"}, {field.ErrorTypeRequired, "template.interface"}}},
		{"no name, no runtime version, templated image", func() *admin.TaskSpec {
			s := daskSpec(t, "", 1)
			s.Template.Metadata.Runtime.Version = ""
			s.Template.GetContainer().Image = "{{.image.default.fqn}}"
			return s
		}(), []fe{{field.ErrorTypeRequired, "template.id.name"}, {field.ErrorTypeRequired, "template.metadata.runtime.version"},
			{field.ErrorTypeInvalid, "template.container.image"}}},
		{"no runtime, no image", func() *admin.TaskSpec {
			s := daskSpec(t, "pkg.a", 1)
			s.Template.Metadata.Runtime = nil
			s.Template.GetContainer().Image = ""
			return s
		}(), []fe{{field.ErrorTypeRequired, "template.metadata.runtime"}, {field.ErrorTypeRequired, "template.container.image"}}},
		{"pod spec flytectl cannot decode", podSpec(), []fe{{field.ErrorTypeInvalid, "template.k8sPod.podSpec"}}},
		{"valid", daskSpec(t, "pkg.ok", 1), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := register.Preflight(tc.spec)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			var verr *field.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.ErrorIs(t, err, register.ErrInvalidSpec)
			var got []fe
			for _, e := range verr.Errors {
				got = append(got, fe{e.Type, e.Field})
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
