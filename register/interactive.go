package register

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

func (a *authenticator) prompt() io.Writer {
	if a.o.Auth.Prompt != nil {
		return a.o.Auth.Prompt
	}
	return os.Stderr
}

// pkce runs the authorization-code grant with PKCE (RFC 7636): it listens on the redirect URI
// FlyteAdmin advertises (a loopback address such as http://localhost:53593/callback), prints the
// authorization URL and tries to open a browser, and exchanges the code that comes back. Without a
// redirect within Pkce.Timeout it stops listening and fails.
func (a *authenticator) pkce(ctx context.Context, oc *oauth2.Config, d *discovery) (*oauth2.Token, error) {
	if oc.Endpoint.AuthURL == "" || oc.Endpoint.TokenURL == "" || oc.ClientID == "" || oc.RedirectURL == "" {
		return nil, errors.New("authentication failed: Pkce needs FlyteAdmin to advertise an authorization endpoint, a token endpoint, a public client id and a redirect URI")
	}
	redirect, err := url.Parse(oc.RedirectURL)
	if err != nil || redirect.Scheme != "http" || !loopbackHost(redirect.Hostname()) || redirect.Port() == "" {
		// RFC 8252 section 7.3: a native app's redirect listener is on the loopback interface only,
		// never on an address reachable from the network (such as 0.0.0.0).
		return nil, fmt.Errorf("authentication failed: Pkce needs a loopback redirect URI (http://localhost:PORT/..., http://127.0.0.1:PORT/... or http://[::1]:PORT/...); FlyteAdmin advertises %q", oc.RedirectURL)
	}
	timeout := a.o.Auth.Pkce.Timeout
	if timeout <= 0 {
		timeout = DefaultPkceTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", redirect.Host)
	if err != nil {
		return nil, fmt.Errorf("authentication failed: Pkce cannot listen for the redirect on %s: %w", redirect.Host, err)
	}
	state := randomString()
	verifier := oauth2.GenerateVerifier()
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	mux := http.NewServeMux()
	path := redirect.Path
	if path == "" {
		path = "/"
	}
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var res result
		switch {
		case q.Get("state") != state:
			http.Error(w, "unexpected state", http.StatusBadRequest)
			return // not ours (a stale tab): keep waiting
		case q.Get("error") != "":
			res.err = fmt.Errorf("authentication failed: the authorization server answered %q: %s", q.Get("error"), q.Get("error_description"))
		case q.Get("code") == "":
			res.err = errors.New("authentication failed: the redirect carried no code")
		default:
			res.code = q.Get("code")
		}
		if res.err != nil {
			fmt.Fprintf(w, "<html><body>Authentication failed: %s. You can close this window.</body></html>", html.EscapeString(res.err.Error()))
		} else {
			fmt.Fprint(w, "<html><body>Authenticated with Flyte. You can close this window.</body></html>")
		}
		select {
		case done <- res:
		default:
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	}()

	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if d.audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", d.audience))
	}
	authURL := oc.AuthCodeURL(state, opts...)
	fmt.Fprintf(a.prompt(), "Pkce: opening your browser to log in to Flyte; if it does not open, visit this URL on this machine (waiting up to %s for the redirect to %s):\n  %s\n", timeout, oc.RedirectURL, authURL)
	open := a.o.Auth.OpenBrowser
	if open == nil {
		open = openBrowser
	}
	_ = open(authURL)

	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("authentication failed: Pkce: no browser redirect to %s within %s (without a browser on this machine use authType DeviceFlow or ExternalCommand)", oc.RedirectURL, timeout)
	}
	if res.err != nil {
		return nil, res.err
	}
	tok, err := oc.Exchange(ctx, res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("authentication failed: Pkce code exchange at %s: %s", redactURL(oc.Endpoint.TokenURL), redactSecret(err.Error(), oc.ClientID, res.code))
	}
	return tok, nil
}

// deviceFlow runs the device-authorization grant (RFC 8628): it prints the verification URL and
// code, then polls the token endpoint (slow_down adds 5 s to the interval) until the user approves,
// the code expires or DeviceFlow.Timeout passes.
func (a *authenticator) deviceFlow(ctx context.Context, oc *oauth2.Config, d *discovery) (*oauth2.Token, error) {
	if oc.Endpoint.DeviceAuthURL == "" || oc.Endpoint.TokenURL == "" || oc.ClientID == "" {
		return nil, errors.New("authentication failed: DeviceFlow needs FlyteAdmin to advertise a device authorization endpoint, a token endpoint and a public client id")
	}
	cfg := a.o.Auth.DeviceFlow
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultDeviceFlowTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var opts []oauth2.AuthCodeOption
	if d.audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", d.audience))
	}
	da, err := oc.DeviceAuth(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("authentication failed: DeviceFlow authorization request at %s: %w", redactURL(oc.Endpoint.DeviceAuthURL), err)
	}
	if da.Interval <= 0 {
		poll := cfg.PollInterval
		if poll <= 0 {
			poll = DefaultDeviceFlowPollInterval
		}
		da.Interval = max(int64((poll+time.Second-1)/time.Second), 1)
	}
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(a.prompt(), "DeviceFlow: to log in to Flyte, open %s (code %s) in any browser\n", da.VerificationURIComplete, da.UserCode)
	} else {
		fmt.Fprintf(a.prompt(), "DeviceFlow: to log in to Flyte, open %s in any browser and enter the code %s\n", da.VerificationURI, da.UserCode)
	}
	tok, err := oc.DeviceAccessToken(ctx, da, opts...)
	if err != nil {
		var re *oauth2.RetrieveError
		switch {
		case errors.As(err, &re) && re.ErrorCode == "expired_token",
			errors.Is(err, context.DeadlineExceeded) && !da.Expiry.IsZero() && !time.Now().Before(da.Expiry):
			return nil, errors.New("authentication failed: DeviceFlow: the device code expired before it was approved")
		case errors.As(err, &re) && re.ErrorCode == "access_denied":
			return nil, errors.New("authentication failed: DeviceFlow: access denied")
		case errors.Is(err, context.DeadlineExceeded):
			return nil, fmt.Errorf("authentication failed: DeviceFlow: not approved within %s (deviceFlowConfig.timeout)", timeout)
		}
		return nil, fmt.Errorf("authentication failed: DeviceFlow: %w", err)
	}
	return tok, nil
}

// loopbackHost reports whether host (without port) names the loopback interface: "localhost" or a
// loopback IP literal.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// openBrowser asks the platform to open u; failure is fine (the URL is printed).
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display")
		}
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
