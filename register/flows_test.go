package register_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/register"
)

// fakeIdP is an OAuth2 server with the grants flytectl's flows use: client_credentials (client "ci"),
// authorization_code with PKCE S256 and refresh_token (public client "flytectl"), and the device
// grant. Issued access tokens are remembered with their expiry; revoke makes the server refuse them.
type fakeIdP struct {
	*httptest.Server
	lifetime time.Duration // of access tokens; 1h when zero

	mu       sync.Mutex
	n        int
	valid    map[string]time.Time // access token -> expiry
	grants   map[string]int       // token requests per grant_type
	scopes   []string             // scope parameter of every token request
	codes    map[string]string    // authorization code -> code_challenge
	device   []string             // answers to device_code polls, in order; "" = issue the token
	polls    []time.Time
	audience []string
}

func newFakeIdP(t *testing.T) *fakeIdP {
	p := &fakeIdP{valid: map[string]time.Time{}, grants: map[string]int{}, codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "flytectl" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.n++
		code := fmt.Sprintf("code-%d", p.n)
		p.codes[code] = q.Get("code_challenge")
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+q.Get("state"), http.StatusFound)
	})
	mux.HandleFunc("/oauth2/device/auth", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"device_code": "dev-code", "user_code": "ABCD-EFGH", "verification_uri": p.URL + "/device",
			"interval": 1, "expires_in": 30,
		})
	})
	mux.HandleFunc("/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		grant := r.PostForm.Get("grant_type")
		p.mu.Lock()
		defer p.mu.Unlock()
		p.grants[grant]++
		p.scopes = append(p.scopes, r.PostForm.Get("scope"))
		p.audience = append(p.audience, r.PostForm.Get("audience"))
		fail := func(code int, e string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_, _ = fmt.Fprintf(w, `{"error":%q}`, e)
		}
		switch grant {
		case "client_credentials":
			id, secret, ok := r.BasicAuth()
			if !ok {
				id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
			}
			if id != "ci" || secret != testClientSecret {
				fail(http.StatusUnauthorized, "invalid_client")
				return
			}
		case "authorization_code":
			challenge, ok := p.codes[r.PostForm.Get("code")]
			sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
			if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
				fail(http.StatusBadRequest, "invalid_grant")
				return
			}
			delete(p.codes, r.PostForm.Get("code"))
		case "refresh_token":
			if !strings.HasPrefix(r.PostForm.Get("refresh_token"), "refresh-") {
				fail(http.StatusBadRequest, "invalid_grant")
				return
			}
		case "urn:ietf:params:oauth:grant-type:device_code":
			p.polls = append(p.polls, time.Now())
			if len(p.device) > 0 {
				answer := p.device[0]
				if len(p.device) > 1 || answer != "authorization_pending" {
					p.device = p.device[1:]
				}
				if answer != "" {
					fail(http.StatusBadRequest, answer)
					return
				}
			}
		default:
			fail(http.StatusBadRequest, "unsupported_grant_type")
			return
		}
		p.n++
		life := p.lifetime
		if life == 0 {
			life = time.Hour
		}
		tok := fmt.Sprintf("access-%d-%s", p.n, testAccessToken)
		p.valid[tok] = time.Now().Add(life)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": tok, "token_type": "Bearer", "expires_in": int(life / time.Second),
			"refresh_token": fmt.Sprintf("refresh-%d", p.n),
		})
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func (p *fakeIdP) grantCount(g string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.grants[g]
}

func (p *fakeIdP) revokeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.valid)
}

func (p *fakeIdP) accepts(tok string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	exp, ok := p.valid[tok]
	return ok && time.Now().Before(exp)
}

// fakeAuthMeta is FlyteAdmin's anonymous AuthMetadataService pointing at p.
type fakeAuthMeta struct {
	service.UnimplementedAuthMetadataServiceServer
	p           *fakeIdP
	redirectURI string
	calls       atomic.Int32
}

