package register

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// authMetadataPrefix is the method prefix of FlyteAdmin's anonymous AuthMetadataService.
const authMetadataPrefix = "/flyteidl.service.AuthMetadataService/"

// noAuthHint is appended to Unauthenticated answers when no authType is configured.
const noAuthHint = "FlyteAdmin requires authentication: set admin.authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand) in the flytectl config"

// callerContextKey carries, in an attempt's context, the caller's context (without the attempt's
// timeout).
type callerContextKey struct{}

// authenticator is the unary client interceptor that obtains, caches, refreshes and sends tokens.
type authenticator struct {
	o      Options
	meta   service.AuthMetadataServiceClient
	secret string // ClientSecret only
	hc     *http.Client
	// idle is the built-in OAuth2 transport, whose idle connections close closes (nil when
	// Auth.HTTPClient is the caller's).
	idle *http.Transport
	// life ends at close: it bounds every flight (token fetch, token command).
	life context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup // the flights that end with life (not a TokenSource's)

	mu          sync.Mutex
	closed      bool
	active      bool          // send a token with every call
	tok         *oauth2.Token // the cached token
	obtained    time.Time     // when tok was obtained
	sticky      error         // a final authentication failure of run stickyRun: not tried again in that run
	stickyRun   *retryRun
	disc        *discovery
	flight      *flight // the token fetch in progress
	proxyTok    *oauth2.Token
	proxyFlight *flight // the proxy command in progress
}

// flight is one token fetch (or proxy command) shared by every call that needs it meanwhile.
type flight struct {
	done     chan struct{}
	tok      *oauth2.Token
	err      error // a gRPC status error
	timedOut bool  // err is the flight's own timeout
	// deadline is the flight's own deadline (zero: none). Set before the flight starts, read-only.
	deadline time.Time
}

// outlives says whether ctx ends after the flight's deadline: only such a caller has time left to
// fetch again when the flight ran out of its time. A caller whose attempt began before the flight
// (the usual case: the attempt's first call went without a token) ends first, whatever order a
// loaded machine's timers fire in.
func (f *flight) outlives(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return !f.deadline.IsZero() && (!ok || d.After(f.deadline))
}

// wait waits for the flight or for ctx.
func (f *flight) wait(ctx context.Context) (*oauth2.Token, error) {
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// errClosed is what a call needing a token gets after Close.
var errClosed = status.Error(codes.Canceled, "register: the client is closed")

// discovery is what FlyteAdmin's AuthMetadataService told us, merged with the options.
type discovery struct {
	header                       string
	tokenURL, authURL, deviceURL string
	clientID, redirectURI        string
	scopes                       []string
	audience                     string
}

func newAuthenticator(o Options, roots *x509.CertPool) (*authenticator, error) {
	a := &authenticator{o: o}
	auth := o.Auth
	switch {
	case auth.TokenSource != nil:
		if o.Insecure && !auth.AllowTokensOverPlaintext {
			return nil, fmt.Errorf("%w: refusing to send bearer tokens over a plaintext (insecure) connection; set Auth.AllowTokensOverPlaintext (admin.allowTokensOverPlaintext) to override", ErrConfig)
		}
		a.active = true
	case auth.Type == AuthNone:
	case auth.Type == AuthClientSecret:
		if auth.ClientID == "" {
			a.o.Auth.ClientID = DefaultClientID
		}
		s, err := readClientSecret(auth)
		if err != nil {
			return nil, err
		}
		a.secret = s
	case auth.Type == AuthExternalCommand:
		if len(auth.Command) == 0 || auth.Command[0] == "" {
			return nil, fmt.Errorf("%w: authType ExternalCommand needs command", ErrConfig)
		}
	case auth.Type == AuthPkce, auth.Type == AuthDeviceFlow:
	default:
		return nil, fmt.Errorf("%w: authType %q is not one of ClientSecret, Pkce, DeviceFlow, ExternalCommand", ErrConfig, auth.Type)
	}
	if len(auth.ProxyCommand) > 0 && auth.ProxyCommand[0] == "" {
		return nil, fmt.Errorf("%w: proxyCommand names no program", ErrConfig)
	}
	hc := auth.HTTPClient
	if hc == nil {
		var err error
		if hc, err = oauthHTTPClient(o, roots, o.CACertFile); err != nil {
			return nil, err
		}
		a.idle, _ = hc.Transport.(*http.Transport)
	}
	if len(auth.ProxyCommand) > 0 {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		c := *hc
		c.Transport = &proxyAuthTransport{base: base, a: a}
		hc = &c
	}
	a.hc = hc
	// The authenticator's own lifetime (not a caller's context): Close ends it.
	a.life, a.stop = context.WithCancel(context.Background())
	return a, nil
}

// close stops the flights that can be stopped, waits for them, closes idle OAuth2 connections and
// makes every later token request fail.
func (a *authenticator) close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.stop()
	a.wg.Wait()
	if a.idle != nil {
		a.idle.CloseIdleConnections()
	}
}

