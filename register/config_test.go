package register_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/flytedask/flytedask/register"
)

func TestLoadFlytectlConfig(t *testing.T) {
	tests := []struct {
		file    string
		want    register.Options
		wantErr string
	}{
		{
			file: "sandbox.yaml",
			want: register.Options{Endpoint: "dns:///localhost:30080", Insecure: true, Auth: register.Auth{Type: register.AuthPkce}},
		},
		{
			file: "plain.yaml",
			want: register.Options{Endpoint: "localhost:8089", Insecure: true},
		},
		{
			file: "clientsecret.yaml",
			want: register.Options{
				Endpoint:   "dns:///flyte.example.com:443",
				CACertFile: "/etc/ssl/flyte-ca.pem",
				Retry:      register.RetryPolicy{MaxRetries: 7, PerRetryTimeout: 30 * time.Second, MaxBackoff: 2 * time.Second},
				Auth: register.Auth{
					Type:                 register.AuthClientSecret,
					ClientID:             "flytectl-ci",
					ClientSecretLocation: "/var/run/secrets/flyte/client_secret",
					TokenURL:             "https://idp.example.com/oauth2/token",
					Scopes:               []string{"all", "offline"},
					Audience:             "https://flyte.example.com",
					Header:               "flyte-authorization",
					Pkce:                 register.PkceOptions{Timeout: 2 * time.Minute},
				},
			},
		},
		{
			file: "envsecret.yaml",
			want: register.Options{
				Endpoint: "dns:///flyte.example.com",
				Retry:    register.RetryPolicy{MaxRetries: -1, PerRetryTimeout: 1500 * time.Millisecond}, // explicit 0 = no retries
				Auth: register.Auth{
					Type:               register.AuthClientSecret,
					ClientID:           "ci",
					ClientSecretEnvVar: "FLYTE_CLIENT_SECRET",
					TokenURL:           "https://idp.example.com/token",
				},
			},
		},
		{
			file: "defaultsecret.yaml",
			want: register.Options{
				Endpoint: "dns:///flyte.example.com",
				Auth:     register.Auth{Type: register.AuthClientSecret, ClientID: "ci", TokenURL: "https://idp.example.com/token"},
			},
		},
		{
			file: "noauthtype.yaml",
			want: register.Options{
				Endpoint: "dns:///flyte.example.com",
				Auth:     register.Auth{Type: register.AuthClientSecret, ClientID: "ci", ClientSecretEnvVar: "FLYTE_CLIENT_SECRET"},
			},
		},
		{
			file: "allkeys.yaml",
			want: register.Options{
				Endpoint:           "dns:///flyte.example.com:443",
				Insecure:           true,
				CACertFile:         "/etc/ssl/flyte-ca.pem",
				InsecureSkipVerify: true,
				HTTPProxyURL:       "http://proxy.example.com:3128",
				Retry:              register.RetryPolicy{MaxRetries: 2, PerRetryTimeout: 5 * time.Second, MaxBackoff: time.Second},
				Auth: register.Auth{
					Type:                     register.AuthDeviceFlow,
					AllowTokensOverPlaintext: true,
					Header:                   "flyte-authorization",
					RefreshWindow:            time.Minute,
					ClientID:                 "flytectl",
					ClientSecretLocation:     "/s",
					ClientSecretEnvVar:       "S",
					TokenURL:                 "https://idp/token",
					Scopes:                   []string{"all", "offline"},
					Audience:                 "https://aud",
					UseAudienceFromAdmin:     true,
					Command:                  []string{"get-token", "--json"},
					ProxyCommand:             []string{"get-proxy-token"},
					Pkce:                     register.PkceOptions{Timeout: 3 * time.Minute},
					DeviceFlow:               register.DeviceFlowOptions{Timeout: 5 * time.Minute, PollInterval: 7 * time.Second},
				},
			},
		},
		{file: "noadmin.yaml", wantErr: "no admin section"},
		{file: "noendpoint.yaml", wantErr: "admin.endpoint is not set"},
		{file: "badauth.yaml", wantErr: `admin.authType "Kerberos"`},
		{file: "negretries.yaml", wantErr: "maxRetries is negative"},
		{file: "badduration.yaml", wantErr: "invalid duration"},
		{file: "notyaml.yaml", wantErr: "flytectl YAML"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := register.LoadFlytectlConfig(filepath.Join("testdata", tc.file))
			if tc.wantErr != "" {
				require.ErrorIs(t, err, register.ErrConfig)
				assert.ErrorContains(t, err, tc.wantErr)
				assert.ErrorContains(t, err, tc.file, "errors name the file")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := register.LoadFlytectlConfig(filepath.Join("testdata", "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestFindFlytectlConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(register.EnvFlytectlConfig, "")
	explicit := filepath.Join(t.TempDir(), "explicit.yaml")
	fromEnv := filepath.Join(t.TempDir(), "env.yaml")
	for _, p := range []string{explicit, fromEnv} {
		require.NoError(t, os.WriteFile(p, []byte("admin: {endpoint: x}\n"), 0o600))
	}

	_, err := register.FindFlytectlConfig("")
	assert.ErrorIs(t, err, register.ErrNoFlytectlConfig, "nothing anywhere")
	assert.ErrorIs(t, err, os.ErrNotExist)

	def := filepath.Join(home, ".flyte", "config.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(def), 0o700))
	require.NoError(t, os.WriteFile(def, []byte("admin: {endpoint: x}\n"), 0o600))

	tests := []struct {
		name, explicit, env, want, wantErr string
	}{
		{name: "default", want: def},
		{name: "env beats default", env: fromEnv, want: fromEnv},
		{name: "explicit beats env", explicit: explicit, env: fromEnv, want: explicit},
		{name: "missing explicit is an error", explicit: explicit + ".nope", env: fromEnv, wantErr: "config"},
		{name: "missing env is an error", env: fromEnv + ".nope", wantErr: "$FLYTECTL_CONFIG"},
		{name: "directory", explicit: home, wantErr: "is a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(register.EnvFlytectlConfig, tc.env)
			got, err := register.FindFlytectlConfig(tc.explicit)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, register.ErrNoFlytectlConfig)
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestConfigStringHidesSecrets(t *testing.T) {
	const secret = "s3cr3t-token-value"
	cfg := register.Options{
		Endpoint: "dns:///flyte.example.com",
		Auth: register.Auth{
			TokenSource:        oauth2.StaticTokenSource(&oauth2.Token{AccessToken: secret}),
			Type:               register.AuthClientSecret,
			ClientID:           "ci",
			ClientSecretEnvVar: "FLYTE_SECRET",
			TokenURL:           "https://idp/token",
		},
	}
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg)} {
		assert.NotContains(t, s, secret)
		assert.Contains(t, s, "TokenSource: set")
	}
	assert.Equal(t, `register.Options{Endpoint: "dns:///flyte.example.com", Insecure: false, Retry: {Window: 1m0s, PerRetryTimeout: 15s, MaxBackoff: 8s}, TokenSource: set, AuthType: ClientSecret, ClientID: "ci", ClientSecret: from $FLYTE_SECRET, TokenURL: "https://idp/token"}`, cfg.String())
}

// A password in a URL's user info (basic auth at a proxy or IdP) is not printed either.
func TestConfigStringRedactsURLPasswords(t *testing.T) {
	cfg := register.Options{
		Endpoint: "dns:///flyte.example.com",
		Auth:     register.Auth{Type: register.AuthClientSecret, ClientID: "ci", TokenURL: "https://robot:hunter2@idp.example.com/token?x=1"},
	}
	for _, s := range []string{cfg.String(), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		assert.NotContains(t, s, "hunter2")
		assert.Contains(t, s, `TokenURL: "https://robot:xxxxx@idp.example.com/token?x=1"`)
	}
}

func TestNewConfigErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	emptySecret := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(emptySecret, []byte(" \n"), 0o600))
	cs := func(mut func(*register.Options)) register.Options {
		c := register.Options{Endpoint: "localhost:1", Auth: register.Auth{Type: register.AuthClientSecret, ClientID: "ci",
			TokenURL: "https://idp/token", ClientSecretLocation: filepath.Join(dir, "nope")}}
		mut(&c)
		return c
	}
	tests := []struct {
		name    string
		cfg     register.Options
		wantErr string
	}{
		{name: "empty endpoint", cfg: register.Options{}, wantErr: "endpoint is empty"},
		{name: "bad CA file", cfg: register.Options{Endpoint: "localhost:1", CACertFile: notPEM}, wantErr: "no PEM certificate"},
		{name: "missing CA file", cfg: register.Options{Endpoint: "localhost:1", CACertFile: filepath.Join(dir, "nope")}, wantErr: "no such file"},
		{name: "token over plaintext", cfg: register.Options{Endpoint: "localhost:1", Insecure: true, Auth: register.Auth{TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})}}, wantErr: "plaintext"},
		{name: "unknown auth type", cfg: register.Options{Endpoint: "localhost:1", Auth: register.Auth{Type: "Kerberos"}}, wantErr: `authType "Kerberos"`},
		{name: "external command without command", cfg: register.Options{Endpoint: "localhost:1", Auth: register.Auth{Type: register.AuthExternalCommand}}, wantErr: "needs command"},
		{name: "missing secret file", cfg: cs(func(*register.Options) {}), wantErr: "client secret"},
		{name: "empty secret", cfg: cs(func(c *register.Options) { c.Auth.ClientSecretLocation = emptySecret }), wantErr: "client secret is empty"},
		{name: "unset env var", cfg: cs(func(c *register.Options) { c.Auth.ClientSecretEnvVar = "REGISTER_TEST_UNSET_VAR" }), wantErr: "REGISTER_TEST_UNSET_VAR is not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := register.New(tc.cfg)
			require.ErrorIs(t, err, register.ErrConfig)
			assert.Nil(t, c)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func FuzzParseFlytectlConfig(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("admin: {endpoint: x, maxRetries: 1e99, perRetryTimeout: -5s}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := register.ParseFlytectlConfig(data)
		if err != nil {
			if !errors.Is(err, register.ErrConfig) {
				t.Fatalf("error does not wrap ErrConfig: %v", err)
			}
			return
		}
		if cfg.Endpoint == "" {
			t.Fatal("accepted a config without endpoint")
		}
		if cfg.Retry.PerRetryTimeout < 0 || cfg.Retry.MaxBackoff < 0 || cfg.Auth.RefreshWindow < 0 {
			t.Fatal("accepted a negative duration")
		}
		_ = cfg.String()
	})
}