func (m *fakeAuthMeta) GetOAuth2Metadata(context.Context, *service.OAuth2MetadataRequest) (*service.OAuth2MetadataResponse, error) {
	m.calls.Add(1)
	return &service.OAuth2MetadataResponse{
		Issuer:                      m.p.URL,
		AuthorizationEndpoint:       m.p.URL + "/oauth2/authorize",
		TokenEndpoint:               m.p.URL + "/oauth2/token",
		DeviceAuthorizationEndpoint: m.p.URL + "/oauth2/device/auth",
	}, nil
}

func (m *fakeAuthMeta) GetPublicClientConfig(context.Context, *service.PublicClientAuthConfigRequest) (*service.PublicClientAuthConfigResponse, error) {
	m.calls.Add(1)
	return &service.PublicClientAuthConfigResponse{
		ClientId: "flytectl", RedirectUri: m.redirectURI, Scopes: []string{"all", "offline"},
		AuthorizationMetadataKey: "flyte-authorization", Audience: "https://flyte.example.com",
	}, nil
}

// authServer is a fake FlyteAdmin requiring a token p issued under "flyte-authorization", with its
// AuthMetadataService. unauthenticated counts refused calls.
type authServer struct {
	*bufServer
	admin           *fakeAdmin
	meta            *fakeAuthMeta
	unauthenticated atomic.Int32
}

func startAuthServer(t *testing.T, p *fakeIdP) *authServer {
	a := &authServer{admin: newFakeAdmin()}
	a.meta = &fakeAuthMeta{p: p, redirectURI: "http://" + freeLoopback(t) + "/callback"}
	check := grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if strings.HasPrefix(info.FullMethod, "/flyteidl.service.AuthMetadataService/") {
			return h(ctx, req)
		}
		md, _ := metadata.FromIncomingContext(ctx)
		v := md.Get("flyte-authorization")
		if len(v) != 1 || !strings.HasPrefix(v[0], "Bearer ") || !p.accepts(strings.TrimPrefix(v[0], "Bearer ")) {
			a.unauthenticated.Add(1)
			return nil, status.Error(codes.Unauthenticated, "token parse error [JWT_VERIFICATION_FAILED]")
		}
		return h(ctx, req)
	})
	a.bufServer = startServer(t, a.admin, true, check)
	service.RegisterAuthMetadataServiceServer(a.srv, a.meta)
	a.start()
	return a
}

func (a *authServer) options(typ register.AuthType) register.Options {
	o := a.config()
	o.Retry.MaxBackoff = 2 * time.Millisecond
	o.Auth.Type = typ
	o.Auth.AllowTokensOverPlaintext = true // bufconn is plaintext
	return o
}

// freeLoopback returns a free 127.0.0.1:port.
func freeLoopback(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func assertAllCreatedOnce(t *testing.T, a *authServer, res []register.Result) {
	t.Helper()
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome, r.String())
		assertNoSecrets(t, r.String())
	}
	calls, _, _ := snapshot(a.admin)
	for name, n := range calls {
		assert.Equal(t, 1, n, "%s reached the task store once", name)
	}
}

// ClientSecret without tokenUrl, scopes or header: all three come from FlyteAdmin, as in flytectl.
func TestClientSecretDiscoversTokenURLScopesAndHeader(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	o.Auth.UseAudienceFromAdmin = true
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 6), target)
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	assert.Equal(t, 1, p.grantCount("client_credentials"), "one token for the run")
	assert.Equal(t, []string{"all offline"}, p.scopes)
	assert.Equal(t, []string{"https://flyte.example.com"}, p.audience)
	assert.LessOrEqual(t, a.meta.calls.Load(), int32(2), "discovered once")
	for _, r := range res {
		assert.Equal(t, 1, r.Attempts, "the lazy first Unauthenticated answer is not an attempt")
	}
}