func readClientSecret(auth Auth) (string, error) {
	var secret string
	switch {
	case auth.ClientSecretEnvVar != "":
		v, ok := os.LookupEnv(auth.ClientSecretEnvVar)
		if !ok {
			return "", fmt.Errorf("%w: client secret: environment variable %s is not set", ErrConfig, auth.ClientSecretEnvVar)
		}
		secret = v
	default:
		loc := auth.ClientSecretLocation
		if loc == "" {
			loc = DefaultClientSecretLocation
		}
		b, err := os.ReadFile(loc)
		if err != nil {
			// os errors carry the path and the operation, never file contents.
			return "", fmt.Errorf("%w: client secret: %w", ErrConfig, err)
		}
		secret = string(b)
	}
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return "", fmt.Errorf("%w: client secret is empty", ErrConfig)
	}
	return secret, nil
}

// intercept implements grpc.UnaryClientInterceptor. Without a token yet, a call goes out bare; an
// Unauthenticated answer switches to authenticated calls (flytectl's lazy behaviour). With a token,
// an Unauthenticated answer replaces the token once and repeats the call once.
func (a *authenticator) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if md, _ := metadata.FromOutgoingContext(ctx); len(a.o.Auth.ProxyCommand) > 0 && len(md.Get("proxy-authorization")) == 0 {
		// (Discovery calls made inside an intercepted call already carry it.)
		pt, err := a.proxy(ctx)
		if err != nil {
			return err
		}
		ctx = metadata.AppendToOutgoingContext(ctx, "proxy-authorization", "Bearer "+pt)
	}
	if strings.HasPrefix(method, authMetadataPrefix) {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	call := func(tok *oauth2.Token, header string) error {
		if tok == nil {
			return invoker(ctx, method, req, reply, cc, opts...)
		}
		// Per-RPC credentials, not plain metadata: gRPC refuses to send them unless the
		// connection actually used is secure (whatever DialOptions made it), unless allowed.
		creds := &tokenCredentials{header: header, value: tok.Type() + " " + tok.AccessToken, secure: !a.o.Auth.AllowTokensOverPlaintext}
		err := invoker(ctx, method, req, reply, cc, append(slices.Clip(opts), grpc.PerRPCCredentials(creds))...)
		if status.Code(err) == codes.Unauthenticated && strings.Contains(status.Convert(err).Message(), "cannot send secure credentials on an insecure connection") {
			return &plaintextRefusal{status.New(codes.Unauthenticated, "register: refusing to send a bearer token over a plaintext connection (the transport credentials of Options.DialOptions are insecure): use TLS, or set admin.allowTokensOverPlaintext: true or --allow-tokens-over-plaintext to send it anyway")}
		}
		return err
	}
	a.mu.Lock()
	active := a.active
	a.mu.Unlock()
	if !active {
		err := call(nil, "")
		if status.Code(err) != codes.Unauthenticated {
			return err
		}
		if a.o.Auth.Type == AuthNone {
			return status.Errorf(codes.Unauthenticated, "%s (%s)", status.Convert(err).Message(), noAuthHint)
		}
		if a.o.Insecure && !a.o.Auth.AllowTokensOverPlaintext {
			return status.Errorf(codes.Unauthenticated, "%s (FlyteAdmin requires authentication, but tokens are not sent over a plaintext connection (admin.insecure: true): use TLS, or set admin.allowTokensOverPlaintext: true or --allow-tokens-over-plaintext to send them anyway)", status.Convert(err).Message())
		}
		a.mu.Lock()
		a.active = true
		a.mu.Unlock()
	}
	tok, header, err := a.token(ctx, nil)
	if err != nil {
		return err
	}
	ctx, cancel := a.afterLogin(ctx)
	defer cancel()
	err = call(tok, header)
	if _, refused := err.(*plaintextRefusal); refused || status.Code(err) != codes.Unauthenticated {
		return err
	}
	// The token was refused (revoked, expired early, clock skew): replace it once.
	tok2, header, err := a.token(ctx, tok)
	if err != nil {
		return err
	}
	err = call(tok2, header)
	if _, refused := err.(*plaintextRefusal); refused {
		return err
	}
	if status.Code(err) == codes.Unauthenticated {
		return status.Errorf(codes.Unauthenticated, "%s (FlyteAdmin refused a freshly obtained %s token)", status.Convert(err).Message(), a.kind())
	}
	return err
}

