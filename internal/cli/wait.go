package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/execution"
)

// abortTimeout bounds the TerminateExecution call of --abort-on-interrupt, made after the
// command's context ended.
const abortTimeout = 30 * time.Second

// follow waits for the execution as --wait says and ends the command with its exit code.
func (r *runner) follow(id execution.ID, url string) error {
	ctx := r.e.Ctx
	cancel := func() {}
	if r.w.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, r.w.timeout)
	}
	defer cancel()
	pr := newStatusPrinter(r.e.Stderr)
	res, err := r.client.Follow(ctx, id, execution.WithPollInterval(r.w.poll), execution.WithEvents(pr.event))
	pr.finish()
	switch {
	case err == nil:
	case r.e.Ctx.Err() != nil: // interrupted
		msg := fmt.Sprintf("interrupted: stopped waiting; execution %s goes on (flytedask abort %s to stop it)", id, id)
		if r.w.abortOnInterrupt {
			actx, acancel := context.WithTimeout(context.WithoutCancel(r.e.Ctx), abortTimeout)
			defer acancel()
			if aerr := r.client.Abort(actx, id, "aborted by flytedask run --abort-on-interrupt"); aerr != nil {
				msg = fmt.Sprintf("interrupted: aborting execution %s failed: %v", id, aerr)
			} else {
				msg = fmt.Sprintf("interrupted: aborted execution %s", id)
			}
		}
		r.writeResult(id, url, res)
		return &ExitError{Code: ExitInterrupted, Err: errors.New(msg)}
	case ctx.Err() != nil: // --timeout
		r.writeResult(id, url, res)
		return &ExitError{Code: ExitStillRunning, Err: fmt.Errorf("--timeout %s: stopped waiting; execution %s is still %s and goes on (flytedask abort %s to stop it)",
			r.w.timeout, id, res.Phase, id)}
	default:
		if res != nil && res.Phase != core.WorkflowExecution_UNDEFINED {
			r.writeResult(id, url, res)
		}
		return fail(err)
	}
	r.writeResult(id, url, res)
	if res.Phase == core.WorkflowExecution_SUCCEEDED {
		return nil
	}
	msg := fmt.Sprintf("execution %s %s", id, res.Phase)
	switch {
	case res.Error != nil:
		msg += ": " + res.Error.Error()
	case res.AbortCause != "":
		msg += ": " + res.AbortCause
	}
	return failf("%s", msg)
}

// writeResult prints the final result: JSON on stdout with --output json, else the phase, the
// failed nodes' errors and the outputs.
func (r *runner) writeResult(id execution.ID, url string, res *execution.Result) {
	if r.w.output == "json" {
		_ = writeJSON(r.e.Stdout, r.resultJSON(id, url, res))
		return
	}
	if res == nil {
		return
	}
	w := r.e.Stdout
	fmt.Fprintf(w, "%s %s", id, res.Phase)
	if res.Duration > 0 {
		fmt.Fprintf(w, " after %s", res.Duration.Round(time.Second))
	}
	fmt.Fprintln(w)
	for _, n := range res.Nodes {
		if n.Error != nil {
			fmt.Fprintf(w, "  node %s %s: %s\n", oneLine(nodeName(n)), n.Phase, oneLine(n.Error.Error()))
		}
	}
	if res.Partial != nil {
		fmt.Fprintf(r.e.Stderr, "warning: nodes or outputs could not be read: %s\n", oneLine(res.Partial.Error()))
	}
	if res.OutputsURI != "" {
		fmt.Fprintf(w, "outputs: %s\n", res.OutputsURI)
	}
	if len(res.Outputs) > 0 {
		fmt.Fprintln(w, "outputs:")
		for _, k := range slices.Sorted(maps.Keys(res.Outputs)) {
			o := res.Outputs[k]
			if o.URI != "" {
				fmt.Fprintf(w, "  %s: %s\n", k, o.URI)
				continue
			}
			b, err := json.Marshal(o.Value)
			if err != nil {
				b = []byte(fmt.Sprint(o.Value))
			}
			fmt.Fprintf(w, "  %s = %s\n", k, b)
		}
	}
}

func nodeName(n execution.Node) string {
	if n.ParentID != "" {
		return n.ParentID + "/" + n.ID
	}
	return n.ID
}

// statusPrinter shows Follow's events on stderr: one line per change in a log, or on a terminal
// a status line redrawn in place, with log links and outages printed above it.
type statusPrinter struct {
	w     io.Writer
	live  bool
	line  string
	nodes map[string]string
	logs  map[string]bool // log links already printed, by node, attempt and link
}

func newStatusPrinter(w io.Writer) *statusPrinter {
	return &statusPrinter{w: w, live: isTerminal(w), nodes: map[string]string{}, logs: map[string]bool{}}
}