// A wrong secret fails every task at once with one message naming the client id: the refusal is
// remembered, not asked again per task, and Unauthenticated is not retried.
func TestClientSecretWrongSecretFailsOnce(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, "wrong-"+testClientSecret)
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 4), target, register.WithContinueOnError())
	require.Error(t, err)
	for _, r := range res {
		assert.Equal(t, codes.Unauthenticated, r.Code)
		assert.Equal(t, 1, r.Attempts)
		assert.Contains(t, r.Reason, `authentication failed for client id "ci" at `+p.URL+"/oauth2/token")
		assertNoSecrets(t, r.String(), r.Err.Error())
		assert.NotContains(t, r.String(), "wrong-")
	}
	// x/oauth2 tries the secret in the header, then in the body: one try.
	assert.LessOrEqual(t, p.grantCount("client_credentials"), 2)
	calls, _, _ := snapshot(a.admin)
	assert.Empty(t, calls)
}

// Tokens are replaced before they expire: with a 4 s lifetime and a 2 s window a run of ~4 s
// fetches several, FlyteAdmin never sees an expired one, and every task is created exactly once.
func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	p := newFakeIdP(t)
	p.lifetime = 4 * time.Second
	a := startAuthServer(t, p)
	a.admin.Latency = 250 * time.Millisecond
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	o.Auth.RefreshWindow = 2 * time.Second
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 16), target, register.WithConcurrency(1))
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	assert.GreaterOrEqual(t, p.grantCount("client_credentials"), 2)
	assert.Equal(t, int32(1), a.unauthenticated.Load(), "only the lazy first call went without a valid token")
}

// A token FlyteAdmin refuses (revoked) is replaced once and the call repeated once; a server that
// refuses every token gets exactly one replacement per call.
func TestUnauthenticatedRefreshesOnce(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	var refuseAll atomic.Bool
	a.admin.Hook = func(context.Context, *admin.TaskCreateRequest, int) error {
		if refuseAll.Load() {
			return status.Error(codes.Unauthenticated, "token parse error")
		}
		return nil
	}
	c := newClient(t, o)
	specs := manySpecs(t, 2)
	res, err := c.Register(context.Background(), specs[:1], target)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
	p.revokeAll()
	res, err = c.Register(context.Background(), specs[1:], target)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
	assert.Equal(t, 2, p.grantCount("client_credentials"))

	// Now every token is refused.
	refuseAll.Store(true)
	before := p.grantCount("client_credentials")
	res, err = c.Register(context.Background(), manySpecs(t, 3)[2:], target)
	require.Error(t, err)
	assert.Equal(t, codes.Unauthenticated, res[0].Code)
	assert.Equal(t, 1, res[0].Attempts)
	assert.Contains(t, res[0].Reason, "FlyteAdmin refused a freshly obtained ClientSecret token")
	assert.Equal(t, before+1, p.grantCount("client_credentials"), "one replacement, no loop")
	assertNoSecrets(t, res[0].String())
}

func writeScript(t *testing.T, body string) string {
	if runtime.GOOS == "windows" {
		t.Skip("shell script")
	}
	path := filepath.Join(t.TempDir(), "cmd.sh")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o700))
	return path
}

// ExternalCommand: the command's output is the token; after a refusal the command runs again.
func TestExternalCommand(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	// The command asks the IdP for a client-credentials token, as a CI helper would.
	tokenFile := filepath.Join(t.TempDir(), "token")
	get := func() {
		cc := newClientCredentialsToken(t, p)
		require.NoError(t, os.WriteFile(tokenFile, []byte(cc+"\n"), 0o600))
	}
	get()
	runs := filepath.Join(t.TempDir(), "runs")
	script := writeScript(t, fmt.Sprintf("echo run >> %q\ncat %q\n", runs, tokenFile))
	o := a.options(register.AuthExternalCommand)
	o.Auth.Command = []string{script}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 3), target)
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	b, _ := os.ReadFile(runs)
	assert.Equal(t, 1, strings.Count(string(b), "run"), "run once for the whole run")

	p.revokeAll()
	get()
	res, err = c.Register(context.Background(), manySpecs(t, 4)[3:], target)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
	b, _ = os.ReadFile(runs)
	assert.Equal(t, 2, strings.Count(string(b), "run"), "run again after FlyteAdmin refused the token")
}

