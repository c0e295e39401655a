package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// TestAuthFlytectlSideBySide runs flytectl v0.9.4 on the very config files the flytedask auth tests
// use, against the authenticating FlyteAdmin (issue 9: side by side):
//   - ClientSecret without tokenUrl or scopes, CA through caCertFilePath: flytectl trusts that CA for
//     gRPC only, so its token request fails with the x509 error unless SSL_CERT_FILE also names the
//     CA; flytedask needs no SSL_CERT_FILE (TestAuthClientSecretDiscovered). With it, flytectl
//     registers, and flytedask then finds the same tasks through its own authenticated path.
//   - ExternalCommand: both register.
//   - a wrong secret: both fail and neither prints the secret.
func TestAuthFlytectlSideBySide(t *testing.T) {
	e := authAdmin(t)
	bin := harness.FlytectlBin(t)
	bundlePath := quickstartBundle(t)
	names := bundleNames(t, bundlePath)
	// SSL_CERT_FILE is set per command (never in this process), so the subtests run in parallel:
	// two of them wait out flytectl's own token retries (about 60 s each).
	ctl := func(t *testing.T, cfg string, env ...string) *flytectl {
		return &flytectl{bin: bin, home: t.TempDir(), config: cfg, env: env}
	}
	clientSecret := e.config(t, "authType: ClientSecret", "clientId: "+authClientID, "clientSecretLocation: "+e.secret())

	t.Run("client secret, CA for gRPC only", func(t *testing.T) {
		t.Parallel()
		res := ctl(t, clientSecret, "SSL_CERT_FILE=").registerFiles(t, bundlePath, harness.UniqueVersion("ctl-auth-nocert"))
		assert.NotEqual(t, "Success | Successfully registered file", ctlRows(t, res.Stdout, names)[names[0]], "%s", res)
		assert.Contains(t, res.Stdout+res.Stderr, "x509", "flytectl v0.9.4 does not trust caCertFilePath for its token request")
	})

	t.Run("client secret with SSL_CERT_FILE", func(t *testing.T) {
		t.Parallel()
		version := harness.UniqueVersion("ctl-auth-cs")
		res := ctl(t, clientSecret, "SSL_CERT_FILE="+e.ca()).registerFiles(t, bundlePath, version)
		require.Equal(t, 0, res.Code, "%s", res)
		for _, n := range names {
			assert.Equal(t, "Success | Successfully registered file", ctlRows(t, res.Stdout, names)[n], "%s", res)
		}
		assert.NotContains(t, res.Stdout+res.Stderr, e.secretValue(t))
		// flytedask, same config file, no SSL_CERT_FILE: what flytectl registered is what it would send.
		d := runCLI(t, append([]string{"diff", bundlePath, "--config", clientSecret}, target(version)...)...)
		require.Equal(t, 0, d.Code, "%s", d)
		for _, l := range diffLines(d.Stdout) {
			assert.Equal(t, "same", l)
		}
	})

	t.Run("external command", func(t *testing.T) {
		t.Parallel()
		cmd := "command: [" + strings.Join([]string{e.authkit, "token", "-token-url", "'https://" + e.endpoint + "/oauth2/token'",
			"-ca", e.ca(), "-client-id", authClientID, "-secret-file", e.secret()}, ", ") + "]"
		cfg := e.config(t, "authType: ExternalCommand", cmd)
		res := ctl(t, cfg).registerFiles(t, bundlePath, harness.UniqueVersion("ctl-auth-ext"))
		require.Equal(t, 0, res.Code, "%s", res)
		for _, n := range names {
			assert.Equal(t, "Success | Successfully registered file", ctlRows(t, res.Stdout, names)[n], "%s", res)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		wrong := "wrong-" + e.secretValue(t)
		secretFile := filepath.Join(t.TempDir(), "client_secret")
		require.NoError(t, os.WriteFile(secretFile, []byte(wrong), 0o600))
		cfg := e.config(t, "authType: ClientSecret", "clientId: "+authClientID, "clientSecretLocation: "+secretFile)
		res := ctl(t, cfg, "SSL_CERT_FILE="+e.ca()).registerFiles(t, bundlePath, harness.UniqueVersion("ctl-auth-wrong"))
		assert.NotEqual(t, "Success | Successfully registered file", ctlRows(t, res.Stdout, names)[names[0]], "%s", res)
		assert.NotContains(t, res.Stdout+res.Stderr, wrong)
	})
}
