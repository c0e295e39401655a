package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// Import paths of the main module's commands, built by this test binary with
// `go build` inside this module (go.mod lists them as tool dependencies, so
// `go mod tidy` keeps their requirements and run.sh downloads them before the
// tests run with GOPROXY=off).
const (
	cliPkg        = "github.com/flytedask/flytedask/cmd/flytedask"
	quickstartPkg = "github.com/flytedask/flytedask/examples/quickstart"
)

// helloSpec is the example spec file of the main module (two Dask tasks).
const helloSpec = "../../examples/specs/hello_dask.yaml"

// cliTimeout bounds every CLI run: a hang guard, not a speed assertion.
const cliTimeout = 3 * time.Minute

// toolsDir holds the binaries built once per test binary; removed by TestMain.
var toolsDir string

var (
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if toolsDir != "" {
		_ = os.RemoveAll(toolsDir)
	}
	os.Exit(code)
}

// tools builds the flytedask CLI and the quickstart example (once per test
// binary) and returns their directory. Tests call it after harness.Endpoint
// or harness.Standby, so outside run.sh nothing is built.
func tools(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flytedask-e2e-tools-")
		if err != nil {
			buildErr = err
			return
		}
		toolsDir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(filepath.Separator), cliPkg, quickstartPkg)
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build %s %s: %w\n%s", cliPkg, quickstartPkg, err, out)
		}
	})
	require.NoError(t, buildErr)
	return toolsDir
}

// cliResult is the outcome of one CLI run.
type cliResult struct {
	Code           int
	Stdout, Stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// startCLI starts the flytedask binary with args; wait collects its result.
func startCLI(t *testing.T, args ...string) (wait func() cliResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	cmd := exec.CommandContext(ctx, filepath.Join(tools(t), "flytedask"), args...)
	// No flytectl config of the machine may leak in: tests pass --config or --endpoint.
	cmd.Env = append(os.Environ(), "FLYTECTL_CONFIG=", "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(cancel)
	return func() cliResult {
		err := cmd.Wait()
		cancel()
		res := cliResult{Stdout: stdout.String(), Stderr: stderr.String()}
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit) && exit.Exited():
			res.Code = exit.ExitCode()
		default:
			t.Fatalf("flytedask %s: %v\n%s", strings.Join(args, " "), err, res)
		}
		t.Logf("$ flytedask %s\n%s", strings.Join(args, " "), res)
		return res
	}
}

// runCLI runs the flytedask binary with args and returns its result.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	return startCLI(t, args...)()
}

// quickstartBundle runs the quickstart example, which writes its bundle
// (project and domain set, no version), and returns the archive's path.
func quickstartBundle(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "flyte-package.tgz")
	cmd := exec.Command(filepath.Join(tools(t), "quickstart"), "-o", out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "quickstart: %s", b)
	return out
}

// helloBundle packages examples/specs/hello_dask.yaml with the CLI and
// returns the archive's path.
func helloBundle(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "hello.tgz")
	res := runCLI(t, "package", "-f", helloSpec, "-o", out)
	require.Equal(t, 0, res.Code, "package: %s", res)
	return out
}

// flytectlConfig writes a flytectl config file whose admin section points at
// endpoint (plaintext) with the given extra admin keys, and returns its path.
func flytectlConfig(t *testing.T, endpoint string, extra ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "admin:\n  endpoint: dns:///%s\n  insecure: true\n", endpoint)
	for _, line := range extra {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// target returns the --project/--domain/--version flags for version.
func target(version string) []string {
	return []string{"--project", harness.Project, "--domain", harness.Domain, "--version", version}
}

// tableOutcomes parses the summary table register prints to stdout: for every
// row whose first cell is a task name, its OUTCOME column.
func tableOutcomes(t *testing.T, stdout string) map[string]string {
	t.Helper()
	lines := strings.Split(stdout, "\n")
	header := -1
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) >= 3 && f[0] == "NAME" && f[1] == "VERSION" && f[2] == "OUTCOME" {
			header = i
			break
		}
	}
	require.GreaterOrEqual(t, header, 0, "no summary table in:\n%s", stdout)
	out := map[string]string{}
	for _, l := range lines[header+1:] {
		if l == "" || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			continue // blank or a diff line under a row
		}
		f := strings.Fields(l)
		if len(f) >= 3 {
			out[f[0]] = f[2]
		}
	}
	return out
}
