package backendcheck_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoSDKOrModernIDLLinked checks that no binary of this module, tests included, links the main module or the
// current IDL: github.com/flyteorg/flyte/flyteidl registers the same proto files as the legacy
// github.com/flyteorg/flyteidl v1.5.21 linked here, and such a binary panics at init. The SDK's side reaches
// this module only as bytes (sdkCasesFile).
func TestNoSDKOrModernIDLLinked(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v (make verify runs the same check)", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-test", "-f", "{{with .Module}}{{.Path}}{{end}}\t{{.ImportPath}}", "./...").CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(lines), 100, "go list -deps -test lists the whole build")
	var bad []string
	legacy := false
	for _, line := range lines {
		mod, pkg, _ := strings.Cut(line, "\t")
		switch {
		case mod == "github.com/flyteorg/flyteidl":
			legacy = true
		case strings.HasPrefix(mod, "github.com/flyteorg/flyte/"), mod == "github.com/flyteorg/flyte",
			mod == "github.com/flytedask/flytedask",
			strings.HasPrefix(pkg, "github.com/flytedask/flytedask/") && mod != "github.com/flytedask/flytedask/internal/backendcheck":
			bad = append(bad, line)
		}
	}
	require.Empty(t, bad, "packages from the main module or the Flyte monorepo (current IDL) in this module's build")
	require.True(t, legacy, "the legacy IDL github.com/flyteorg/flyteidl must be in the build")
}
