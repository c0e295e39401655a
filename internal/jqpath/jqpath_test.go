package jqpath_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/jqpath"
)

func TestLookup(t *testing.T) {
	doc := map[string]any{"a": map[string]any{"b c": []any{1.0, map[string]any{"d": "x"}}}}
	v, err := jqpath.Lookup(doc, `a["b c"][1].d`)
	require.NoError(t, err)
	assert.Equal(t, "x", v)
	for _, bad := range []string{`a.b`, `a["b c"][2]`, `.a`, `a[`, `a[x]`, `a["b c"].d`} {
		_, err := jqpath.Lookup(doc, bad)
		assert.Error(t, err, bad)
	}
}
