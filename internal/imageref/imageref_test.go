package imageref

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flytedask/flytedask/field"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{"", "ubuntu", "ubuntu:22.04", "ghcr.io/acme/dask-app:1.4.2", "localhost:5000/x/y@sha256:" + sixtyFour} {
		assert.Empty(t, Check(ok), ok)
		assert.Empty(t, Check(ok), "memoized: %s", ok)
	}
	for _, bad := range []string{"Bad Image", "ghcr.io/Acme/app:1", "{{.image.default.fqn}}:v1", "app:", ":tag", "a//b"} {
		assert.NotEmpty(t, Check(bad), bad)
		assert.NotEmpty(t, Check(bad), "never memoized: %s", bad)
	}
	calls := 0
	e := Validate(func() *field.Path { calls++; return field.NewPath("image") }, "Bad Image")
	assert.Equal(t, "image", e.Field)
	assert.Equal(t, 1, calls)
	assert.Nil(t, Validate(func() *field.Path { calls++; return nil }, "ubuntu"))
	assert.Equal(t, 1, calls, "the path is built only for a problem")
}

const sixtyFour = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