func newClientCredentialsToken(t *testing.T, p *fakeIdP) string {
	resp, err := http.PostForm(p.URL+"/oauth2/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {testClientSecret},
	})
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return body.AccessToken
}

// A failing command's output and standard error are never quoted (they may hold a token).
func TestExternalCommandFailure(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	script := writeScript(t, "echo "+testAccessToken+"\necho "+testAccessToken+" >&2\nexit 3\n")
	o := a.options(register.AuthExternalCommand)
	o.Auth.Command = []string{script, "--flag"}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	assert.Equal(t, codes.Unauthenticated, res[0].Code)
	assert.Contains(t, res[0].Reason, "authentication failed: admin.command \""+script+"\" exited with exit status 3")
	assertNoSecrets(t, res[0].String(), err.Error())
}

// browser follows the authorization URL like a browser whose user is logged in: the IdP redirects to
// the local listener, which takes the code.
func browser(t *testing.T, opened chan<- string) func(string) error {
	return func(u string) error {
		opened <- u
		go func() {
			resp, err := http.Get(u) // follows the redirect to the listener
			if err != nil {
				t.Log("browser:", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}

func TestPkce(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	var prompt bytes.Buffer
	opened := make(chan string, 4)
	o := a.options(register.AuthPkce)
	o.Auth.Prompt = &syncWriter{w: &prompt}
	o.Auth.OpenBrowser = browser(t, opened)
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 4), target)
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	require.Len(t, opened, 1, "one login for the run")
	u := <-opened
	assert.Contains(t, u, p.URL+"/oauth2/authorize?")
	assert.Contains(t, u, "code_challenge_method=S256")
	assert.Contains(t, u, "client_id=flytectl")
	assert.Contains(t, prompt.String(), u, "the URL is printed for a terminal without a browser")
	assert.Equal(t, 1, p.grantCount("authorization_code"))

	// A refused token is replaced through the refresh token, without a browser.
	p.revokeAll()
	res, err = c.Register(context.Background(), manySpecs(t, 5)[4:], target)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
	assert.Equal(t, 1, p.grantCount("refresh_token"))
	assert.Empty(t, opened)
	assertNoSecrets(t, prompt.String())
}

// Without a browser nobody follows the URL: the flow ends after pkceConfig.timeout with a message
// saying what to use instead, and the redirect port is free again.
func TestPkceTimesOutCleanly(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	var prompt bytes.Buffer
	o := a.options(register.AuthPkce)
	o.Auth.Prompt = &syncWriter{w: &prompt}
	o.Auth.OpenBrowser = func(string) error { return fmt.Errorf("no display") }
	o.Auth.Pkce.Timeout = 300 * time.Millisecond
	c := newClient(t, o)
	start := time.Now()
	res, err := c.Register(context.Background(), manySpecs(t, 3), target, register.WithContinueOnError())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	for _, r := range res {
		assert.Equal(t, codes.Unauthenticated, r.Code, r.String())
		assert.Contains(t, r.Reason, "Pkce: no browser redirect to "+a.meta.redirectURI+" within 300ms (without a browser on this machine use authType DeviceFlow or ExternalCommand)")
	}
	assert.Equal(t, 1, strings.Count(prompt.String(), "/oauth2/authorize?"), "asked once, not once per task")
	l, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(a.meta.redirectURI, "http://"), "/callback"))
	require.NoError(t, err, "the redirect listener is closed")
	_ = l.Close()
}