// print writes a permanent line (above the live status line).
func (p *statusPrinter) print(format string, args ...any) {
	if p.live && p.line != "" {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.live && p.line != "" {
		fmt.Fprint(p.w, p.line)
	}
}

// status shows the execution's and nodes' phases.
func (p *statusPrinter) status(ev execution.Event) {
	var b strings.Builder
	fmt.Fprintf(&b, "execution %s: %s", ev.Status.ID, ev.Status.Phase)
	for _, k := range slices.Sorted(maps.Keys(p.nodes)) {
		fmt.Fprintf(&b, ", node %s %s", oneLine(k), p.nodes[k])
	}
	p.line = b.String()
	fmt.Fprint(p.w, "\r\x1b[2K"+p.line)
}

func (p *statusPrinter) event(ev execution.Event) {
	switch ev.Kind {
	case execution.PhaseChanged:
		if p.live {
			p.status(ev)
			return
		}
		fmt.Fprintf(p.w, "execution %s: %s\n", ev.Status.ID, ev.Status.Phase)
	case execution.NodeChanged:
		p.nodes[nodeName(*ev.Node)] = ev.Node.Phase.String()
		if p.live {
			p.status(ev)
			return
		}
		fmt.Fprintf(p.w, "node %s: %s\n", oneLine(nodeName(*ev.Node)), ev.Node.Phase)
	case execution.AttemptChanged:
		a := ev.Attempt
		p.print("node %s attempt %d: %s", oneLine(nodeName(*ev.Node)), a.Number, a.Phase)
		for _, l := range a.Logs {
			k := fmt.Sprintf("%s\x00%d\x00%s\x00%s", nodeName(*ev.Node), a.Number, l.Name, l.URI)
			if p.logs[k] {
				continue
			}
			p.logs[k] = true
			p.print("  log %s: %s", oneLine(l.Name), oneLine(l.URI))
		}
		if a.Error != nil {
			p.print("  error: %s", oneLine(a.Error.Error()))
		}
	case execution.Unavailable:
		p.print("FlyteAdmin unavailable (%s); still waiting", oneLine(ev.Err.Error()))
	case execution.Available:
		p.print("FlyteAdmin answers again")
	}
}

func (p *statusPrinter) finish() {
	if p.live && p.line != "" {
		fmt.Fprintln(p.w)
	}
}

// The JSON result of --output json.
type jsonResult struct {
	Execution  jsonID `json:"execution"`
	ConsoleURL string `json:"console_url"`
	// AlreadyExisted is set by run when --name named an execution already there with the same
	// inputs: nothing new was launched.
	AlreadyExisted bool                  `json:"already_existed,omitempty"`
	Phase          string                `json:"phase,omitempty"`
	Done           bool                  `json:"done"`
	StartedAt      string                `json:"started_at,omitempty"`
	Duration       string                `json:"duration,omitempty"`
	Error          *jsonFailure          `json:"error,omitempty"`
	AbortCause     string                `json:"abort_cause,omitempty"`
	Nodes          []jsonNode            `json:"nodes,omitempty"`
	Outputs        map[string]jsonOutput `json:"outputs,omitempty"`
	OutputsURI     string                `json:"outputs_uri,omitempty"`
	// Partial says why nodes or outputs are missing.
	Partial string `json:"partial,omitempty"`
}

type jsonID struct {
	Project string `json:"project"`
	Domain  string `json:"domain"`
	Name    string `json:"name"`
}

type jsonFailure struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Kind    string `json:"kind,omitempty"`
}

type jsonNode struct {
	ID       string        `json:"id"`
	ParentID string        `json:"parent_id,omitempty"`
	Phase    string        `json:"phase"`
	Error    *jsonFailure  `json:"error,omitempty"`
	Attempts []jsonAttempt `json:"attempts,omitempty"`
}

type jsonAttempt struct {
	Number uint32       `json:"number"`
	Task   string       `json:"task,omitempty"`
	Phase  string       `json:"phase"`
	Logs   []jsonLog    `json:"logs,omitempty"`
	Error  *jsonFailure `json:"error,omitempty"`
}

type jsonLog struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

// jsonOutput has value (inline, possibly 0, false or "") or uri.
type jsonOutput struct {
	Value *any   `json:"value,omitempty"`
	URI   string `json:"uri,omitempty"`
}

func failureJSON(f *execution.Failure) *jsonFailure {
	if f == nil {
		return nil
	}
	return &jsonFailure{Code: f.Code, Message: f.Message, Kind: f.Kind}
}

// resultJSON is resultJSON for an execution run launched or found (already_existed).
func (r *runner) resultJSON(id execution.ID, url string, res *execution.Result) jsonResult {
	out := resultJSON(id, url, res)
	out.AlreadyExisted = r.existed
	return out
}

func resultJSON(id execution.ID, url string, res *execution.Result) jsonResult {
	out := jsonResult{Execution: jsonID{Project: id.Project, Domain: id.Domain, Name: id.Name}, ConsoleURL: url}
	if res == nil {
		return out
	}
	out.Phase = res.Phase.String()
	out.Done = res.Done()
	if !res.StartedAt.IsZero() {
		out.StartedAt = res.StartedAt.UTC().Format(time.RFC3339)
	}
	if res.Duration > 0 {
		out.Duration = res.Duration.String()
	}
	out.Error = failureJSON(res.Error)
	out.AbortCause = res.AbortCause
	for _, n := range res.Nodes {
		jn := jsonNode{ID: n.ID, ParentID: n.ParentID, Phase: n.Phase.String(), Error: failureJSON(n.Error)}
		for _, a := range n.Attempts {
			ja := jsonAttempt{Number: a.Number, Task: a.Task, Phase: a.Phase.String(), Error: failureJSON(a.Error)}
			for _, l := range a.Logs {
				ja.Logs = append(ja.Logs, jsonLog{Name: l.Name, URI: l.URI})
			}
			jn.Attempts = append(jn.Attempts, ja)
		}
		out.Nodes = append(out.Nodes, jn)
	}
	if res.Outputs != nil {
		out.Outputs = map[string]jsonOutput{}
		for k, o := range res.Outputs {
			if o.URI != "" {
				out.Outputs[k] = jsonOutput{URI: o.URI}
				continue
			}
			v := o.Value
			out.Outputs[k] = jsonOutput{Value: &v}
		}
	}
	out.OutputsURI = res.OutputsURI
	if res.Partial != nil {
		out.Partial = res.Partial.Error()
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fail(err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
