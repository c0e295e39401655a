package explain

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
)

func canonical(l ResourceList) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		out[k] = v.String()
	}
	return out
}

func TestDefaultPlatform(t *testing.T) {
	p := DefaultPlatform()
	assert.Equal(t, rl("cpu", "1", "memory", "1Gi"), canonical(p.DefaultRequests))
	assert.Empty(t, p.Limits)
	// Changing one copy does not change the next.
	p.DefaultRequests[ResourceCPU] = resource.MustParse("3")
	assert.Equal(t, "1", canonical(DefaultPlatform().DefaultRequests)["cpu"])
}

// C6 of the API review: a key that is not a Kubernetes resource name was silently ignored; it is now
// an error naming every such key and the name meant.
func TestExplainRefusesUnknownPlatformKeys(t *testing.T) {
	q := resource.MustParse("3Gi")
	_, err := Explain(nil, Platform{DefaultRequests: ResourceList{"mem": q, ResourceCPU: q}, Limits: ResourceList{"Memory": q, "disk": q}})
	require.Error(t, err)
	assert.Equal(t, `explain: invalid platform: DefaultRequests["mem"]: unknown resource name, did you mean "memory"?; `+
		`Limits["Memory"]: unknown resource name, did you mean "memory"? (names are lower case); `+
		`Limits["disk"]: unknown resource name, use cpu, memory, nvidia.com/gpu or ephemeral-storage`, err.Error())
	var be *BuildError
	assert.False(t, errors.As(err, &be), "a caller's mistake, not a backend failure")
}
