package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/internal/golden"
)

// TestNightlyExample decodes examples/specs/nightly.yaml and pins everything it builds, in
// registration order (tasks, workflows, default launch plans before named ones).
func TestNightlyExample(t *testing.T) {
	s, err := ReadFiles(Options{}, "../examples/specs/nightly.yaml")
	require.NoError(t, err)
	require.Len(t, s.LaunchPlans, 2)
	assert.Equal(t, "workflows.etl.nightly_dask", s.LaunchPlans[1].Task.Name)
	assert.Empty(t, s.Warnings())
	ents, err := s.BuildEntities()
	require.NoError(t, err)
	require.Len(t, ents.Tasks, 1)
	require.Len(t, ents.Workflows, 1)
	require.Len(t, ents.LaunchPlans, 3)
	var names []string
	for _, lp := range ents.LaunchPlans {
		names = append(names, lp.GetId().GetName())
	}
	assert.Equal(t, []string{"workflows.etl.nightly_dask_wf", "nightly_etl", "every_minute"}, names)
	assert.Equal(t, "v1", ents.LaunchPlans[1].GetId().GetVersion(), "ids carry the spec's settings, like the tasks'")
	golden.Assert(t, "nightly/workflow.json", golden.StableJSON(t, ents.Workflows[0]))
	for i, lp := range ents.LaunchPlans {
		golden.Assert(t, "nightly/"+[]string{"default_lp", "nightly_etl", "every_minute"}[i]+".json", golden.StableJSON(t, lp))
	}
}