// afterLogin returns the context to make the call under once token has returned. A Pkce or
// DeviceFlow login waits for a person beyond the attempt's timeout (see token); when the attempt's
// context has ended meanwhile but the caller's has not, the call gets a fresh PerRetryTimeout under
// the caller's context, with the same outgoing metadata, instead of failing DeadlineExceeded right
// after a successful login.
func (a *authenticator) afterLogin(ctx context.Context) (context.Context, context.CancelFunc) {
	caller, ok := ctx.Value(callerContextKey{}).(context.Context)
	if !ok || ctx.Err() == nil || caller.Err() != nil {
		return ctx, func() {}
	}
	if t := a.o.Auth.Type; a.o.Auth.TokenSource != nil || (t != AuthPkce && t != AuthDeviceFlow) {
		return ctx, func() {}
	}
	d := a.o.Retry.PerRetryTimeout
	if d <= 0 {
		d = DefaultPerRetryTimeout
	}
	fresh, cancel := context.WithTimeout(context.WithValue(caller, callerContextKey{}, caller), d)
	if md, ok := metadata.FromOutgoingContext(ctx); ok {
		fresh = metadata.NewOutgoingContext(fresh, md)
	}
	return fresh, cancel
}

func (a *authenticator) kind() string {
	if a.o.Auth.TokenSource != nil {
		return "TokenSource"
	}
	return string(a.o.Auth.Type)
}

func (a *authenticator) refreshWindow() time.Duration {
	if w := a.o.Auth.RefreshWindow; w > 0 {
		return w
	}
	return DefaultRefreshWindow
}

// fresh reports whether the cached token tok (obtained at obtained) need not be replaced yet: it
// expires later than the refresh window from now. The window is capped at half the token's
// lifetime, so a window as long as the lifetime does not make every call fetch a token.
func (a *authenticator) fresh(tok *oauth2.Token, obtained time.Time) bool {
	if tok == nil || tok.AccessToken == "" {
		return false
	}
	if tok.Expiry.IsZero() {
		return true
	}
	w := a.refreshWindow()
	if !obtained.IsZero() {
		if half := tok.Expiry.Sub(obtained) / 2; w > half {
			w = half
		}
	}
	return time.Until(tok.Expiry) > w
}

// unexpired reports whether tok can still be sent: it has not reached its expiry (it may be inside
// the refresh window).
func unexpired(tok *oauth2.Token) bool {
	return tok != nil && tok.AccessToken != "" && (tok.Expiry.IsZero() || time.Now().Before(tok.Expiry))
}