func TestDeviceFlowPollsWithSlowDown(t *testing.T) {
	t.Parallel()
	p := newFakeIdP(t)
	p.device = []string{"authorization_pending", "slow_down", ""}
	a := startAuthServer(t, p)
	var prompt bytes.Buffer
	o := a.options(register.AuthDeviceFlow)
	o.Auth.Prompt = &syncWriter{w: &prompt}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 3), target)
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	assert.Contains(t, prompt.String(), "DeviceFlow: to log in to Flyte, open "+p.URL+"/device in any browser and enter the code ABCD-EFGH")
	p.mu.Lock()
	polls := append([]time.Time(nil), p.polls...)
	p.mu.Unlock()
	require.Len(t, polls, 3)
	assert.GreaterOrEqual(t, polls[1].Sub(polls[0]), 500*time.Millisecond, "interval 1 s (a ticker: a late first poll shortens the gap)")
	assert.GreaterOrEqual(t, polls[2].Sub(polls[1]), 5500*time.Millisecond, "slow_down adds 5 s")
}

func TestDeviceFlowExpires(t *testing.T) {
	t.Parallel()
	p := newFakeIdP(t)
	p.device = []string{"authorization_pending", "expired_token"}
	a := startAuthServer(t, p)
	o := a.options(register.AuthDeviceFlow)
	o.Auth.Prompt = &syncWriter{w: &bytes.Buffer{}}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 2), target, register.WithContinueOnError())
	require.Error(t, err)
	for _, r := range res {
		assert.Equal(t, codes.Unauthenticated, r.Code)
		assert.Contains(t, r.Reason, "DeviceFlow: the device code expired before it was approved")
	}

	// The flow's own timeout ends polling too.
	p2 := newFakeIdP(t)
	p2.device = []string{"authorization_pending"}
	a2 := startAuthServer(t, p2)
	o = a2.options(register.AuthDeviceFlow)
	o.Auth.Prompt = &syncWriter{w: &bytes.Buffer{}}
	o.Auth.DeviceFlow.Timeout = 2500 * time.Millisecond
	c2 := newClient(t, o)
	res, err = c2.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	assert.Contains(t, res[0].Reason, "DeviceFlow: not approved within 2.5s (deviceFlowConfig.timeout)")
}

// With no authType, an Unauthenticated answer says what to configure.
func TestNoAuthTypeHint(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthNone)
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	assert.Equal(t, codes.Unauthenticated, res[0].Code)
	assert.Contains(t, res[0].Reason, "set admin.authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)")
}

// syncWriter serialises writes (the flows print from the goroutine that runs them).
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// proxyCommand's token goes with every gRPC call (AuthMetadataService included) as
// proxy-authorization, next to the flow's token, and with the OAuth2 requests.
func TestProxyCommand(t *testing.T) {
	p := newFakeIdP(t)
	var idpProxyHeader atomic.Value
	inner := p.Config.Handler
	p.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idpProxyHeader.Store(r.Header.Get("Proxy-Authorization"))
		inner.ServeHTTP(w, r)
	})
	var missing atomic.Int32
	a := &authServer{admin: newFakeAdmin()}
	a.meta = &fakeAuthMeta{p: p, redirectURI: "http://" + freeLoopback(t) + "/callback"}
	proxyCheck := grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		if v := md.Get("proxy-authorization"); len(v) != 1 || v[0] != "Bearer proxy-"+testAccessToken {
			missing.Add(1)
			return nil, status.Error(codes.PermissionDenied, "proxy says no")
		}
		if strings.HasPrefix(info.FullMethod, "/flyteidl.service.AuthMetadataService/") {
			return h(ctx, req)
		}
		if v := md.Get("flyte-authorization"); len(v) != 1 || !p.accepts(strings.TrimPrefix(v[0], "Bearer ")) {
			return nil, status.Error(codes.Unauthenticated, "no token")
		}
		return h(ctx, req)
	})
	a.bufServer = startServer(t, a.admin, true, proxyCheck)
	service.RegisterAuthMetadataServiceServer(a.srv, a.meta)
	a.start()
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	o.Auth.ProxyCommand = []string{writeScript(t, "echo proxy-"+testAccessToken+"\n")}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 2), target)
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	assert.Zero(t, missing.Load())
	assert.Equal(t, "Bearer proxy-"+testAccessToken, idpProxyHeader.Load())
}

// flakySource fails its first call, then hands out a token p issued.
type flakySource struct {
	calls atomic.Int32
	tok   string
}

