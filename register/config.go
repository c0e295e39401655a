package register

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/grpc"
)

// Defaults taken from flytectl's admin client (flyteidl clients/go/admin/config.go, v1.16.8, which
// flytectl v0.9.4 uses).
const (
	// DefaultMaxRetries is flytectl's number of retries after the first attempt of a call. This
	// package retries for [DefaultRetryWindow] instead when no retry count is configured, and at
	// least DefaultMaxRetries times.
	DefaultMaxRetries = 4
	// DefaultPerRetryTimeout bounds each single attempt of a call.
	DefaultPerRetryTimeout = 15 * time.Second
	// DefaultMaxBackoff caps the (jittered) wait between two attempts; it is what admin.maxBackoffDelay
	// sets (in flytectl that key caps the gRPC reconnect backoff, and its retry waits are a fixed
	// 50 ms ±10%).
	DefaultMaxBackoff = 8 * time.Second
	// DefaultBaseBackoff is the wait bound before the first retry; it doubles per retry up to the cap.
	DefaultBaseBackoff = 100 * time.Millisecond
	// DefaultClientID is the client id of the ClientSecret flow when none is configured (flytectl's).
	DefaultClientID = "flytepropeller"
	// DefaultClientSecretLocation is where flytectl reads the client secret when neither
	// clientSecretLocation nor clientSecretEnvVar is configured.
	DefaultClientSecretLocation = "/etc/secrets/client_secret"
	// DefaultAuthorizationHeader is the gRPC metadata key of the bearer token when neither
	// Auth.Header is set nor FlyteAdmin advertises one (FlyteAdmin advertises "flyte-authorization").
	DefaultAuthorizationHeader = "authorization"
	// DefaultRefreshWindow is how long before its expiry a token is replaced when Auth.RefreshWindow
	// is zero (golang.org/x/oauth2's own margin).
	DefaultRefreshWindow = 10 * time.Second
	// DefaultPkceTimeout bounds the browser session of the Pkce flow (flytectl's pkceConfig.timeout).
	DefaultPkceTimeout = 2 * time.Minute
	// DefaultDeviceFlowTimeout bounds the device flow (flytectl's deviceFlowConfig.timeout).
	DefaultDeviceFlowTimeout = 10 * time.Minute
	// DefaultDeviceFlowPollInterval is the polling interval of the device flow when the server names
	// none (flytectl's deviceFlowConfig.pollInterval).
	DefaultDeviceFlowPollInterval = 5 * time.Second
)

// AuthType names flytectl's admin.authType values.
type AuthType string

// Known flytectl auth types.
const (
	// AuthNone means no OAuth2 flow is configured (the zero value): no token is ever sent, and an
	// Unauthenticated answer carries a hint to set admin.authType. flytectl's default is ClientSecret
	// with clientId "flytepropeller"; this package does not guess credentials.
	AuthNone AuthType = ""
	// AuthClientSecret is the OAuth2 client-credentials grant (clientId + secret).
	AuthClientSecret AuthType = "ClientSecret"
	// AuthPkce is the authorization-code grant with PKCE through a browser and a local redirect listener.
	AuthPkce AuthType = "Pkce"
	// AuthDeviceFlow is the device-authorization grant (RFC 8628): a URL and code to enter anywhere.
	AuthDeviceFlow AuthType = "DeviceFlow"
	// AuthExternalCommand runs a command whose standard output is the token.
	AuthExternalCommand AuthType = "ExternalCommand"
)

// ErrConfig is wrapped by every configuration error (bad YAML, missing endpoint, unreadable secret,
// unsupported auth type, credentials over plaintext, ...). Use errors.Is.
var ErrConfig = errors.New("register: invalid configuration")

