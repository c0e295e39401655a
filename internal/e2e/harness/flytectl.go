package harness

import (
	"os"
	"testing"
)

// EnvFlytectlBin is the path of the flytectl v0.9.4 binary run.sh builds
// (module internal/e2e/flytectlbuild).
const EnvFlytectlBin = "FLYTEDASK_E2E_FLYTECTL_BIN"

// FlytectlBin returns the flytectl binary, or skips the test when
// EnvFlytectlBin is unset.
func FlytectlBin(t testing.TB) string {
	t.Helper()
	p := os.Getenv(EnvFlytectlBin)
	if p == "" {
		t.Skipf("%s is not set: %s", EnvFlytectlBin, skipHint)
	}
	return p
}
