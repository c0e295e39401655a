package register

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// EnvFlytectlConfig is the environment variable flytectl reads its config file path from.
const EnvFlytectlConfig = "FLYTECTL_CONFIG"

// maxConfigSize bounds how much of a config file is read; flytectl configs are a few hundred bytes.
const maxConfigSize = 1 << 20

// ErrNoFlytectlConfig is returned (wrapped) by [FindFlytectlConfig] when no config file exists.
var ErrNoFlytectlConfig = errors.New("register: no flytectl config file found")

// FindFlytectlConfig resolves the flytectl config file the way flytectl does: explicit (e.g. a
// --config flag) if non-empty, else $FLYTECTL_CONFIG if set, else ~/.flyte/config.yaml. An explicit or
// environment path that does not exist is an error rather than a fall-through, so a typo is not
// silently replaced by another file. The returned error wraps [ErrNoFlytectlConfig] (and
// os.ErrNotExist where applicable).
func FindFlytectlConfig(explicit string) (string, error) {
	check := func(path, from string) (string, error) {
		fi, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("%w: %s %q: %w", ErrNoFlytectlConfig, from, path, err)
		}
		if fi.IsDir() {
			return "", fmt.Errorf("%w: %s %q is a directory", ErrNoFlytectlConfig, from, path)
		}
		return path, nil
	}
	if explicit != "" {
		return check(explicit, "config")
	}
	if env := os.Getenv(EnvFlytectlConfig); env != "" {
		return check(env, "$"+EnvFlytectlConfig)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoFlytectlConfig, err)
	}
	return check(filepath.Join(home, ".flyte", "config.yaml"), "default config")
}