// Options configures a [Client] made by [New] ([NewClient] takes the subset [ClientOptions]).
// Every setting has one name here and, apart from OnRetry, DialOptions and the Go-only fields of
// Auth, one key in flytectl's config file ([LoadFlytectlConfig] maps the keys). The zero value of a
// field means its documented default, which is flytectl's except in two places: Auth.Type's zero
// value is [AuthNone] (flytectl's default is ClientSecret; this package does not guess
// credentials), and Retry.MaxRetries' zero value retries for [DefaultRetryWindow] (flytectl's
// default is 4 retries).
//
// Transport: TLS with the system roots unless Insecure is set (then plaintext). CACertFile adds a PEM
// bundle to verify FlyteAdmin instead of the system roots, and to verify the HTTPS servers of the
// OAuth2 flows on top of the system roots; InsecureSkipVerify disables verification of both (never
// use it in production).
//
// Secrets and tokens never appear in String, errors or logs.
type Options struct {
	// Endpoint is the gRPC target, "dns:///host:port" (flytectl's convention) or "host:port"
	// (admin.endpoint). Required by New.
	Endpoint string
	// Insecure selects plaintext instead of TLS (admin.insecure).
	Insecure bool
	// CACertFile is a PEM file with the CA certificates that verify FlyteAdmin and the OAuth2 servers
	// (admin.caCertFilePath).
	CACertFile string
	// InsecureSkipVerify disables certificate verification (admin.insecureSkipVerify).
	InsecureSkipVerify bool
	// HTTPProxyURL is an HTTP proxy for the OAuth2 requests (token, device and discovery endpoints of
	// the IdP), not for gRPC (admin.httpProxyURL).
	HTTPProxyURL string

	// Retry says how calls are retried (admin.maxRetries, admin.perRetryTimeout,
	// admin.maxBackoffDelay).
	Retry RetryPolicy
	// OnRetry, if set, is called before every retry wait (from the goroutine of the call, possibly
	// concurrently for concurrent calls), so a command line can say that it is waiting for
	// FlyteAdmin and why. It is fixed when the Client is made.
	OnRetry func(RetryEvent)

	// Auth says how tokens are obtained and sent.
	Auth Auth

	// DialOptions are appended after the options New derives from the fields above, so they can
	// override them (e.g. a custom dialer, keepalive, interceptors). Transport credentials set here
	// replace those of Insecure and CACertFile; tokens are then sent only if the connection they
	// make is secure (the check is gRPC's, on the actual handshake), unless
	// Auth.AllowTokensOverPlaintext is set.
	DialOptions []grpc.DialOption
}

// Auth configures authentication. Set Type to run one of flytectl's flows, or TokenSource to supply
// tokens yourself (it takes precedence over Type).
//
// As flytectl does, a Client sends its first call without a token and authenticates only when
// FlyteAdmin answers codes.Unauthenticated, so a config naming a flow also works against a server
// without authentication (the sandbox config `flytectl config init` writes says authType Pkce).
// After that every call carries the token, which is cached for the Client's life, replaced
// RefreshWindow before it expires, and replaced once more when FlyteAdmin still answers
// Unauthenticated (a second Unauthenticated answer is final). What the flows need and do not find
// here is discovered from FlyteAdmin's AuthMetadataService, as flytectl does: the token, authorization
// and device endpoints, scopes, the audience (with UseAudienceFromAdmin), the metadata header, and
// for Pkce and DeviceFlow the public client id and redirect URI.
type Auth struct {
	// Type selects the flow (admin.authType).
	Type AuthType
	// TokenSource supplies tokens instead of a flow. It is called by one goroutine at a time
	// (concurrent calls needing a token wait for the same Token call); a call whose context ends
	// stops waiting, and the Token call, which cannot be cancelled, is left to return; the next
	// call needing a token waits for it rather than starting another.
	TokenSource oauth2.TokenSource

	// AllowTokensOverPlaintext permits sending tokens over a plaintext connection, made by Insecure
	// or by transport credentials in DialOptions (admin.allowTokensOverPlaintext, flag
	// --allow-tokens-over-plaintext; flytectl has no such key and always sends them). Off by
	// default: over plaintext anyone on the path can replay the token.
	AllowTokensOverPlaintext bool
	// Header is the gRPC metadata key of the token (admin.authorizationHeader); empty means the key
	// FlyteAdmin advertises, else [DefaultAuthorizationHeader].
	Header string
	// RefreshWindow is how long before expiry a token is replaced (admin.tokenRefreshWindow);
	// 0 means [DefaultRefreshWindow]. It is capped at half the token's lifetime (from when it was
	// obtained to its expiry).
	RefreshWindow time.Duration

	// ClientID is the OAuth2 client of the ClientSecret flow (admin.clientId); empty means
	// [DefaultClientID]. Pkce and DeviceFlow
	// use the public client FlyteAdmin advertises, as flytectl does.
	ClientID string
	// ClientSecretLocation is a file holding the client secret (admin.clientSecretLocation); empty
	// means [DefaultClientSecretLocation]. Surrounding whitespace is trimmed as flytectl does.
	ClientSecretLocation string
	// ClientSecretEnvVar names an environment variable holding the secret; it wins over
	// ClientSecretLocation (admin.clientSecretEnvVar).
	ClientSecretEnvVar string
	// TokenURL is the token endpoint (admin.tokenUrl); empty means discovered from FlyteAdmin.
	TokenURL string
	// Scopes are requested with the token (admin.scopes); empty means FlyteAdmin's.
	Scopes []string
	// Audience is sent as the "audience" parameter (admin.audience).
	Audience string
	// UseAudienceFromAdmin replaces Audience with the one FlyteAdmin advertises
	// (admin.useAudienceFromAdmin).
	UseAudienceFromAdmin bool

	// Command prints the token on its standard output (admin.command), for ExternalCommand. It runs
	// without a shell; a failure's error quotes neither its output nor its standard error. It is
	// killed when it takes longer than Retry.PerRetryTimeout or the Client is closed; a child
	// process it started and left holding its output is not killed, but no longer waited for.
	Command []string
	// ProxyCommand prints a token sent as "proxy-authorization: Bearer TOKEN" with every gRPC call
	// and OAuth2 request, for an authenticating proxy in front of FlyteAdmin (admin.proxyCommand).
	// It runs once (one run shared by concurrent calls), and again when a JWT's exp claim says the
	// token expires within RefreshWindow; like flytectl, the token is sent over plaintext too.
	ProxyCommand []string

	// Pkce configures the Pkce flow (admin.pkceConfig).
	Pkce PkceOptions
	// DeviceFlow configures the DeviceFlow flow (admin.deviceFlowConfig).
	DeviceFlow DeviceFlowOptions

	// Prompt receives the interactive flows' instructions: the URL to open (Pkce), the URL and code
	// to enter (DeviceFlow). nil means os.Stderr.
	Prompt io.Writer
	// OpenBrowser opens a URL for Pkce; nil means the platform's opener (xdg-open, open, or
	// rundll32), whose failure is ignored: the URL is printed to Prompt either way.
	OpenBrowser func(url string) error
	// HTTPClient makes the OAuth2 requests; nil means a client built from CACertFile,
	// InsecureSkipVerify and HTTPProxyURL, whose idle connections Close closes. There is no other
	// way to set it (New takes no context, so no oauth2.HTTPClient context value is consulted).
	HTTPClient *http.Client
}

