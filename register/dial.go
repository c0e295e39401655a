package register

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// TaskService is the part of FlyteAdmin's AdminService that a [Client] uses. The generated
// service.AdminServiceClient satisfies it; so does the in-memory fake of package registertest. Keeping
// it to two methods means a consumer's fake does not change when the IDL adds methods.
type TaskService interface {
	CreateTask(ctx context.Context, in *admin.TaskCreateRequest, opts ...grpc.CallOption) (*admin.TaskCreateResponse, error)
	GetTask(ctx context.Context, in *admin.ObjectGetRequest, opts ...grpc.CallOption) (*admin.Task, error)
}

var _ TaskService = service.AdminServiceClient(nil)

// Client registers tasks with FlyteAdmin. It is safe for concurrent use. Create it with [New], or with
// [NewClient] around any [TaskService] (tests, custom transports).
type Client struct {
	svc   TaskService
	conn  *grpc.ClientConn // nil when built by NewClient
	retry RetryPolicy
	// onRetry is called before every retry wait (see OnRetry).
	onRetry func(RetryEvent)
}

// NewClient wraps an existing AdminService client (or any [TaskService]). Of the options only Retry
// applies: the connection is the caller's, who keeps ownership of it; Close on the returned Client is
// a no-op.
func NewClient(svc TaskService, optFns ...func(*Options)) *Client {
	var o Options
	for _, f := range optFns {
		f(&o)
	}
	return &Client{svc: svc, retry: o.Retry.withDefaults()}
}

// New creates a Client for FlyteAdmin at o.Endpoint, after applying optFns to a copy of o (the
// aws-sdk-go-v2 convention: New(ctx, opts, func(o *Options) { o.Retry.MaxRetries = 10 })).
//
// It creates the connection with grpc.NewClient and does not contact the server: connection
// problems show up as codes.Unavailable on the first call (and are retried there). It reads the CA
// file, and the client secret of AuthClientSecret, now, so configuration mistakes surface here.
// ctx is used only for its values (e.g. an oauth2.HTTPClient for the OAuth2 requests); the Client
// outlives its cancellation. Errors wrap [ErrConfig] and never contain secrets.
func New(ctx context.Context, o Options, optFns ...func(*Options)) (*Client, error) {
	o.Auth.Scopes = append([]string(nil), o.Auth.Scopes...)
	o.DialOptions = append([]grpc.DialOption(nil), o.DialOptions...)
	for _, f := range optFns {
		f(&o)
	}
	if strings.TrimSpace(o.Endpoint) == "" {
		return nil, fmt.Errorf("%w: endpoint is empty", ErrConfig)
	}
	var opts []grpc.DialOption
	var roots *x509.CertPool
	if o.CACertFile != "" {
		pool, err := readCACerts(o.CACertFile)
		if err != nil {
			return nil, err
		}
		roots = pool
	}
	if o.Insecure {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	} else {
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
		if o.InsecureSkipVerify {
			tlsCfg.InsecureSkipVerify = true //nolint:gosec // explicit user opt-in, as flytectl's insecureSkipVerify
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)))
	}
	a, err := newAuthenticator(ctx, o, roots)
	if err != nil {
		return nil, err
	}
	opts = append(opts, grpc.WithChainUnaryInterceptor(a.intercept))
	opts = append(opts, o.DialOptions...)
	conn, err := grpc.NewClient(o.Endpoint, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: endpoint %q: %w", ErrConfig, o.Endpoint, err)
	}
	a.meta = service.NewAuthMetadataServiceClient(conn)
	return &Client{svc: service.NewAdminServiceClient(conn), conn: conn, retry: o.Retry.withDefaults()}, nil
}

// Close releases the connection created by New.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

func readCACerts(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: CA certificates: %w", ErrConfig, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: CA certificates: no PEM certificate in %q", ErrConfig, path)
	}
	return pool, nil
}

// oauthHTTPClient is the client of the OAuth2 requests: it trusts the system roots plus CACertFile
// (an IdP may be public while FlyteAdmin uses a private CA, or FlyteAdmin may be the IdP), skips
// verification with InsecureSkipVerify, and uses HTTPProxyURL.
func oauthHTTPClient(o Options, extra *x509.CertPool, caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if extra != nil {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA certificates: %w", ErrConfig, err)
		}
		pool.AppendCertsFromPEM(pem)
		tlsCfg.RootCAs = pool
	}
	if o.InsecureSkipVerify {
		tlsCfg.InsecureSkipVerify = true //nolint:gosec // explicit user opt-in
	}
	tr.TLSClientConfig = tlsCfg
	if o.HTTPProxyURL != "" {
		u, err := url.Parse(o.HTTPProxyURL)
		if err != nil {
			return nil, fmt.Errorf("%w: httpProxyURL: %w", ErrConfig, err)
		}
		tr.Proxy = http.ProxyURL(u)
	}
	return &http.Client{Transport: tr}, nil
}