func (f *flakySource) Token() (*oauth2.Token, error) {
	if f.calls.Add(1) == 1 {
		return nil, fmt.Errorf("vault unreachable")
	}
	return &oauth2.Token{AccessToken: f.tok, TokenType: "Bearer"}, nil
}

// A caller's TokenSource that fails is asked again on the next call (it is not a refusal); the
// failure is Unavailable, so retried when retries are configured.
func TestTokenSourceFailureIsNotRemembered(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthNone)
	o.Retry.MaxRetries = -1 // no retries
	o.Auth.Header = "flyte-authorization"
	src := &flakySource{tok: newClientCredentialsToken(t, p)}
	o.Auth.TokenSource = src
	c := newClient(t, o)
	specs := manySpecs(t, 2)
	res, err := c.Register(context.Background(), specs[:1], target)
	require.Error(t, err)
	assert.Equal(t, codes.Unavailable, res[0].Code)
	assert.Contains(t, res[0].Reason, "token source: vault unreachable")
	res, err = c.Register(context.Background(), specs[1:], target)
	require.NoError(t, err)
	assert.Equal(t, register.Created, res[0].Outcome)
}

// flakyTransport answers the token requests whose number (1-based) mode handles, and passes the
// others to the IdP.
type flakyTransport struct {
	n    atomic.Int32
	mode func(n int32) (*http.Response, error, bool)
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if resp, err, ok := f.mode(f.n.Add(1)); ok {
		return resp, err
	}
	return http.DefaultTransport.RoundTrip(r)
}

func unavailableAnswer() *http.Response {
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
		Header: http.Header{"Content-Type": {"text/html"}}, Body: io.NopCloser(strings.NewReader("<html>upstream connect error</html>"))}
}

// The IdP is unreachable for a moment while the token is inside its refresh window but has not
// expired: the cached token is used, and the run succeeds.
func TestRefreshNetworkErrorUsesTheStillValidToken(t *testing.T) {
	p := newFakeIdP(t)
	p.lifetime = 5 * time.Second
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	o.Auth.RefreshWindow = 2 * time.Second
	rt := &flakyTransport{mode: func(n int32) (*http.Response, error, bool) {
		if n >= 2 { // every refresh fails
			return nil, errors.New("dial tcp 10.0.0.1:443: connect: connection refused"), true
		}
		return nil, nil, false
	}}
	o.Auth.HTTPClient = &http.Client{Transport: rt}
	c := newClient(t, o)
	_, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.a", 1)}, target)
	require.NoError(t, err)
	time.Sleep(3500 * time.Millisecond) // valid ~1.5 s more, inside the 2 s refresh window
	res, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.b", 1)}, target)
	require.NoError(t, err, "%v", res)
	assert.GreaterOrEqual(t, rt.n.Load(), int32(2), "a refresh was tried")
}

// A token endpoint that cannot be reached fails the call Unavailable (retryable), not
// Unauthenticated, and is not remembered.
func TestTokenEndpointNetworkErrorIsUnavailable(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	o.Retry = register.RetryPolicy{MaxRetries: -1, PerRetryTimeout: 5 * time.Second} // no retries
	rt := &flakyTransport{mode: func(n int32) (*http.Response, error, bool) {
		if n <= 2 { // x/oauth2 tries the secret in the header, then in the body
			return nil, errors.New("dial tcp 10.0.0.1:443: connect: connection refused"), true
		}
		return nil, nil, false
	}}
	o.Auth.HTTPClient = &http.Client{Transport: rt}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.a", 1)}, target)
	require.Error(t, err)
	assert.Equal(t, codes.Unavailable, res[0].Code, res[0].String())
	assertNoSecrets(t, res[0].String(), res[0].Err.Error())
	_, err = c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.b", 1)}, target)
	require.NoError(t, err, "the network error is not remembered")
}

