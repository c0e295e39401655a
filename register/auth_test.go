package register_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/register"
)

const (
	testClientSecret = "client-secret-DO-NOT-LEAK"
	testAccessToken  = "access-token-DO-NOT-LEAK"
)

// tokenServer is an OAuth2 token endpoint for the client-credentials grant (client "ci" with
// testClientSecret); while refuse is set it refuses every client.
type tokenServer struct {
	*httptest.Server
	refuse   atomic.Bool
	requests atomic.Int32
	audience atomic.Value
	scope    atomic.Value
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		ts.audience.Store(r.PostForm.Get("audience"))
		ts.scope.Store(r.PostForm.Get("scope"))
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("grant_type") != "client_credentials" || id != "ci" || secret != testClientSecret || ts.refuse.Load() {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": testAccessToken, "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(ts.Close)
	return ts
}

// requireBearer is a server interceptor accepting only the test token under header.
func requireBearer(header string) grpc.ServerOption {
	return grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		if v := md.Get(header); len(v) != 1 || v[0] != "Bearer "+testAccessToken {
			return nil, status.Error(codes.Unauthenticated, "missing or bad token")
		}
		return h(ctx, req)
	})
}

func writeSecret(t *testing.T, secret string) string {
	p := filepath.Join(t.TempDir(), "client_secret")
	require.NoError(t, os.WriteFile(p, []byte(secret+"\n"), 0o600))
	return p
}

func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		assert.NotContains(t, s, testClientSecret)
		assert.NotContains(t, s, testAccessToken)
	}
}

func TestClientSecretFlowOverPlaintextWhenAllowed(t *testing.T) {
	tok := newTokenServer(t)
	f := newFakeAdmin()
	s := startServer(t, f, false, requireBearer("flyte-authorization"))
	cfg := s.config()
	cfg.Auth.AllowTokensOverPlaintext = true
	cfg.Auth.Type = register.AuthClientSecret
	cfg.Auth.ClientID = "ci"
	cfg.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	cfg.Auth.TokenURL = tok.URL
	cfg.Auth.Scopes = []string{"all"}
	cfg.Auth.Audience = "https://flyte.example.com"
	cfg.Auth.Header = "Flyte-Authorization"
	c := newClient(t, cfg)
	res, err := c.Register(context.Background(), manySpecs(t, 5), target)
	require.NoError(t, err)
	for _, r := range res {
		assert.Equal(t, register.Created, r.Outcome)
	}
	assert.Equal(t, int32(1), tok.requests.Load(), "the token is fetched once and reused")
	assert.Equal(t, "https://flyte.example.com", tok.audience.Load())
	assert.Equal(t, "all", tok.scope.Load())
	assertNoSecrets(t, cfg.String())
}

func TestClientSecretFromEnvWrongSecretIsUnauthenticated(t *testing.T) {
	tok := newTokenServer(t)
	f := newFakeAdmin()
	s := startServer(t, f, false, requireBearer("authorization"))
	t.Setenv("REGISTER_TEST_SECRET", "wrong-"+testClientSecret)
	cfg := s.config()
	cfg.Auth.AllowTokensOverPlaintext = true
	cfg.Auth.Type = register.AuthClientSecret
	cfg.Auth.ClientID = "ci"
	cfg.Auth.ClientSecretEnvVar = "REGISTER_TEST_SECRET"
	cfg.Auth.ClientSecretLocation = writeSecret(t, testClientSecret) // the env var wins, as in flytectl
	cfg.Auth.TokenURL = tok.URL
	c := newClient(t, cfg)
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	r := res[0]
	assert.Equal(t, register.Failed, r.Outcome)
	assert.Equal(t, codes.Unauthenticated, r.Code)
	assert.Equal(t, 1, r.Attempts, "Unauthenticated is not retried")
	assertNoSecrets(t, r.Reason, r.String(), r.Err.Error(), err.Error())
	t.Log(r.String())
	calls, _, _ := snapshot(f)
	assert.Empty(t, calls, "no request reaches the server without a token")
}

func TestServerRejectsMissingToken(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, false, requireBearer("authorization"))
	c := dialFast(t, s, nil)
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	assert.Equal(t, codes.Unauthenticated, res[0].Code)
	assert.Equal(t, 1, res[0].Attempts)
}

// selfSigned returns a server certificate for "bufnet" and its PEM encoding.
func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bufnet"},
		DNSNames:              []string{"bufnet"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestTLS(t *testing.T) {
	cert, caPEM := selfSigned(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, caPEM, 0o600))
	tok := newTokenServer(t)
	f := newFakeAdmin()
	s := startServer(t, f, false, grpc.Creds(credentials.NewServerTLSFromCert(&cert)), requireBearer("authorization"))
	base := func() register.Options {
		cfg := s.config()
		cfg.Insecure = false
		cfg.Retry.MaxRetries = -1
		cfg.Auth.Type = register.AuthClientSecret
		cfg.Auth.ClientID = "ci"
		cfg.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
		cfg.Auth.TokenURL = tok.URL
		return cfg
	}
	tests := []struct {
		name     string
		mut      func(*register.Options)
		wantCode codes.Code
	}{
		{name: "CA file", mut: func(c *register.Options) { c.CACertFile = caFile }, wantCode: codes.OK},
		{name: "skip verify", mut: func(c *register.Options) { c.InsecureSkipVerify = true }, wantCode: codes.OK},
		{name: "system roots reject a self-signed server", mut: func(*register.Options) {}, wantCode: codes.Unavailable},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.mut(&cfg)
			c := newClient(t, cfg)
			spec := daskSpec(t, "pkg.tls"+string(rune('a'+i)), 1)
			res, _ := c.Register(context.Background(), []*admin.TaskSpec{spec}, target)
			assert.Equal(t, tc.wantCode, res[0].Code, res[0].String())
			assertNoSecrets(t, res[0].String())
			t.Log(res[0].String())
		})
	}
}

