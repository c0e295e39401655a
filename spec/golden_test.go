package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/golden"
)

// TestInvalidGolden decodes each testdata/invalid/*.yaml and compares its
// problem lines with the .golden file beside it (rewrite with -update).
func TestInvalidGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			_, err = Decode([]Source{{Name: filepath.Base(f), Data: data}}, Options{})
			var serr *Error
			require.True(t, errors.As(err, &serr), "%s must be invalid", f)
			golden.Assert(t, strings.TrimPrefix(strings.TrimSuffix(f, ".yaml")+".golden", "testdata/"), []byte(strings.Join(serr.Lines(), "\n")+"\n"))
		})
	}
}
