package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flytedask/flytedask/execution"
	"github.com/flytedask/flytedask/internal/e2e/harness"
	"github.com/flytedask/flytedask/register"
)

// TestExecGoAPI: package execution (Launch + Follow) drives the same Dask
// tasks through the real path from a program: SUCCEEDED with the node's
// attempt and the runner's log link; a failing task FAILED with propeller's
// error and every attempt (4, see TestExecDaskTaskFails) listed.
func TestExecGoAPI(t *testing.T) {
	ep := harness.Exec(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := harness.Dial(t, ep.Endpoint)
	cl, err := execution.New(register.Options{Endpoint: "dns:///" + ep.Endpoint, Insecure: true})
	require.NoError(t, err)

	ref := func(tmpl *core.TaskTemplate) execution.Ref {
		id := tmpl.GetId()
		return execution.Ref{Kind: execution.Task, Project: id.GetProject(), Domain: id.GetDomain(), Name: id.GetName(), Version: id.GetVersion()}
	}

	t.Run("succeeds", func(t *testing.T) {
		tmpl := registerExecTask(ctx, t, c, daskTask("e2e.api.dask_sum", []string{"python3", "-c", daskSumScript}, "2", "2", "536870912"))
		id, err := cl.Launch(ctx, ref(tmpl), nil)
		require.NoError(t, err)
		res, err := cl.Follow(ctx, id, execution.WithPollInterval(500*time.Millisecond))
		require.NoError(t, err)
		require.Equal(t, core.WorkflowExecution_SUCCEEDED, res.Phase, "%+v", res.Error)
		require.Len(t, res.Nodes, 1)
		require.Len(t, res.Nodes[0].Attempts, 1)
		rec := daskJobRecord(t, ep, id.Name, true)
		var uris []string
		for _, l := range res.Nodes[0].Attempts[0].Logs {
			uris = append(uris, l.URI)
		}
		assert.Equal(t, []string{"file://" + rec.Log}, uris)
	})

	t.Run("fails", func(t *testing.T) {
		tmpl := registerExecTask(ctx, t, c, daskTask("e2e.api.dask_fails", []string{"python3", "-c", "import sys; sys.exit(3)"}))
		id, err := cl.Launch(ctx, ref(tmpl), nil)
		require.NoError(t, err)
		res, err := cl.Follow(ctx, id, execution.WithPollInterval(500*time.Millisecond))
		require.NoError(t, err)
		require.Equal(t, core.WorkflowExecution_FAILED, res.Phase)
		require.NotNil(t, res.Error)
		assert.Contains(t, res.Error.Message, "Dask Job failed")
		require.Len(t, res.Nodes, 1)
		assert.Len(t, res.Nodes[0].Attempts, 4)
		for _, a := range res.Nodes[0].Attempts {
			assert.Equal(t, core.TaskExecution_FAILED, a.Phase, "attempt %d", a.Number)
		}
	})
}