// token returns a fresh token and the header to send it under. stale, when non-nil, is a token
// FlyteAdmin refused: it is not handed out again. Failures are gRPC status errors: Unavailable
// (retryable, not remembered) when the token endpoint cannot be reached or answers 5xx or 429,
// Unauthenticated for a refusal (remembered for the run of ctx, see [WithRetryRun], and not tried
// again in it), the context's code when ctx ends, and the discovery call's code when discovery
// fails. When a refresh fails while the cached token has not expired yet, the cached token is
// returned.
//
// The token is obtained by one flight at a time, shared by every call that needs it meanwhile: a
// call whose context ends stops waiting, the flight goes on (bounded by its own timeout and by
// Close) and the next call needing a token waits for the same flight.
func (a *authenticator) token(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, string, error) {
	if t := a.o.Auth.Type; a.o.Auth.TokenSource == nil && (t == AuthPkce || t == AuthDeviceFlow) {
		// A person is logging in: wait for them beyond the attempt's timeout, as long as the caller
		// waits. The attempt may time out meanwhile; it is retried with the token then cached.
		if c, ok := ctx.Value(callerContextKey{}).(context.Context); ok {
			ctx = c
		}
	}
	run, _ := ctx.Value(retryRunKey{}).(*retryRun)
	again := false // the flight kept the stale token once already
	for {
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			return nil, "", errClosed
		}
		if a.tok != nil && a.tok != stale && a.fresh(a.tok, a.obtained) && a.disc != nil {
			tok, h := a.tok, a.disc.header
			a.mu.Unlock()
			return tok, h, nil
		}
		if a.sticky != nil && run != nil && a.stickyRun == run {
			// A refusal is final for this run, but a token that has not expired yet is still used.
			if a.tok != nil && a.tok != stale && unexpired(a.tok) && a.disc != nil {
				tok, h := a.tok, a.disc.header
				a.mu.Unlock()
				return tok, h, nil
			}
			err := a.sticky
			a.mu.Unlock()
			return nil, "", err
		}
		f := a.flight
		if f == nil {
			f = a.startFlight(run)
		}
		a.mu.Unlock()
		tok, err := f.wait(ctx)
		if err != nil {
			if ctx.Err() == nil && f.timedOut && f.outlives(ctx) { // (the flight is done, f is final)
				// A flight this caller joined late ran out of its time, this caller has some
				// left: start another.
				continue
			}
			return nil, "", err
		}
		if tok == stale {
			// The flight kept the refused token (a refresh failed while it had not expired, or
			// the flight began before it was refused): fetch once more, then give up.
			if again {
				return nil, "", status.Errorf(codes.Unauthenticated, "register: FlyteAdmin refused the %s token and no new one could be obtained", a.kind())
			}
			again = true
			continue
		}
		a.mu.Lock()
		h := a.disc.header
		a.mu.Unlock()
		return tok, h, nil
	}
}

// startFlight starts a token fetch for run; a.mu is held.
func (a *authenticator) startFlight(run *retryRun) *flight {
	f := &flight{done: make(chan struct{})}
	a.flight = f
	ctx, cancel := a.flightContext()
	f.deadline, _ = ctx.Deadline()
	cancellable := a.o.Auth.TokenSource == nil
	if cancellable {
		a.wg.Add(1)
	}
	go func() {
		defer func() {
			cancel()
			if cancellable {
				a.wg.Done()
			}
		}()
		f.tok, f.err = a.obtain(ctx, run)
		f.timedOut = f.err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && a.life.Err() == nil
		a.mu.Lock()
		a.flight = nil
		a.mu.Unlock()
		close(f.done)
	}()
	return f
}

// flightContext bounds a flight: by Close, and, for flows without a person in the loop, by
// PerRetryTimeout (the interactive flows have their own timeouts; a TokenSource cannot be
// cancelled). The OAuth2 requests use the authenticator's HTTP client.
func (a *authenticator) flightContext() (context.Context, context.CancelFunc) {
	ctx := context.WithValue(a.life, oauth2.HTTPClient, a.hc)
	if t := a.o.Auth.Type; a.o.Auth.TokenSource == nil && t != AuthPkce && t != AuthDeviceFlow {
		return context.WithTimeout(ctx, a.perRetryTimeout())
	}
	return context.WithCancel(ctx)
}

func (a *authenticator) perRetryTimeout() time.Duration {
	if d := a.o.Retry.PerRetryTimeout; d > 0 {
		return d
	}
	return DefaultPerRetryTimeout
}

