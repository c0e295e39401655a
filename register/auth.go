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
	o         Options
	plaintext bool
	values    context.Context // New's ctx without its cancellation, carrying the OAuth2 HTTP client
	meta      service.AuthMetadataServiceClient
	secret    string // ClientSecret only

	sem chan struct{} // capacity 1: held while discovering or fetching

	mu         sync.Mutex
	active     bool          // send a token with every call
	tok        *oauth2.Token // the cached token
	obtained   time.Time     // when tok was obtained
	sticky     error         // a final authentication failure: not tried again
	disc       *discovery
	proxyToken string
}

// discovery is what FlyteAdmin's AuthMetadataService told us, merged with the options.
type discovery struct {
	header                       string
	tokenURL, authURL, deviceURL string
	clientID, redirectURI        string
	scopes                       []string
	audience                     string
}

func newAuthenticator(ctx context.Context, o Options, roots *x509.CertPool) (*authenticator, error) {
	a := &authenticator{o: o, plaintext: o.Insecure, sem: make(chan struct{}, 1)}
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
	hc := auth.HTTPClient
	if hc == nil {
		if v, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && v != nil {
			hc = v
		} else {
			var err error
			if hc, err = oauthHTTPClient(o, roots, o.CACertFile); err != nil {
				return nil, err
			}
		}
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
	a.values = context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, hc)
	return a, nil
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
		cctx := ctx
		if tok != nil {
			cctx = metadata.AppendToOutgoingContext(ctx, header, tok.Type()+" "+tok.AccessToken)
		}
		return invoker(cctx, method, req, reply, cc, opts...)
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
		if a.plaintext && !a.o.Auth.AllowTokensOverPlaintext {
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
	if status.Code(err) != codes.Unauthenticated {
		return err
	}
	// The token was refused (revoked, expired early, clock skew): replace it once.
	tok2, header, err := a.token(ctx, tok)
	if err != nil {
		return err
	}
	err = call(tok2, header)
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
// Unauthenticated for a refusal (remembered and not tried again), the context's code when ctx ends,
// and the discovery call's code when discovery fails. When a refresh fails while the cached token
// has not expired yet, the cached token is returned.
func (a *authenticator) token(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, string, error) {
	if t := a.o.Auth.Type; a.o.Auth.TokenSource == nil && (t == AuthPkce || t == AuthDeviceFlow) {
		// A person is logging in: wait for them beyond the attempt's timeout, as long as the caller
		// waits. The attempt may time out meanwhile; it is retried with the token then cached.
		if c, ok := ctx.Value(callerContextKey{}).(context.Context); ok {
			ctx = c
		}
	}
	usable := func() (*oauth2.Token, string, error, bool) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.tok != nil && a.tok != stale && a.fresh(a.tok, a.obtained) && a.disc != nil {
			return a.tok, a.disc.header, nil, true
		}
		if a.sticky != nil {
			// A refusal is final, but a token that has not expired yet is still used.
			if a.tok != nil && a.tok != stale && unexpired(a.tok) && a.disc != nil {
				return a.tok, a.disc.header, nil, true
			}
			return nil, "", a.sticky, true
		}
		return nil, "", nil, false
	}
	if tok, h, err, ok := usable(); ok {
		return tok, h, err
	}
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, "", status.FromContextError(ctx.Err()).Err()
	}
	defer func() { <-a.sem }()
	if tok, h, err, ok := usable(); ok { // obtained by another caller meanwhile
		return tok, h, err
	}
	d, err := a.discover(ctx)
	if err != nil {
		return nil, "", err
	}
	a.mu.Lock()
	prev := a.tok
	a.mu.Unlock()
	tok, err := a.fetch(ctx, d, prev)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, "", status.FromContextError(ctxErr).Err()
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
			a.sticky = st.Err()
			a.mu.Unlock()
		}
		if prev != nil && prev != stale && unexpired(prev) {
			// The refresh inside the refresh window failed, but the cached token is still valid.
			return prev, d.header, nil
		}
		return nil, "", st.Err()
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, "", status.Errorf(codes.Unauthenticated, "register: %s returned no token", a.kind())
	}
	a.mu.Lock()
	a.tok, a.obtained = tok, time.Now()
	a.mu.Unlock()
	return tok, d.header, nil
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
		tok, err := tokenWithin(ctx, auth.TokenSource)
		if err != nil {
			return nil, temporary{err} // the caller's source may recover: ask it again next time
		}
		return tok, nil
	}
	// OAuth2 requests use New's values (the HTTP client) and ctx's cancellation.
	fctx, cancel := context.WithCancel(a.values)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
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

// tokenWithin calls a TokenSource, which cannot be cancelled, in its own goroutine, and stops
// waiting for it when ctx ends.
func tokenWithin(ctx context.Context, ts oauth2.TokenSource) (*oauth2.Token, error) {
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
		if r.err != nil {
			return nil, fmt.Errorf("token source: %w", r.err)
		}
		return r.tok, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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

// runTokenCommand runs argv and takes its trimmed standard output as a bearer token; a JWT's exp
// claim becomes the token's expiry.
func runTokenCommand(ctx context.Context, key string, argv []string) (*oauth2.Token, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stderr = nil // neither shown nor quoted: it may hold a token
	out, err := cmd.Output()
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

// proxy returns the proxy-authorization token, running ProxyCommand the first time.
func (a *authenticator) proxy(ctx context.Context) (string, error) {
	a.mu.Lock()
	pt := a.proxyToken
	a.mu.Unlock()
	if pt != "" {
		return pt, nil
	}
	tok, err := runTokenCommand(ctx, "proxyCommand", a.o.Auth.ProxyCommand)
	if err != nil {
		return "", status.Error(codes.Unauthenticated, "register: "+err.Error())
	}
	a.mu.Lock()
	a.proxyToken = tok.AccessToken
	a.mu.Unlock()
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
