package cli

import (
	"bytes"
	"errors"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"

	"github.com/flytedask/flytedask/execution"
)

// TestStatusPrinterLive: on a terminal the phases are one status line redrawn in place (\r and
// erase-line), log links and outages are printed above it, and finish ends the line.
func TestStatusPrinterLive(t *testing.T) {
	var buf bytes.Buffer
	p := &statusPrinter{w: &buf, live: true, nodes: map[string]string{}, logs: map[string]bool{}}
	st := execution.Status{ID: execution.ID{Project: "p", Domain: "d", Name: "e"}, Phase: core.WorkflowExecution_RUNNING}
	node := &execution.Node{ID: "n0", Phase: core.NodeExecution_RUNNING}
	att := &execution.Attempt{Phase: core.TaskExecution_RUNNING, Logs: []execution.Log{{Name: "(Dask Runner Logs)", URI: "http://logs/x"}}}
	p.event(execution.Event{Kind: execution.PhaseChanged, Status: st})
	p.event(execution.Event{Kind: execution.NodeChanged, Status: st, Node: node})
	p.event(execution.Event{Kind: execution.AttemptChanged, Status: st, Node: node, Attempt: att})
	p.event(execution.Event{Kind: execution.AttemptChanged, Status: st, Node: node, Attempt: att}) // same links: not again
	p.event(execution.Event{Kind: execution.Unavailable, Status: st, Err: errors.New("down")})
	p.finish()
	const line = "execution p/d/e: RUNNING, node n0 RUNNING"
	assert.Equal(t,
		"\r\x1b[2Kexecution p/d/e: RUNNING"+
			"\r\x1b[2K"+line+
			"\r\x1b[2Knode n0 attempt 0: RUNNING\n"+line+
			"\r\x1b[2K  log (Dask Runner Logs): http://logs/x\n"+line+
			"\r\x1b[2Knode n0 attempt 0: RUNNING\n"+line+
			"\r\x1b[2KFlyteAdmin unavailable (down); still waiting\n"+line+
			"\n", buf.String())
}

// TestStatusPrinterControlCharacters: names and links from FlyteAdmin cannot break the
// one-line-per-change log.
func TestStatusPrinterControlCharacters(t *testing.T) {
	var buf bytes.Buffer
	p := newStatusPrinter(&buf)
	st := execution.Status{ID: execution.ID{Project: "p", Domain: "d", Name: "e"}, Phase: core.WorkflowExecution_RUNNING}
	node := &execution.Node{ID: "n0", Phase: core.NodeExecution_RUNNING}
	att := &execution.Attempt{Phase: core.TaskExecution_RUNNING, Logs: []execution.Log{{Name: "a\nexecution p/d/e: SUCCEEDED", URI: "http://x"}}}
	p.event(execution.Event{Kind: execution.AttemptChanged, Status: st, Node: node, Attempt: att})
	assert.NotContains(t, buf.String(), "\nexecution p/d/e: SUCCEEDED")
}