// A token endpoint that accepts the request and never answers must not hang Register: the token
// fetch is bounded by the attempt's context, so cancelling ctx ends the run (and PerRetryTimeout
// ends each attempt, which is then retried like any other DeadlineExceeded).
func TestHangingTokenEndpointHonoursContext(t *testing.T) {
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); idp.Close() })
	f := newFakeAdmin()
	s := startServer(t, f, false, requireBearer("authorization"))

	for _, tc := range []struct {
		name string
		mut  func(*register.Options)
	}{
		{name: "client secret flow", mut: func(cfg *register.Options) {
			cfg.Auth.Type = register.AuthClientSecret
			cfg.Auth.ClientID = "ci"
			cfg.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
			cfg.Auth.TokenURL = idp.URL
		}},
		{name: "caller's token source", mut: func(cfg *register.Options) {
			cfg.Auth.TokenSource = blockingTokenSource{arrived: arrived, release: release}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := s.config()
			cfg.Auth.AllowTokensOverPlaintext = true
			cfg.Retry.MaxRetries = -1
			cfg.Retry.PerRetryTimeout = time.Hour
			tc.mut(&cfg)
			c := newClient(t, cfg)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-arrived // the token request is in flight
				cancel()
			}()
			done := make(chan struct{})
			var (
				res []register.Result
				err error
			)
			go func() {
				defer close(done)
				res, err = c.Register(ctx, manySpecs(t, 1), target)
			}()
			select {
			case <-done:
			case <-time.After(time.Minute): // liveness guard only: without the fix Register never returns
				t.Fatal("Register did not return after its context was cancelled while fetching a token")
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, register.Failed, res[0].Outcome)
			assert.Equal(t, codes.Canceled, res[0].Code)
			assertNoSecrets(t, res[0].String(), err.Error())
		})
	}
}

// blockingTokenSource signals each Token call on arrived and blocks until release is closed.
type blockingTokenSource struct {
	arrived chan<- struct{}
	release <-chan struct{}
}

func (b blockingTokenSource) Token() (*oauth2.Token, error) {
	b.arrived <- struct{}{}
	<-b.release
	return nil, errors.New("released")
}

// Each attempt's PerRetryTimeout bounds its token fetch too; the DeadlineExceeded attempt is retried
// with a new token request.
func TestHangingTokenEndpointAttemptTimeoutIsRetried(t *testing.T) {
	// fetches counts token fetches: x/oauth2 starts each fetch with the credentials in the
	// Authorization header and, when that request fails (here: times out), may probe again with them
	// in the form, depending on how far the probe gets before the attempt's deadline. Only the first
	// request of a fetch carries the header, so counting those counts fetches on any machine load.
	var fetches atomic.Int32
	release := make(chan struct{})
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			fetches.Add(1)
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); idp.Close() })
	s := startServer(t, newFakeAdmin(), false, requireBearer("authorization"))
	cfg := s.config()
	cfg.Auth.AllowTokensOverPlaintext = true
	cfg.Auth.Type = register.AuthClientSecret
	cfg.Auth.ClientID = "ci"
	cfg.Auth.ClientSecretLocation = writeSecret(t, testClientSecret)
	cfg.Auth.TokenURL = idp.URL
	cfg.Retry.MaxRetries = 1
	cfg.Retry.PerRetryTimeout = 300 * time.Millisecond // room for the lazy first (bare) call on a loaded machine
	cfg.Retry.MaxBackoff = time.Millisecond
	c := newClient(t, cfg)
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	assert.Equal(t, register.Failed, res[0].Outcome)
	assert.Equal(t, codes.DeadlineExceeded, res[0].Code, res[0].String())
	assert.Equal(t, 2, res[0].Attempts)
	assert.Equal(t, int32(2), fetches.Load(), "one token fetch per attempt")
}

// An endpoint that echoes the token request back (a proxy's or debug server's error page) must not
// get the client secret into results or errors.
func TestTokenEndpointEchoingTheSecretIsRedacted(t *testing.T) {
	secret := testClientSecret + "/+&" // characters that form encoding changes
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "bad request: %s %s\n%s", r.Header.Get("Authorization"), body, body)
	}))
	t.Cleanup(idp.Close)
	s := startServer(t, newFakeAdmin(), false, requireBearer("authorization"))
	cfg := s.config()
	cfg.Auth.AllowTokensOverPlaintext = true
	cfg.Auth.Type = register.AuthClientSecret
	cfg.Auth.ClientID = "ci"
	cfg.Auth.ClientSecretLocation = writeSecret(t, secret)
	cfg.Auth.TokenURL = idp.URL
	c := newClient(t, cfg)
	res, err := c.Register(context.Background(), manySpecs(t, 1), target)
	require.Error(t, err)
	r := res[0]
	assert.Equal(t, codes.Unauthenticated, r.Code)
	for _, text := range []string{r.Reason, r.String(), r.Err.Error(), err.Error(), fmt.Sprintf("%+v", r)} {
		assert.NotContains(t, text, testClientSecret)
		assert.NotContains(t, text, url.QueryEscape(secret))
		assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte("ci:"+url.QueryEscape(secret))))
	}
	assert.Contains(t, r.Err.Error(), "<redacted>")
	t.Log(r.Err)
}