// obtain discovers what is needed and fetches a token (the body of a flight).
func (a *authenticator) obtain(ctx context.Context, run *retryRun) (*oauth2.Token, error) {
	d, err := a.discover(ctx)
	if err != nil {
		if a.life.Err() != nil {
			return nil, errClosed
		}
		return nil, err
	}
	a.mu.Lock()
	prev := a.tok
	a.mu.Unlock()
	tok, err := a.fetch(ctx, d, prev)
	if err != nil {
		if a.life.Err() != nil {
			return nil, errClosed
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, status.Errorf(codes.DeadlineExceeded, "register: obtaining a %s token took longer than %s", a.kind(), a.perRetryTimeout())
		}
		var temp interface{ Temporary() bool }
		transient := errors.As(err, &temp) && temp.Temporary()
		code := codes.Unauthenticated
		if transient {
			// The IdP is unreachable or overloaded for now: retryable, and asked again next time.
			code = codes.Unavailable
		}
		st := status.New(code, "register: "+err.Error())
		if !transient {
			a.mu.Lock()
			a.sticky, a.stickyRun = st.Err(), run
			a.mu.Unlock()
		}
		if prev != nil && unexpired(prev) {
			// The refresh inside the refresh window failed, but the cached token is still valid.
			return prev, nil
		}
		return nil, st.Err()
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, status.Errorf(codes.Unauthenticated, "register: %s returned no token", a.kind())
	}
	a.mu.Lock()
	a.tok, a.obtained = tok, time.Now()
	a.sticky, a.stickyRun = nil, nil
	a.mu.Unlock()
	return tok, nil
}

// temporary marks a token failure worth trying again on a later call (a network error reaching
// the IdP), as opposed to a refusal.
type temporary struct{ error }

func (temporary) Temporary() bool { return true }
func (t temporary) Unwrap() error { return t.error }

// discover asks FlyteAdmin's AuthMetadataService for what the options leave open; once it has
// succeeded, the answer is kept.
func (a *authenticator) discover(ctx context.Context) (*discovery, error) {
	a.mu.Lock()
	d := a.disc
	a.mu.Unlock()
	if d != nil {
		return d, nil
	}
	auth := a.o.Auth
	d = &discovery{header: strings.ToLower(auth.Header), tokenURL: auth.TokenURL, scopes: auth.Scopes, audience: auth.Audience}
	// The public client config is needed for more than the header when scopes, the audience or
	// (Pkce, DeviceFlow) the public client must come from FlyteAdmin.
	needMore := auth.UseAudienceFromAdmin
	needMeta := false
	switch {
	case auth.TokenSource != nil, auth.Type == AuthExternalCommand:
	case auth.Type == AuthClientSecret:
		needMore = needMore || len(d.scopes) == 0
		needMeta = d.tokenURL == ""
	case auth.Type == AuthPkce, auth.Type == AuthDeviceFlow:
		needMore, needMeta = true, true
	}
	if d.header == "" || needMore {
		pc, err := a.meta.GetPublicClientConfig(ctx, &service.PublicClientAuthConfigRequest{})
		switch {
		case err == nil:
			if d.header == "" {
				d.header = strings.ToLower(pc.GetAuthorizationMetadataKey())
			}
			if len(d.scopes) == 0 {
				d.scopes = pc.GetScopes()
			}
			if auth.UseAudienceFromAdmin {
				d.audience = pc.GetAudience()
			}
			d.clientID, d.redirectURI = pc.GetClientId(), pc.GetRedirectUri()
		case status.Code(err) == codes.Unimplemented && auth.Type != AuthPkce && auth.Type != AuthDeviceFlow:
			// A server (or proxy) without AuthMetadataService: what is configured, and the default
			// header, will do.
		default:
			return nil, discoveryError("GetPublicClientConfig", err)
		}
	}
	if needMeta {
		m, err := a.meta.GetOAuth2Metadata(ctx, &service.OAuth2MetadataRequest{})
		if err != nil {
			return nil, discoveryError("GetOAuth2Metadata", err)
		}
		if d.tokenURL == "" {
			d.tokenURL = m.GetTokenEndpoint()
		}
		d.authURL, d.deviceURL = m.GetAuthorizationEndpoint(), m.GetDeviceAuthorizationEndpoint()
	}
	if d.header == "" {
		d.header = DefaultAuthorizationHeader
	}
	a.mu.Lock()
	a.disc = d
	a.mu.Unlock()
	return d, nil
}

