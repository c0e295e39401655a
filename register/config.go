package register

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
)

// Defaults taken from flytectl's admin client (flyteidl clients/go/admin/config.go, v1.5.21).
const (
	// DefaultMaxRetries is the number of retries after the first attempt of a call.
	DefaultMaxRetries = 4
	// DefaultPerRetryTimeout bounds each single attempt of a call.
	DefaultPerRetryTimeout = 15 * time.Second
	// DefaultMaxBackoffDelay caps the (jittered) wait between two attempts.
	DefaultMaxBackoffDelay = 8 * time.Second
	// DefaultBaseBackoff is the wait bound before the first retry; it doubles per retry up to the cap.
	DefaultBaseBackoff = 100 * time.Millisecond
	// DefaultClientSecretLocation is where flytectl reads the client secret when neither
	// clientSecretLocation nor clientSecretEnvVar is configured.
	DefaultClientSecretLocation = "/etc/secrets/client_secret"
	// DefaultAuthorizationHeader is the gRPC metadata key that carries the bearer token.
	DefaultAuthorizationHeader = "authorization"
)

// AuthType names flytectl's admin.authType values. Only [AuthClientSecret] is implemented here; for the
// interactive flows (Pkce, DeviceFlow) and ExternalCommand obtain a token yourself and set
// [Config.TokenSource].
type AuthType string

// Known flytectl auth types.
const (
	// AuthNone means no OAuth2 flow is configured (the zero value). Note the difference to flytectl,
	// whose default is ClientSecret used lazily after the server answers Unauthenticated: this package
	// only authenticates when told to.
	AuthNone AuthType = ""
	// AuthClientSecret is the OAuth2 client-credentials flow (clientId + secret + tokenUrl).
	AuthClientSecret AuthType = "ClientSecret"
	// AuthPkce is flytectl's browser flow; not implemented here.
	AuthPkce AuthType = "Pkce"
	// AuthDeviceFlow is flytectl's device-code flow; not implemented here.
	AuthDeviceFlow AuthType = "DeviceFlow"
	// AuthExternalCommand runs a command that prints a token; not implemented here.
	AuthExternalCommand AuthType = "ExternalCommand"
)

// ErrConfig is wrapped by every configuration error (bad YAML, missing endpoint, unreadable secret,
// unsupported auth type, credentials over plaintext, ...). Use errors.Is.
var ErrConfig = errors.New("register: invalid configuration")

// Config describes how to reach FlyteAdmin. It mirrors the `admin:` section of flytectl's config file
// (see [LoadFlytectlConfig]); the zero value of every field except Endpoint is usable.
//
// Transport: TLS with the system roots unless Insecure is set (then plaintext). CACertFile adds a PEM
// bundle to verify the server instead of the system roots; InsecureSkipVerify disables verification
// (never use it in production).
//
// Authentication: TokenSource, when set, supplies a bearer token for every RPC (it takes precedence
// over AuthType). Otherwise AuthType [AuthClientSecret] runs the OAuth2 client-credentials flow with
// ClientID, the secret read from ClientSecretEnvVar or ClientSecretLocation (default
// [DefaultClientSecretLocation]), TokenURL (required: discovering it from FlyteAdmin's
// AuthMetadataService, as flytectl does, is not implemented), Scopes and Audience. Bearer tokens are
// refused over plaintext unless AllowCredentialsOverPlaintext is set explicitly (useful for a local
// sandbox behind a trusted proxy only). Secrets and tokens never appear in String, errors or logs
// (the client secret is also redacted from token endpoint responses quoted in errors).
type Config struct {
	// Endpoint is the gRPC target, "dns:///host:port" (flytectl's convention) or "host:port".
	Endpoint string
	// Insecure selects plaintext instead of TLS (flytectl's admin.insecure).
	Insecure bool
	// CACertFile is a PEM file with the CA certificates that verify the server (admin.caCertFilePath).
	CACertFile string
	// InsecureSkipVerify disables server certificate verification (admin.insecureSkipVerify).
	InsecureSkipVerify bool

	// MaxRetries is the number of retries after the first attempt: 0 means [DefaultMaxRetries], a
	// negative value disables retries (admin.maxRetries; an explicit 0 there maps to -1 here).
	MaxRetries int
	// PerRetryTimeout bounds every attempt; 0 means [DefaultPerRetryTimeout] (admin.perRetryTimeout).
	PerRetryTimeout time.Duration
	// MaxBackoffDelay caps the wait between attempts; 0 means [DefaultMaxBackoffDelay] (admin.maxBackoffDelay).
	MaxBackoffDelay time.Duration

	// DialOptions are appended after the options Dial derives from the fields above, so they can
	// override them (e.g. a custom dialer, keepalive, interceptors).
	DialOptions []grpc.DialOption

	// TokenSource supplies bearer tokens for every RPC; it takes precedence over AuthType. Tokens are
	// reused until they expire. A Token call that has not returned when the RPC attempt's context ends
	// is abandoned (left to finish in the background), so the attempt fails with the context's code.
	TokenSource oauth2.TokenSource
	// AllowCredentialsOverPlaintext permits sending tokens when Insecure is set. Off by default.
	AllowCredentialsOverPlaintext bool
	// AuthorizationHeader overrides the metadata key of the token (admin.authorizationHeader);
	// default [DefaultAuthorizationHeader].
	AuthorizationHeader string

	// AuthType selects an OAuth2 flow (admin.authType); only [AuthClientSecret] is implemented.
	AuthType AuthType
	// ClientID is the OAuth2 client id (admin.clientId).
	ClientID string
	// ClientSecretLocation is a file holding the client secret (admin.clientSecretLocation);
	// surrounding whitespace is trimmed as flytectl does.
	ClientSecretLocation string
	// ClientSecretEnvVar names an environment variable holding the secret; it wins over
	// ClientSecretLocation, as in flytectl (admin.clientSecretEnvVar).
	ClientSecretEnvVar string
	// TokenURL is the IdP token endpoint (admin.tokenUrl); required for AuthClientSecret.
	TokenURL string
	// Scopes are requested with the token (admin.scopes).
	Scopes []string
	// Audience is sent as the "audience" token request parameter when set (admin.audience).
	Audience string
}

