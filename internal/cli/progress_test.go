package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/register"
)

func result(name string, o register.Outcome) register.Result {
	return register.Result{ID: &core.Identifier{Name: name, Version: "v1"}, Outcome: o}
}

func TestLineProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, 3)
	p.done(result("a", register.Created))
	p.done(result("b", register.AlreadyExisted))
	p.done(result("", register.Failed))
	p.finish()
	assert.Equal(t, "registered a: Created\nregistered b: AlreadyExisted\nregistered <unnamed>: Failed\n", buf.String())
}

func TestBarProgress(t *testing.T) {
	var buf bytes.Buffer
	p := &barProgress{w: &buf, total: 4, width: 8}
	p.draw()
	p.done(result("a", register.Created))
	p.done(result("b", register.Failed))
	p.done(result("c", register.AlreadyExisted))
	p.done(result("d", register.Created))
	p.finish()
	assert.Equal(t, ""+
		"\r[--------] 0/4 done"+
		"\r[##------] 1/4 done"+
		"\r[####----] 2/4 done, 1 failed"+
		"\r[######--] 3/4 done, 1 failed"+
		"\r[########] 4/4 done, 1 failed\n", buf.String())
}

func TestIsTerminal(t *testing.T) {
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "a regular file")
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer null.Close()
		assert.True(t, isTerminal(null), "a character device")
	}
}
