package register

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// TaskService is the part of FlyteAdmin's AdminService that a [Client] uses. The generated
// service.AdminServiceClient satisfies it; so does the in-memory fake of package registertest. Keeping
// it to two methods means a consumer's fake does not change when the IDL adds methods.
type TaskService interface {
	CreateTask(ctx context.Context, in *admin.TaskCreateRequest, opts ...grpc.CallOption) (*admin.TaskCreateResponse, error)
	GetTask(ctx context.Context, in *admin.ObjectGetRequest, opts ...grpc.CallOption) (*admin.Task, error)
}

var _ TaskService = service.AdminServiceClient(nil)

// Client registers tasks with FlyteAdmin. It is safe for concurrent use. Create it with [Dial], or with
// [NewClient] around any [TaskService] (tests, custom transports).
type Client struct {
	svc   TaskService
	conn  *grpc.ClientConn // nil when built by NewClient
	retry RetryPolicy
}

// ClientOption configures a Client built by [NewClient].
type ClientOption func(*Client)

// WithRetryPolicy sets how calls are retried; zero fields take the defaults (see [RetryPolicy]).
func WithRetryPolicy(p RetryPolicy) ClientOption {
	return func(c *Client) { c.retry = p.withDefaults() }
}

// NewClient wraps an existing AdminService client (or any [TaskService]). The caller keeps ownership of
// its connection; Close on the returned Client is a no-op.
func NewClient(svc TaskService, opts ...ClientOption) *Client {
	c := &Client{svc: svc, retry: RetryPolicy{}.withDefaults()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Dial creates a Client for cfg with grpc.NewClient. It reads the CA file and the client secret now,
// so configuration mistakes surface here, but it does not contact the server: connection problems show
// up as codes.Unavailable on the first call (and are retried there). ctx is used only for its values
// (e.g. an oauth2.HTTPClient for the token endpoint); the token source outlives its cancellation.
// Errors wrap [ErrConfig] and never contain secrets.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Endpoint) == "" {
		return nil, fmt.Errorf("%w: endpoint is empty", ErrConfig)
	}
	var opts []grpc.DialOption
	if cfg.Insecure {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	} else {
		creds, err := transportCredentials(cfg)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(creds))
	}
	fetch, err := tokenFetcher(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if fetch != nil {
		if cfg.Insecure && !cfg.AllowCredentialsOverPlaintext {
			return nil, fmt.Errorf("%w: refusing to send bearer tokens over a plaintext (insecure) connection; set AllowCredentialsOverPlaintext to override", ErrConfig)
		}
		header := cfg.AuthorizationHeader
		if header == "" {
			header = DefaultAuthorizationHeader
		}
		opts = append(opts, grpc.WithPerRPCCredentials(&bearerCredentials{
			tokens:    newTokenCache(fetch),
			header:    strings.ToLower(header),
			plaintext: cfg.Insecure,
		}))
	}
	opts = append(opts, cfg.DialOptions...)
	conn, err := grpc.NewClient(cfg.Endpoint, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: endpoint %q: %w", ErrConfig, cfg.Endpoint, err)
	}
	c := NewClient(service.NewAdminServiceClient(conn))
	c.conn = conn
	c.retry = cfg.retryPolicy()
	return c, nil
}

// Close releases the connection created by Dial.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

func transportCredentials(cfg Config) (credentials.TransportCredentials, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CACertFile != "" {
		pem, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA certificates: %w", ErrConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA certificates: no PEM certificate in %q", ErrConfig, cfg.CACertFile)
		}
		tlsCfg.RootCAs = pool
	}
	if cfg.InsecureSkipVerify {
		tlsCfg.InsecureSkipVerify = true //nolint:gosec // explicit user opt-in, as flytectl's insecureSkipVerify
	}
	return credentials.NewTLS(tlsCfg), nil
}

// tokenFetcher returns the function that fetches a fresh token within a context, or nil when no
// authentication is configured. The client-credentials request is made with ctx's cancellation and
// dialCtx's values (e.g. an oauth2.HTTPClient); a caller's TokenSource cannot be cancelled, so it runs
// in its own goroutine, which the caller stops waiting for when ctx ends.
func tokenFetcher(dialCtx context.Context, cfg Config) (func(context.Context) (*oauth2.Token, error), error) {
	if ts := cfg.TokenSource; ts != nil {
		return func(ctx context.Context) (*oauth2.Token, error) {
			type result struct {
				tok *oauth2.Token
				err error
			}
			ch := make(chan result, 1)
			go func() {
				tok, err := ts.Token()
				ch <- result{tok, err}
			}()
			select {
			case r := <-ch:
				return r.tok, r.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}, nil
	}
	cc, err := clientCredentials(cfg)
	if cc == nil || err != nil {
		return nil, err
	}
	values := context.WithoutCancel(dialCtx)
	return func(ctx context.Context) (*oauth2.Token, error) {
		fctx, cancel := context.WithCancel(values)
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()
		tok, err := cc.Token(fctx)
		if err != nil {
			// The error quotes the endpoint's response body, which may echo the request.
			return nil, errors.New(redactSecret(err.Error(), cc.ClientID, cc.ClientSecret))
		}
		return tok, nil
	}, nil
}

// redactSecret replaces the client secret in s, as sent in the token request (plain, form-encoded,
// or inside the basic-auth header), with "<redacted>".
func redactSecret(s, clientID, secret string) string {
	if secret == "" {
		return s
	}
	esc := url.QueryEscape(secret)
	for _, form := range []string{
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + esc)),
		base64.StdEncoding.EncodeToString([]byte(clientID + ":" + secret)),
		esc,
		secret,
	} {
		s = strings.ReplaceAll(s, form, "<redacted>")
	}
	return s
}