// LoadFlytectlConfig reads a flytectl config file and returns its `admin:` section as Options; see
// [ParseFlytectlConfig]. Errors wrap [ErrConfig] (or the file system error).
func LoadFlytectlConfig(path string) (Options, error) {
	f, err := os.Open(path)
	if err != nil {
		return Options{}, fmt.Errorf("register: reading flytectl config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return Options{}, fmt.Errorf("register: reading flytectl config %q: %w", path, err)
	}
	if len(data) > maxConfigSize {
		return Options{}, fmt.Errorf("%w: %q is larger than %d bytes", ErrConfig, path, maxConfigSize)
	}
	cfg, err := ParseFlytectlConfig(data)
	if err != nil {
		return Options{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// flytectlDuration decodes flytestdlib's config.Duration: a Go duration string ("15s") or a number of
// nanoseconds.
type flytectlDuration struct{ time.Duration }

// UnmarshalJSON implements json.Unmarshaler with flytestdlib's rules.
func (d *flytectlDuration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		d.Duration = 0
	case float64:
		d.Duration = time.Duration(x)
	case string:
		if x == "" {
			d.Duration = 0
			return nil
		}
		p, err := time.ParseDuration(x)
		if err != nil {
			return err
		}
		d.Duration = p
	default:
		return fmt.Errorf("invalid duration %s", b)
	}
	return nil
}

// flytectlAdmin holds the admin keys this package understands; others are ignored, as flytectl does.
// AuthorizationServerURL and the RefreshTime fields are decoded (so that a malformed value is still
// reported) and not used.
type flytectlAdmin struct {
	Endpoint                 string           `json:"endpoint"`
	Insecure                 bool             `json:"insecure"`
	CACertFilePath           string           `json:"caCertFilePath"`
	InsecureSkipVerify       bool             `json:"insecureSkipVerify"`
	MaxRetries               *int             `json:"maxRetries"`
	PerRetryTimeout          flytectlDuration `json:"perRetryTimeout"`
	MaxBackoffDelay          flytectlDuration `json:"maxBackoffDelay"`
	HTTPProxyURL             string           `json:"httpProxyURL"`
	AuthType                 string           `json:"authType"`
	AllowTokensOverPlaintext bool             `json:"allowTokensOverPlaintext"`
	ClientID                 string           `json:"clientId"`
	ClientSecretLocation     string           `json:"clientSecretLocation"`
	ClientSecretEnvVar       string           `json:"clientSecretEnvVar"`
	TokenURL                 string           `json:"tokenUrl"`
	AuthorizationServerURL   string           `json:"authorizationServerUrl"`
	Scopes                   []string         `json:"scopes"`
	Audience                 string           `json:"audience"`
	UseAudienceFromAdmin     bool             `json:"useAudienceFromAdmin"`
	AuthorizationHeader      string           `json:"authorizationHeader"`
	TokenRefreshWindow       flytectlDuration `json:"tokenRefreshWindow"`
	Command                  []string         `json:"command"`
	ProxyCommand             []string         `json:"proxyCommand"`
	PkceConfig               struct {
		Timeout     flytectlDuration `json:"timeout"`
		RefreshTime flytectlDuration `json:"refreshTime"`
	} `json:"pkceConfig"`
	DeviceFlowConfig struct {
		Timeout      flytectlDuration `json:"timeout"`
		PollInterval flytectlDuration `json:"pollInterval"`
		RefreshTime  flytectlDuration `json:"refreshTime"`
	} `json:"deviceFlowConfig"`
}

// ParseFlytectlConfig decodes flytectl YAML (the `admin:` section; key names as in flyteidl
// clients/go/admin/config.go) into Options, one field of Options per key: endpoint, insecure,
// caCertFilePath, insecureSkipVerify, maxRetries, perRetryTimeout, maxBackoffDelay, httpProxyURL,
// authType, clientId, clientSecretLocation, clientSecretEnvVar, tokenUrl, scopes, audience,
// useAudienceFromAdmin, authorizationHeader, tokenRefreshWindow, command, proxyCommand,
// pkceConfig.timeout, deviceFlowConfig.timeout and deviceFlowConfig.pollInterval, plus
// allowTokensOverPlaintext, which flytectl does not have (and ignores). The keys flytectl v0.9.4
// has but does not use (authorizationServerUrl, deprecated there; pkceConfig.refreshTime and
// deviceFlowConfig.refreshTime, where refreshing follows tokenRefreshWindow) are accepted and
// ignored, as are unknown keys and other sections, like flytectl. Durations accept "15s" or
// nanoseconds.
//
// Mapping decisions: an explicit `maxRetries: 0` means "no retries" (Retry.MaxRetries -1), absent
// means the default; authType is matched case-insensitively; without authType, a file that names
// clientId, clientSecretLocation or clientSecretEnvVar gets ClientSecret (flytectl's default), and one
// that names none of them gets no authentication (flytectl would try clientId "flytepropeller" with
// /etc/secrets/client_secret; here an Unauthenticated reply says to set admin.authType). Secrets are
// not read here, only by [New]. admin.endpoint is required. Errors wrap [ErrConfig].
func ParseFlytectlConfig(data []byte) (Options, error) {
	var doc struct {
		Admin *flytectlAdmin `json:"admin"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Options{}, fmt.Errorf("%w: flytectl YAML: %w", ErrConfig, err)
	}
	if doc.Admin == nil {
		return Options{}, fmt.Errorf("%w: no admin section", ErrConfig)
	}
	a := doc.Admin
	o := Options{
		Endpoint:           strings.TrimSpace(a.Endpoint),
		Insecure:           a.Insecure,
		CACertFile:         a.CACertFilePath,
		InsecureSkipVerify: a.InsecureSkipVerify,
		HTTPProxyURL:       a.HTTPProxyURL,
		Retry: RetryPolicy{
			PerRetryTimeout: a.PerRetryTimeout.Duration,
			MaxBackoff:      a.MaxBackoffDelay.Duration,
		},
		Auth: Auth{
			AllowTokensOverPlaintext: a.AllowTokensOverPlaintext,
			Header:                   a.AuthorizationHeader,
			RefreshWindow:            a.TokenRefreshWindow.Duration,
			ClientID:                 a.ClientID,
			ClientSecretLocation:     a.ClientSecretLocation,
			ClientSecretEnvVar:       a.ClientSecretEnvVar,
			TokenURL:                 a.TokenURL,
			Scopes:                   a.Scopes,
			Audience:                 a.Audience,
			UseAudienceFromAdmin:     a.UseAudienceFromAdmin,
			Command:                  a.Command,
			ProxyCommand:             a.ProxyCommand,
			Pkce:                     PkceOptions{Timeout: a.PkceConfig.Timeout.Duration},
			DeviceFlow: DeviceFlowOptions{
				Timeout:      a.DeviceFlowConfig.Timeout.Duration,
				PollInterval: a.DeviceFlowConfig.PollInterval.Duration,
			},
		},
	}
	if o.Endpoint == "" {
		return Options{}, fmt.Errorf("%w: admin.endpoint is not set", ErrConfig)
	}
	if a.MaxRetries != nil {
		switch {
		case *a.MaxRetries < 0:
			return Options{}, fmt.Errorf("%w: admin.maxRetries is negative (%d)", ErrConfig, *a.MaxRetries)
		case *a.MaxRetries == 0:
			o.Retry.MaxRetries = -1
		default:
			o.Retry.MaxRetries = *a.MaxRetries
		}
	}
	for _, d := range []time.Duration{o.Retry.PerRetryTimeout, o.Retry.MaxBackoff, o.Auth.RefreshWindow, o.Auth.Pkce.Timeout,
		o.Auth.DeviceFlow.Timeout, o.Auth.DeviceFlow.PollInterval} {
		if d < 0 {
			return Options{}, fmt.Errorf("%w: negative duration in admin section", ErrConfig)
		}
	}
	switch {
	case a.AuthType != "":
		t, ok := parseAuthType(a.AuthType)
		if !ok {
			return Options{}, fmt.Errorf("%w: admin.authType %q is not one of ClientSecret, Pkce, DeviceFlow, ExternalCommand", ErrConfig, a.AuthType)
		}
		o.Auth.Type = t
	case a.ClientID != "" || a.ClientSecretLocation != "" || a.ClientSecretEnvVar != "":
		// flytectl's default authType, for a file that names client credentials.
		o.Auth.Type = AuthClientSecret
	}
	return o, nil
}

func parseAuthType(s string) (AuthType, bool) {
	for _, t := range []AuthType{AuthClientSecret, AuthPkce, AuthDeviceFlow, AuthExternalCommand} {
		if strings.EqualFold(s, string(t)) {
			return t, true
		}
	}
	return AuthNone, false
}
