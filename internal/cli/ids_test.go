package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
)

// A bundle holding the same task twice (pyflyte serializes a task used by
// two modules twice; flytectl registers the second as AlreadyExists) is
// registered once, with a note; a differing duplicate is refused.
func TestRegisterBundleWithIdenticalDuplicate(t *testing.T) {
	hermetic(t)
	b, err := bundle.ReadFile(quickstartTGZ)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "dup")
	require.NoError(t, bundle.WriteDir(dir, b.Specs()))
	src := filepath.Join(dir, bundle.FileName(0, 1, b.Tasks[0].Name()))
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "1_"+b.Tasks[0].Name()+bundle.TaskSuffix), data, 0o644))

	code, stdout, stderr := runCLI(t, "register", dir, "--dry-run", "--project", "p", "--domain", "d", "--version", "v1")
	require.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "repeats task "+b.Tasks[0].Name()+" identically; registering it once")
	assert.Equal(t, 1, countLines(stdout, "WouldRegister"))

	// A duplicate with other content stays, and is refused.
	other := proto.Clone(b.Specs()[0]).(*admin.TaskSpec)
	other.Template.GetContainer().Image = "ghcr.io/acme/other:1"
	dir2 := filepath.Join(t.TempDir(), "dup2")
	require.NoError(t, bundle.WriteDir(dir2, b.Specs()))
	one := filepath.Join(t.TempDir(), "one")
	require.NoError(t, bundle.WriteDir(one, []*admin.TaskSpec{other}))
	data, err = os.ReadFile(filepath.Join(one, bundle.FileName(0, 1, b.Tasks[0].Name())))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir2, "1_"+b.Tasks[0].Name()+bundle.TaskSuffix), data, 0o644))
	code, stdout, _ = runCLI(t, "register", dir2, "--dry-run", "--project", "p", "--domain", "d", "--version", "v1")
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, stdout, "duplicate task name")
}

func countLines(s, sub string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}