// clientCredentials returns the client-credentials configuration, or nil when no OAuth2 flow is
// configured.
func clientCredentials(cfg Config) (*clientcredentials.Config, error) {
	switch cfg.AuthType {
	case AuthNone:
		return nil, nil
	case AuthClientSecret:
	default:
		return nil, fmt.Errorf("%w: authType %s is not implemented; obtain a token yourself and set Config.TokenSource", ErrConfig, cfg.AuthType)
	}
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("%w: authType ClientSecret needs clientId", ErrConfig)
	}
	if cfg.TokenURL == "" {
		return nil, fmt.Errorf("%w: authType ClientSecret needs tokenUrl (discovery through FlyteAdmin is not implemented)", ErrConfig)
	}
	var secret string
	switch {
	case cfg.ClientSecretEnvVar != "":
		v, ok := os.LookupEnv(cfg.ClientSecretEnvVar)
		if !ok {
			return nil, fmt.Errorf("%w: client secret: environment variable %s is not set", ErrConfig, cfg.ClientSecretEnvVar)
		}
		secret = v
	default:
		loc := cfg.ClientSecretLocation
		if loc == "" {
			loc = DefaultClientSecretLocation
		}
		b, err := os.ReadFile(loc)
		if err != nil {
			// os errors carry the path and the operation, never file contents.
			return nil, fmt.Errorf("%w: client secret: %w", ErrConfig, err)
		}
		secret = string(b)
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, fmt.Errorf("%w: client secret is empty", ErrConfig)
	}
	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: secret,
		TokenURL:     cfg.TokenURL,
		Scopes:       cfg.Scopes,
	}
	if cfg.Audience != "" {
		cc.EndpointParams = url.Values{"audience": {cfg.Audience}}
	}
	return cc, nil
}

// tokenCache hands out a valid token, fetching a new one when there is none or it has expired. One
// fetch runs at a time; a caller waiting for it, or running it, gives up when its context ends, so
// a token endpoint that does not answer cannot outlast an RPC's deadline or cancellation.
type tokenCache struct {
	fetch func(context.Context) (*oauth2.Token, error)
	sem   chan struct{} // capacity 1, held while fetching
	mu    sync.Mutex
	tok   *oauth2.Token
}

func newTokenCache(fetch func(context.Context) (*oauth2.Token, error)) *tokenCache {
	return &tokenCache{fetch: fetch, sem: make(chan struct{}, 1)}
}

func (c *tokenCache) cached() *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Valid() {
		return c.tok
	}
	return nil
}

func (c *tokenCache) token(ctx context.Context) (*oauth2.Token, error) {
	if tok := c.cached(); tok != nil {
		return tok, nil
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	if tok := c.cached(); tok != nil { // fetched by another caller meanwhile
		return tok, nil
	}
	tok, err := c.fetch(ctx)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, errors.New("token source returned no token")
	}
	c.mu.Lock()
	c.tok = tok
	c.mu.Unlock()
	return tok, nil
}

// bearerCredentials adds "<type> <token>" to every RPC under header.
type bearerCredentials struct {
	tokens    *tokenCache
	header    string
	plaintext bool
}

// GetRequestMetadata implements credentials.PerRPCCredentials. Token failures become
// codes.Unauthenticated, which is not retried; when ctx ends first (the attempt's timeout or the
// caller's cancellation) the error carries the context's code instead.
func (b *bearerCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	tok, err := b.tokens.token(ctx)
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
		return nil, status.FromContextError(ctxErr).Err()
	}
	if err != nil {
		return nil, status.Errorf(codes.Unauthenticated, "register: obtaining an OAuth2 token: %v", err)
	}
	return map[string]string{b.header: tok.Type() + " " + tok.AccessToken}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials; it is false only when the user
// allowed credentials over a plaintext connection.
func (b *bearerCredentials) RequireTransportSecurity() bool { return !b.plaintext }
