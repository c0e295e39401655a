package render

import (
	"encoding/json"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/golden"
	"github.com/flytedask/flytedask/spec"
)

func specs() []*admin.TaskSpec {
	mk := func(name string) *admin.TaskSpec {
		return &admin.TaskSpec{Template: &core.TaskTemplate{
			Id:     &core.Identifier{ResourceType: core.ResourceType_TASK, Name: name},
			Type:   "dask",
			Config: map[string]string{"z": "1", "a": "<&>"},
		}}
	}
	return []*admin.TaskSpec{mk("a"), mk("b")}
}

func TestSpecsJSON(t *testing.T) {
	for _, tc := range []struct {
		name  string
		specs []*admin.TaskSpec
		want  string
	}{
		{"empty", nil, "[]\n"},
		{"one", specs()[:1], `[
  {
    "template": {
      "id": {
        "resourceType": "TASK",
        "name": "a"
      },
      "type": "dask",
      "config": {
        "a": "<&>",
        "z": "1"
      }
    }
  }
]
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SpecsJSON(tc.specs)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
	// Deterministic, and a valid JSON array of every spec.
	a, err := SpecsJSON(specs())
	require.NoError(t, err)
	for range 20 {
		b, err := SpecsJSON(specs())
		require.NoError(t, err)
		require.Equal(t, string(a), string(b))
	}
	var arr []map[string]any
	require.NoError(t, json.Unmarshal(a, &arr))
	assert.Len(t, arr, 2)
}

func TestSpecsYAML(t *testing.T) {
	got, err := Specs(YAML, specs()[:1])
	require.NoError(t, err)
	assert.Equal(t, `- template:
    config:
      a: <&>
      z: "1"
    id:
      name: a
      resourceType: TASK
    type: dask
`, string(got))
	_, err = Specs("xml", nil)
	require.Error(t, err)
}

func TestParseFormat(t *testing.T) {
	f, err := ParseFormat("yaml")
	require.NoError(t, err)
	assert.Equal(t, YAML, f)
	_, err = ParseFormat("JSON")
	assert.EqualError(t, err, `unknown format "JSON": use json or yaml`)
}

// TestExampleGolden pins the rendering of examples/specs/hello_dask.yaml
// (testdata/hello_dask.json and .yaml; rewrite with -update).
func TestExampleGolden(t *testing.T) {
	s, err := spec.ReadFiles(spec.Options{}, "../../examples/specs/hello_dask.yaml")
	require.NoError(t, err)
	built, err := s.Build()
	require.NoError(t, err)
	for _, f := range Formats {
		out, err := Specs(f, built)
		require.NoError(t, err)
		golden.Assert(t, "hello_dask."+string(f), out)
	}
}