func discoveryError(call string, err error) error {
	st := status.Convert(err)
	return status.Errorf(st.Code(), "register: discovering OAuth2 settings from FlyteAdmin (AuthMetadataService.%s): %s", call, st.Message())
}

// fetch runs the configured flow. prev is the token being replaced (its refresh token is used
// first by Pkce and DeviceFlow). Errors never contain secrets or tokens.
func (a *authenticator) fetch(ctx context.Context, d *discovery, prev *oauth2.Token) (*oauth2.Token, error) {
	auth := a.o.Auth
	if auth.TokenSource != nil {
		tok, err := auth.TokenSource.Token()
		if err != nil {
			return nil, temporary{fmt.Errorf("token source: %w", err)} // the caller's source may recover: ask it again next time
		}
		return tok, nil
	}
	fctx := ctx // carries the OAuth2 HTTP client (flightContext)
	switch auth.Type {
	case AuthClientSecret:
		return a.clientSecret(fctx, d)
	case AuthExternalCommand:
		return runTokenCommand(fctx, "command", auth.Command)
	case AuthPkce, AuthDeviceFlow:
		oc := &oauth2.Config{
			ClientID: d.clientID,
			// A public client: client_id in the form, no secret (auto-detection would send every
			// failed device poll twice).
			Endpoint: oauth2.Endpoint{AuthURL: d.authURL, TokenURL: d.tokenURL, DeviceAuthURL: d.deviceURL, AuthStyle: oauth2.AuthStyleInParams},
			Scopes:   d.scopes, RedirectURL: d.redirectURI,
		}
		if prev != nil && prev.RefreshToken != "" {
			old := *prev
			old.Expiry = time.Unix(1, 0) // force the refresh grant
			tok, err := oc.TokenSource(fctx, &old).Token()
			if err == nil {
				return tok, nil
			}
			if unexpired(prev) && ctx.Err() == nil {
				// Refreshing inside the refresh window failed: keep using the token (see token)
				// rather than asking the person to log in while it is still valid.
				return nil, temporary{fmt.Errorf("refreshing the %s token failed: %s", auth.Type, redactRefresh(err.Error(), prev.RefreshToken))}
			}
		}
		if auth.Type == AuthPkce {
			return a.pkce(fctx, oc, d)
		}
		return a.deviceFlow(fctx, oc, d)
	}
	return nil, fmt.Errorf("authType %q is not supported", auth.Type)
}

func (a *authenticator) clientSecret(ctx context.Context, d *discovery) (*oauth2.Token, error) {
	auth := a.o.Auth
	cc := &clientcredentials.Config{ClientID: auth.ClientID, ClientSecret: a.secret, TokenURL: d.tokenURL, Scopes: d.scopes}
	if d.audience != "" {
		cc.EndpointParams = url.Values{"audience": {d.audience}}
	}
	if cc.TokenURL == "" {
		return nil, fmt.Errorf("authentication failed for client id %q: no token endpoint (admin.tokenUrl is not set and FlyteAdmin advertises none)", auth.ClientID)
	}
	tok, err := cc.Token(ctx)
	if err != nil {
		// The error quotes the endpoint's response body, which may echo the request.
		msg := redactSecret(err.Error(), cc.ClientID, cc.ClientSecret)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || transientHTTP(re) {
			// A network error, or the endpoint (or a proxy in front of it) is failing or
			// throttling: not a refusal.
			return nil, temporary{fmt.Errorf("authentication failed for client id %q at %s: %s", auth.ClientID, redactURL(cc.TokenURL), msg)}
		}
		return nil, fmt.Errorf("authentication failed for client id %q at %s: %s", auth.ClientID, redactURL(cc.TokenURL), msg)
	}
	return tok, nil
}

// transientHTTP reports whether a token endpoint's error answer is a server failure (5xx) or
// throttling (429) rather than a refusal of the credentials.
func transientHTTP(re *oauth2.RetrieveError) bool {
	if re.Response == nil {
		return false
	}
	c := re.Response.StatusCode
	return c >= 500 || c == http.StatusTooManyRequests
}

// tokenCommandWaitDelay is how long a token command's output is still read after its context ended.
const tokenCommandWaitDelay = 100 * time.Millisecond