// String describes the configuration without secrets: it reports whether a TokenSource is set and
// where the client secret comes from, never a token or secret value.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "register.Config{Endpoint: %q, Insecure: %t", c.Endpoint, c.Insecure)
	if c.CACertFile != "" {
		fmt.Fprintf(&b, ", CACertFile: %q", c.CACertFile)
	}
	if c.InsecureSkipVerify {
		b.WriteString(", InsecureSkipVerify: true")
	}
	r := c.retryPolicy()
	fmt.Fprintf(&b, ", MaxRetries: %d, PerRetryTimeout: %s, MaxBackoffDelay: %s", r.MaxRetries, r.PerRetryTimeout, r.MaxBackoff)
	if len(c.DialOptions) > 0 {
		fmt.Fprintf(&b, ", DialOptions: %d", len(c.DialOptions))
	}
	if c.TokenSource != nil {
		b.WriteString(", TokenSource: set")
	}
	if c.AllowCredentialsOverPlaintext {
		b.WriteString(", AllowCredentialsOverPlaintext: true")
	}
	if c.AuthType != AuthNone {
		fmt.Fprintf(&b, ", AuthType: %s, ClientID: %q", c.AuthType, c.ClientID)
		switch {
		case c.ClientSecretEnvVar != "":
			fmt.Fprintf(&b, ", ClientSecret: from $%s", c.ClientSecretEnvVar)
		case c.ClientSecretLocation != "":
			fmt.Fprintf(&b, ", ClientSecret: from file %q", c.ClientSecretLocation)
		}
		if c.TokenURL != "" {
			fmt.Fprintf(&b, ", TokenURL: %q", redactURL(c.TokenURL))
		}
		if len(c.Scopes) > 0 {
			fmt.Fprintf(&b, ", Scopes: %q", c.Scopes)
		}
		if c.Audience != "" {
			fmt.Fprintf(&b, ", Audience: %q", c.Audience)
		}
	}
	b.WriteString("}")
	return b.String()
}

// redactURL hides the password of a URL's user info ("user:xxxxx@host"), as url.URL.Redacted does.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			return "<unparsable URL with user info>"
		}
		return s
	}
	return u.Redacted()
}

// GoString is String, so that %#v cannot print a token held by TokenSource.
func (c Config) GoString() string { return c.String() }

// retryPolicy resolves the retry fields of c with the defaults.
func (c Config) retryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:      c.MaxRetries,
		PerRetryTimeout: c.PerRetryTimeout,
		MaxBackoff:      c.MaxBackoffDelay,
	}.withDefaults()
}

// RetryPolicy controls how a Client retries one call. Only codes.Unavailable, codes.DeadlineExceeded
// and codes.ResourceExhausted are retried; waits are exponential with full jitter
// (uniform in [0, min(MaxBackoff, BaseBackoff*2^retry)]) and end early when the context ends.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt: 0 means DefaultMaxRetries,
	// negative means none.
	MaxRetries int
	// PerRetryTimeout bounds every attempt; 0 means DefaultPerRetryTimeout.
	PerRetryTimeout time.Duration
	// BaseBackoff is the bound of the first wait; 0 means DefaultBaseBackoff.
	BaseBackoff time.Duration
	// MaxBackoff caps every wait; 0 means DefaultMaxBackoffDelay.
	MaxBackoff time.Duration
}

// withDefaults resolves zero fields; MaxRetries becomes the effective (non-negative) count.
func (p RetryPolicy) withDefaults() RetryPolicy {
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = DefaultMaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.PerRetryTimeout <= 0 {
		p.PerRetryTimeout = DefaultPerRetryTimeout
	}
	if p.BaseBackoff <= 0 {
		p.BaseBackoff = DefaultBaseBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoffDelay
	}
	if p.BaseBackoff > p.MaxBackoff {
		p.BaseBackoff = p.MaxBackoff
	}
	return p
}
