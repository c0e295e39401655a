package backendcases

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
)

// archiveMembers returns the regular members of a .tar, .tgz or .tar.gz file by cleaned path, as bundle.Task.Path
// names them.
func archiveMembers(t *testing.T, file string) map[string][]byte {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var r io.Reader = f
	if !strings.HasSuffix(file, ".tar") {
		zr, err := gzip.NewReader(f)
		require.NoError(t, err)
		defer zr.Close()
		r = zr
	}
	out := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[path.Clean(strings.TrimPrefix(h.Name, "./"))] = data
	}
	return out
}

// TestRecordedBytesAreTheBundleBytes checks that re-encoding what bundle.ReadFile decoded gives back, byte for
// byte, each task entry of every project bundle. So the deterministic TaskTemplate bytes that the case files carry
// are the ones the SDK wrote into the bundles (nothing dropped or reordered by reading), and the nested modules
// run the backend on the SDK's own bytes.
func TestRecordedBytesAreTheBundleBytes(t *testing.T) {
	bundles := projectBundles(t, repoRoot)
	require.NotEmpty(t, bundles)
	for _, b := range bundles {
		members := archiveMembers(t, b)
		bun, err := bundle.ReadFile(b)
		require.NoError(t, err)
		for _, tk := range bun.Tasks {
			raw, ok := members[tk.Path]
			require.True(t, ok, "%s: no archive member %s", b, tk.Path)
			again, err := proto.MarshalOptions{Deterministic: true}.Marshal(tk.Spec)
			require.NoError(t, err)
			require.Equal(t, raw, again, "%s: %s: re-encoded TaskSpec differs from the bundle's bytes", b, tk.Path)
		}
	}
}
