package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFreePorts(t *testing.T) {
	ports, err := freePorts(5)
	require.NoError(t, err)
	require.Len(t, ports, 5)
	seen := map[int]bool{}
	for _, p := range ports {
		assert.Greater(t, p, 0)
		assert.False(t, seen[p], "port %d returned twice", p)
		seen[p] = true
	}
	_, err = freePorts(0)
	require.ErrorContains(t, err, "at least 1")
}