// runTokenCommand runs argv and takes its trimmed standard output as a bearer token; a JWT's exp
// claim becomes the token's expiry.
func runTokenCommand(ctx context.Context, key string, argv []string) (*oauth2.Token, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stderr = nil // neither shown nor quoted: it may hold a token
	// When ctx ends the command is killed; a child it left holding standard output must not keep
	// Output waiting for EOF: stop reading after tokenCommandWaitDelay.
	cmd.WaitDelay = tokenCommandWaitDelay
	// The command stays in our process group (no Setpgid): a command that prompts on /dev/tty
	// (an interactive proxy or MFA login) must not be stopped by SIGTTIN. So a child it leaves
	// behind is not killed with it; it is only no longer waited for.
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("admin.%s %q: %w", key, argv[0], ctx.Err())
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("authentication failed: admin.%s %q exited with %s", key, argv[0], ee.ProcessState)
		}
		return nil, fmt.Errorf("authentication failed: admin.%s %q: %w", key, argv[0], err)
	}
	t := strings.Trim(string(out), "\t \r\n")
	if t == "" {
		return nil, fmt.Errorf("authentication failed: admin.%s %q printed no token", key, argv[0])
	}
	return &oauth2.Token{AccessToken: t, TokenType: "Bearer", Expiry: jwtExpiry(t)}, nil
}

// jwtExpiry reads the exp claim of a JWT without verifying it (the server does that); zero when the
// token is not a JWT or has no exp.
func jwtExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp *json.Number `json:"exp"`
	}
	if json.Unmarshal(b, &claims) != nil || claims.Exp == nil {
		return time.Time{}
	}
	f, err := claims.Exp.Float64()
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}

// proxy returns the proxy-authorization token, running ProxyCommand when there is none yet or
// it has expired (a JWT's exp claim). One run at a time serves every call that needs it meanwhile.
func (a *authenticator) proxy(ctx context.Context) (string, error) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return "", errClosed
	}
	if t := a.proxyTok; t != nil && (t.Expiry.IsZero() || time.Until(t.Expiry) > a.refreshWindow()) {
		a.mu.Unlock()
		return t.AccessToken, nil
	}
	f := a.proxyFlight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		a.proxyFlight = f
		fctx, cancel := context.WithTimeout(a.life, a.perRetryTimeout())
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			defer cancel()
			tok, err := runTokenCommand(fctx, "proxyCommand", a.o.Auth.ProxyCommand)
			a.mu.Lock()
			if err != nil {
				f.err = status.Error(codes.Unauthenticated, "register: "+err.Error())
				if a.life.Err() != nil {
					f.err = errClosed
				}
			} else {
				f.tok, a.proxyTok = tok, tok
			}
			a.proxyFlight = nil
			a.mu.Unlock()
			close(f.done)
		}()
	}
	a.mu.Unlock()
	tok, err := f.wait(ctx)
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// proxyAuthTransport adds the proxy-authorization header to the OAuth2 requests.
type proxyAuthTransport struct {
	base http.RoundTripper
	a    *authenticator
}

func (t *proxyAuthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	pt, err := t.a.proxy(r.Context())
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("Proxy-Authorization", "Bearer "+pt)
	return t.base.RoundTrip(r)
}

// redactRefresh removes a refresh token from s (an error quoting the token endpoint's answer).
func redactRefresh(s, refresh string) string {
	if refresh == "" {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, url.QueryEscape(refresh), "<redacted>"), refresh, "<redacted>")
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

// tokenCredentials sends one token as gRPC per-RPC credentials; with secure set, gRPC refuses to
// send it over a connection whose handshake is not secure.
type tokenCredentials struct {
	header, value string
	secure        bool
}

func (c *tokenCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{c.header: c.value}, nil
}

func (c *tokenCredentials) RequireTransportSecurity() bool { return c.secure }

// plaintextRefusal is a call refused locally because its token would have gone over plaintext.
type plaintextRefusal struct{ st *status.Status }

func (e *plaintextRefusal) Error() string              { return e.st.Err().Error() }
func (e *plaintextRefusal) GRPCStatus() *status.Status { return e.st }