// PkceOptions are flytectl's pkceConfig.
type PkceOptions struct {
	// Timeout bounds the wait for the browser's redirect (pkceConfig.timeout); 0 means
	// [DefaultPkceTimeout].
	Timeout time.Duration
}

// DeviceFlowOptions are flytectl's deviceFlowConfig.
type DeviceFlowOptions struct {
	// Timeout bounds the whole flow (deviceFlowConfig.timeout); 0 means [DefaultDeviceFlowTimeout].
	// The server's expires_in ends it earlier.
	Timeout time.Duration
	// PollInterval is used when the server names no interval (deviceFlowConfig.pollInterval);
	// 0 means [DefaultDeviceFlowPollInterval]. A slow_down answer adds 5 s, as RFC 8628 says.
	PollInterval time.Duration
}

// String describes the options without secrets: it reports whether a TokenSource is set and
// where the client secret comes from, never a token or secret value.
func (o Options) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "register.Options{Endpoint: %q, Insecure: %t", o.Endpoint, o.Insecure)
	if o.CACertFile != "" {
		fmt.Fprintf(&b, ", CACertFile: %q", o.CACertFile)
	}
	if o.InsecureSkipVerify {
		b.WriteString(", InsecureSkipVerify: true")
	}
	if o.HTTPProxyURL != "" {
		fmt.Fprintf(&b, ", HTTPProxyURL: %q", redactURL(o.HTTPProxyURL))
	}
	r := o.Retry.withDefaults()
	if r.Window > 0 {
		fmt.Fprintf(&b, ", Retry: {Window: %s, PerRetryTimeout: %s, MaxBackoff: %s}", r.Window, r.PerRetryTimeout, r.MaxBackoff)
	} else {
		fmt.Fprintf(&b, ", Retry: {MaxRetries: %d, PerRetryTimeout: %s, MaxBackoff: %s}", r.MaxRetries, r.PerRetryTimeout, r.MaxBackoff)
	}
	if len(o.DialOptions) > 0 {
		fmt.Fprintf(&b, ", DialOptions: %d", len(o.DialOptions))
	}
	o.Auth.describe(&b)
	b.WriteString("}")
	return b.String()
}

// String describes the authentication settings without secrets: whether a TokenSource is set,
// where the client secret comes from, and the programs Command and ProxyCommand run (their
// arguments, which may hold credentials, are only counted).
func (a Auth) String() string {
	var b strings.Builder
	b.WriteString("register.Auth{")
	a.describe(&b)
	b.WriteString("}")
	return strings.Replace(b.String(), "{, ", "{", 1)
}

// GoString is String, so that %#v cannot print a token or a command's arguments.
func (a Auth) GoString() string { return a.String() }