// A 503 from the token endpoint (an ingress during a restart) is retried within the run and not
// remembered as a refusal.
func TestTokenEndpoint503IsRetriedNotSticky(t *testing.T) {
	p := newFakeIdP(t)
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	rt := &flakyTransport{mode: func(n int32) (*http.Response, error, bool) {
		if n == 1 || n == 2 {
			return unavailableAnswer(), nil, true
		}
		return nil, nil, false
	}}
	o.Auth.HTTPClient = &http.Client{Transport: rt}
	c := newClient(t, o)
	res, err := c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.a", 1)}, target)
	require.NoError(t, err, "%v", res)
	assert.Greater(t, res[0].Attempts, 1, "retried")
	_, err = c.Register(context.Background(), []*admin.TaskSpec{daskSpec(t, "pkg.b", 1)}, target)
	require.NoError(t, err)
}

// With no retries (flytectl's maxRetries: 0), a DeviceFlow login that outlasts the attempt's
// timeout does not fail the call DeadlineExceeded right after it succeeded: the call gets a fresh
// attempt timeout under the caller's context.
func TestDeviceFlowLongerThanAttemptTimeoutWithoutRetries(t *testing.T) {
	t.Parallel()
	p := newFakeIdP(t)
	p.device = []string{"authorization_pending", ""} // about 1-2 s of polling
	a := startAuthServer(t, p)
	o := a.options(register.AuthDeviceFlow)
	o.Auth.Prompt = &syncWriter{w: &bytes.Buffer{}}
	o.Retry.MaxRetries = -1 // flytectl's maxRetries: 0
	o.Retry.PerRetryTimeout = 500 * time.Millisecond
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 2), target)
	require.NoError(t, err, "%v", res)
	assertAllCreatedOnce(t, a, res)
	assert.Equal(t, 2, p.grantCount("urn:ietf:params:oauth:grant-type:device_code"), "one login: two polls")
}

// A refresh window at least as long as the token's lifetime is capped at half the lifetime: the
// token is reused, not fetched again for every call.
func TestRefreshWindowLongerThanLifetimeIsCapped(t *testing.T) {
	p := newFakeIdP(t)
	p.lifetime = 4 * time.Second
	a := startAuthServer(t, p)
	o := a.options(register.AuthClientSecret)
	o.Auth.ClientID = "ci"
	o.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	o.Auth.RefreshWindow = time.Minute
	c := newClient(t, o)
	res, err := c.Register(context.Background(), manySpecs(t, 8), target, register.WithConcurrency(1))
	require.NoError(t, err)
	assertAllCreatedOnce(t, a, res)
	assert.Equal(t, 1, p.grantCount("client_credentials"), "one token for a run well inside half its lifetime")
}

// Pkce: when refreshing a still-valid token inside the refresh window fails, the token is used
// until it expires; nobody is asked to log in again meanwhile.
func TestPkceRefreshFailureKeepsTheValidToken(t *testing.T) {
	p := newFakeIdP(t)
	p.lifetime = 4 * time.Second
	a := startAuthServer(t, p)
	opened := make(chan string, 4)
	o := a.options(register.AuthPkce)
	o.Auth.Prompt = &syncWriter{w: &bytes.Buffer{}}
	o.Auth.OpenBrowser = browser(t, opened)
	o.Auth.RefreshWindow = 2 * time.Second
	var refreshes atomic.Int32
	o.Auth.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && r.URL.Path == "/oauth2/token" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if strings.Contains(string(body), "grant_type=refresh_token") {
				refreshes.Add(1)
				return unavailableAnswer(), nil
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newClient(t, o)
	_, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.NoError(t, err)
	require.Len(t, opened, 1)
	<-opened
	time.Sleep(2500 * time.Millisecond) // valid ~1.5 s more, inside the 2 s window
	res, err := c.Register(context.Background(), manySpecs(t, 2)[1:], target)
	require.NoError(t, err, "%v", res)
	assert.Positive(t, refreshes.Load(), "a refresh was tried")
	assert.Empty(t, opened, "no second login while the token is valid")
	assert.Equal(t, 1, p.grantCount("authorization_code"))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
