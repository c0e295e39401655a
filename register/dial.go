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
	svc     TaskService
	conn    *grpc.ClientConn // nil when built by NewClient
	auth    *authenticator   // nil when built by NewClient
	retry   RetryPolicy
	onRetry func(RetryEvent) // fixed at construction: see Options.OnRetry
}

// ClientOptions configures a [Client] made by [NewClient]: the settings of [Options] that do not
// concern the connection (the caller's [TaskService] owns the connection, its transport security
// and its authentication). The zero value means the defaults.
type ClientOptions struct {
	// Retry says how calls are retried; see [Options].Retry.
	Retry RetryPolicy
	// OnRetry is called before every retry wait; see [Options].OnRetry.
	OnRetry func(RetryEvent)
}

// NewClient wraps an existing AdminService client (or any [TaskService]). The connection, its
// transport security and its authentication are the caller's, who keeps ownership of them; Close
// on the returned Client is a no-op. (It takes [ClientOptions], not [Options], so that no
// connection or authentication setting can be given and silently ignored.)
func NewClient(svc TaskService, o ClientOptions) *Client {
	return &Client{svc: svc, retry: o.Retry.withDefaults(), onRetry: o.OnRetry}
}

// New creates a Client for FlyteAdmin at o.Endpoint, after applying optFns to a copy of o (the
// aws-sdk-go-v2 convention: New(opts, func(o *Options) { o.Retry.MaxRetries = 10 })). The Client
// keeps its own copy of every slice of o: changing o afterwards changes nothing.
//
// It creates the connection with grpc.NewClient and does not contact the server: connection
// problems show up as codes.Unavailable on the first call (and are retried there). It reads the CA
// file, and the client secret of AuthClientSecret, now, so configuration mistakes surface here. It
// takes no context: it does no network I/O, and every call of the Client takes its own. Errors
// wrap [ErrConfig] and never contain secrets. Close the Client to release the connection and
// whatever authentication started (token requests, token commands, idle OAuth2 connections).
func New(o Options, optFns ...func(*Options)) (*Client, error) {
	o = o.clone()
	for _, f := range optFns {
		f(&o)
	}
	o = o.clone() // the functions may have set slices the caller still holds
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
	a, err := newAuthenticator(o, roots)
	if err != nil {
		return nil, err
	}
	opts = append(opts, grpc.WithChainUnaryInterceptor(a.intercept))
	opts = append(opts, o.DialOptions...)
	conn, err := grpc.NewClient(o.Endpoint, opts...)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("%w: endpoint %q: %w", ErrConfig, o.Endpoint, err)
	}
	a.meta = service.NewAuthMetadataServiceClient(conn)
	return &Client{svc: service.NewAdminServiceClient(conn), conn: conn, auth: a, retry: o.Retry.withDefaults(), onRetry: o.OnRetry}, nil
}

// Close releases the connection created by New and stops what authentication started: a token
// request or token command in progress is cancelled, idle OAuth2 connections are closed, and no
// new one starts (calls made after Close fail). A caller's TokenSource whose Token call is in
// progress cannot be cancelled: its one call is left to return. Close on a Client made by
// NewClient does nothing.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	c.auth.close()
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
			// The *url.Error quotes the URL, password included: name the URL redacted instead.
			return nil, fmt.Errorf("%w: httpProxyURL %s is not a valid URL", ErrConfig, redactURL(o.HTTPProxyURL))
		}
		tr.Proxy = http.ProxyURL(u)
	}
	return &http.Client{Transport: tr}, nil
}