// describe appends ", Key: value" for the settings of a.
func (a Auth) describe(b *strings.Builder) {
	if a.TokenSource != nil {
		b.WriteString(", TokenSource: set")
	}
	if a.AllowTokensOverPlaintext {
		b.WriteString(", AllowTokensOverPlaintext: true")
	}
	if a.Type != AuthNone {
		fmt.Fprintf(b, ", AuthType: %s", a.Type)
		switch a.Type {
		case AuthClientSecret:
			fmt.Fprintf(b, ", ClientID: %q", a.ClientID)
			switch {
			case a.ClientSecretEnvVar != "":
				fmt.Fprintf(b, ", ClientSecret: from $%s", a.ClientSecretEnvVar)
			default:
				loc := a.ClientSecretLocation
				if loc == "" {
					loc = DefaultClientSecretLocation
				}
				fmt.Fprintf(b, ", ClientSecret: from file %q", loc)
			}
		case AuthExternalCommand:
			describeCommand(b, "Command", a.Command)
		}
		if a.TokenURL != "" {
			fmt.Fprintf(b, ", TokenURL: %q", redactURL(a.TokenURL))
		}
		if len(a.Scopes) > 0 {
			fmt.Fprintf(b, ", Scopes: %q", a.Scopes)
		}
		if a.Audience != "" {
			fmt.Fprintf(b, ", Audience: %q", a.Audience)
		}
	}
	describeCommand(b, "ProxyCommand", a.ProxyCommand)
	if a.Header != "" {
		fmt.Fprintf(b, ", Header: %q", a.Header)
	}
}

func describeCommand(b *strings.Builder, name string, argv []string) {
	switch len(argv) {
	case 0:
	case 1:
		fmt.Fprintf(b, ", %s: %q", name, argv[0])
	default:
		fmt.Fprintf(b, ", %s: %q (+%d arguments)", name, argv[0], len(argv)-1)
	}
}

// clone returns o with its own copies of every slice (the Client keeps o; a caller that reuses
// its Options value must not change what the Client does).
func (o Options) clone() Options {
	o.DialOptions = slices.Clone(o.DialOptions)
	o.Auth.Scopes = slices.Clone(o.Auth.Scopes)
	o.Auth.Command = slices.Clone(o.Auth.Command)
	o.Auth.ProxyCommand = slices.Clone(o.Auth.ProxyCommand)
	return o
}

// GoString is String, so that %#v cannot print a token held by TokenSource.
func (o Options) GoString() string { return o.String() }

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

// RetryPolicy controls how a Client retries one call. Only codes.Unavailable, codes.DeadlineExceeded
// and codes.ResourceExhausted are retried; waits are exponential with full jitter
// (uniform in [0, min(MaxBackoff, BaseBackoff*2^retry)]) and end early when the context ends.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt (admin.maxRetries, flytectl's
	// meaning; an explicit 0 there maps to -1 here): 0 means "not configured": retry for Window
	// (see there), negative means none.
	MaxRetries int
	// Window applies when MaxRetries is 0: failed attempts are retried until Window has passed since
	// the run began ([Client.Register]'s start, or see [WithRetryRun]; a lone call's first attempt
	// otherwise), no wait going past that, and a call begun within the window at least
	// DefaultMaxRetries times; 0 means [DefaultRetryWindow],
	// long enough to ride out a FlyteAdmin restart. It is ignored (and resolved to 0) when
	// MaxRetries is set.
	Window time.Duration
	// PerRetryTimeout bounds every attempt; 0 means [DefaultPerRetryTimeout] (admin.perRetryTimeout).
	PerRetryTimeout time.Duration
	// BaseBackoff is the bound of the first wait; 0 means [DefaultBaseBackoff].
	BaseBackoff time.Duration
	// MaxBackoff caps every wait; 0 means [DefaultMaxBackoff] (admin.maxBackoffDelay).
	MaxBackoff time.Duration
}

// withDefaults resolves zero fields: afterwards either Window > 0 (retry for that long, and at
// least DefaultMaxRetries times), or MaxRetries is the effective (non-negative) count.
func (p RetryPolicy) withDefaults() RetryPolicy {
	switch {
	case p.MaxRetries == 0:
		if p.Window <= 0 {
			p.Window = DefaultRetryWindow
		}
	case p.MaxRetries < 0:
		p.MaxRetries, p.Window = 0, 0
	default:
		p.Window = 0
	}
	if p.PerRetryTimeout <= 0 {
		p.PerRetryTimeout = DefaultPerRetryTimeout
	}
	if p.BaseBackoff <= 0 {
		p.BaseBackoff = DefaultBaseBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.BaseBackoff > p.MaxBackoff {
		p.BaseBackoff = p.MaxBackoff
	}
	return p
}
