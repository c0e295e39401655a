package execution

import (
	"context"
	"fmt"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/literal"
)

// DefaultPollInterval is the wait between two GetExecution calls of [Client.Follow] (flytekit's
// FlyteRemote.wait waits 30 s; FlyteAdmin has no streaming watch).
const DefaultPollInterval = 10 * time.Second

// PageSize is the limit of every ListNodeExecutions and ListTaskExecutions page.
const PageSize = 100

// maxListGap caps, in polls, the wait between two listings while a node is still pending.
const maxListGap = 8

// WithPollInterval sets the wait between two GetExecution calls of [Client.Follow] (default
// [DefaultPollInterval]; values below 10 ms mean 10 ms).
func WithPollInterval(d time.Duration) CallOption {
	return func(o *callOptions) { o.pollInterval = max(d, 10*time.Millisecond) }
}

// WithEvents makes [Client.Follow] call fn with every [Event], in order, from the goroutine that
// called Follow (never concurrently, never after Follow returned). fn should return quickly: the
// next poll waits for it.
func WithEvents(fn func(Event)) CallOption { return func(o *callOptions) { o.events = fn } }

// EventKind says what an [Event] reports.
type EventKind int

const (
	// PhaseChanged: the execution's phase changed (the first poll reports the phase found).
	PhaseChanged EventKind = iota + 1
	// NodeChanged: a node execution appeared or its phase changed (Event.Node).
	NodeChanged
	// AttemptChanged: a task attempt of a node appeared, or its phase or log links changed
	// (Event.Node and Event.Attempt).
	AttemptChanged
	// Unavailable: FlyteAdmin could not be reached (Event.Err); following goes on at the poll
	// interval until it answers again or the context ends. Reported once per outage.
	Unavailable
	// Available: FlyteAdmin answers again after Unavailable.
	Available
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case PhaseChanged:
		return "PhaseChanged"
	case NodeChanged:
		return "NodeChanged"
	case AttemptChanged:
		return "AttemptChanged"
	case Unavailable:
		return "Unavailable"
	case Available:
		return "Available"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one thing [Client.Follow] observed.
type Event struct {
	Kind EventKind
	// Status is the execution's status at the poll that saw the event (for Unavailable, the last
	// one known; zero before the first answer).
	Status Status
	// Node is set for NodeChanged and AttemptChanged.
	Node *Node
	// Attempt is set for AttemptChanged.
	Attempt *Attempt
	// Err is set for Unavailable.
	Err error
}

// Status is an execution's state as GetExecution reports it.
type Status struct {
	ID    ID
	Phase core.WorkflowExecution_Phase
	// StartedAt is zero until the execution runs; Duration is its run time so far or in total.
	StartedAt time.Time
	Duration  time.Duration
	UpdatedAt time.Time
	// Error is set when the execution failed.
	Error *Failure
	// AbortCause is set when the execution was aborted.
	AbortCause string
}

// Done reports whether the phase is terminal (SUCCEEDED, FAILED, ABORTED, TIMED_OUT): it will not
// change any more.
func (s Status) Done() bool { return Terminal(s.Phase) }

// Terminal reports whether p is a final phase.
func Terminal(p core.WorkflowExecution_Phase) bool {
	switch p {
	case core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED, core.WorkflowExecution_ABORTED, core.WorkflowExecution_TIMED_OUT:
		return true
	}
	return false
}

// Failure is an execution, node or task attempt error as FlyteAdmin reports it.
type Failure struct {
	Code, Message string
	// Kind is USER, SYSTEM or UNKNOWN.
	Kind string
	// URI is where the full error document is, when FlyteAdmin has it offloaded.
	URI string
}

// Error is "CODE: MESSAGE".
func (f *Failure) Error() string {
	if f.Code == "" {
		return f.Message
	}
	return f.Code + ": " + f.Message
}

func failureOf(e *core.ExecutionError) *Failure {
	if e == nil {
		return nil
	}
	return &Failure{Code: e.GetCode(), Message: e.GetMessage(), Kind: e.GetKind().String(), URI: e.GetErrorUri()}
}

// Node is a node execution (start-node and end-node are left out).
type Node struct {
	// ID is the node id; ParentID the id of the parent node for a node inside a parent (a
	// sub-workflow or dynamic node), else empty.
	ID, ParentID string
	Phase        core.NodeExecution_Phase
	Error        *Failure
	// Attempts are the node's task executions, one per attempt, oldest first.
	Attempts []Attempt
	parent   bool
}

// Attempt is one task execution of a node.
type Attempt struct {
	Number uint32
	// Task is the task's name.
	Task  string
	Phase core.TaskExecution_Phase
	// Logs are the attempt's log links (closure.logs), e.g. the Dask plugin's
	// "(Dask Runner Logs)" link to the job runner pod.
	Logs  []Log
	Error *Failure
}

// Log is a log link of a task attempt.
type Log struct {
	Name, URI string
}

// Output is one output of a succeeded execution: URI for a file, directory, structured dataset or
// offloaded literal (its location), else Value, the JSON-able Go value of [literal.Value] (or
// "<error>" for a literal it cannot show).
type Output struct {
	Value any
	URI   string
}

// Result is what [Client.Follow] knows when it returns.
type Result struct {
	Status
	// Nodes are the node executions, sorted by parent and id.
	Nodes []Node
	// Outputs are the outputs of a SUCCEEDED execution when FlyteAdmin returns them inline; else
	// OutputsURI says where they are.
	Outputs    map[string]Output
	OutputsURI string
	// Partial is set when the phase is known but the nodes or the outputs could not be read (a
	// listing or GetExecutionData refused with a non-transient code, e.g. PermissionDenied): Nodes
	// and Outputs are then incomplete, the phase and Error are still what FlyteAdmin reports.
	Partial error
}

// Status fetches an execution's status with one GetExecution (retried as register's calls).
func (c *Client) Status(ctx context.Context, id ID) (Status, error) {
	if err := id.Validate(); err != nil {
		return Status{}, err
	}
	var ex *admin.Execution
	err := c.call(ctx, func(actx context.Context) (err error) {
		ex, err = c.svc.GetExecution(actx, &admin.WorkflowExecutionGetRequest{Id: id.proto()})
		return err
	})
	if err != nil {
		return Status{}, wrap("GetExecution "+id.String(), err)
	}
	return statusOf(id, ex), nil
}

func statusOf(id ID, ex *admin.Execution) Status {
	cl := ex.GetClosure()
	s := Status{ID: id, Phase: cl.GetPhase(), Error: failureOf(cl.GetError())}
	if cl.GetStartedAt() != nil {
		s.StartedAt = cl.GetStartedAt().AsTime()
	}
	if cl.GetDuration() != nil {
		s.Duration = cl.GetDuration().AsDuration()
	}
	if cl.GetUpdatedAt() != nil {
		s.UpdatedAt = cl.GetUpdatedAt().AsTime()
	}
	s.AbortCause = cl.GetAbortMetadata().GetCause()
	if s.AbortCause == "" {
		s.AbortCause = cl.GetAbortCause() //nolint:staticcheck // older FlyteAdmin releases
	}
	return s
}

// transient reports whether an error means FlyteAdmin is (for now) out of reach.
func transient(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
		return true
	}
	return false
}

// Follow polls the execution until its phase is terminal and returns its [Result]: the final
// status (with the error of a failed execution), the node executions with their task attempts and
// log links, and the outputs of a succeeded one (GetExecutionData).
//
// Cost: one GetExecution per poll interval ([WithPollInterval]) while nothing changes, one
// attempt each. Node executions (ListNodeExecutions, pages of [PageSize], start-node and end-node
// left out, parent nodes recursed into) and their task attempts (ListTaskExecutions, for new,
// changed or unfinished nodes only) are listed when the phase changes, and again while a node is
// pending (not started, or its latest attempt not yet running) at growing gaps of 1, 2, 4 and then
// at most 8 poll intervals. A change of a node that happens while the execution's phase stays the
// same and no node is pending (a retry of a running attempt) is seen at the next phase change.
//
// Events ([WithEvents]) report phase changes, node and attempt changes and FlyteAdmin outages.
// An Unavailable, DeadlineExceeded or ResourceExhausted answer never ends Follow: it reports
// Unavailable once and polls again at the poll interval. Another error of GetExecution ends it
// (e.g. NotFound); one of a listing or of GetExecutionData only stops reading nodes or outputs
// (Result.Partial), since the phase is what matters. When ctx ends,
// Follow returns what it knows and an error wrapping ctx.Err(); the execution goes on. Follow
// starts no goroutine.
func (c *Client) Follow(ctx context.Context, id ID, opts ...CallOption) (*Result, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	o := buildCallOptions(opts)
	emit := func(ev Event) {
		if o.events != nil {
			o.events(ev)
		}
	}
	res := &Result{Status: Status{ID: id}}
	var (
		seen      bool
		available = true
		poll      int
		listAt    = 0 // poll at which to list nodes next; -1 = not until the next phase change
		gap       = 1
		prev      map[string]Node
	)
	for ; ; poll++ {
		var ex *admin.Execution
		err := c.once(ctx, func(actx context.Context) (err error) {
			ex, err = c.svc.GetExecution(actx, &admin.WorkflowExecutionGetRequest{Id: id.proto()})
			return err
		})
		if ctx.Err() != nil {
			return res, fmt.Errorf("execution: following %s: %w", id, ctx.Err())
		}
		switch {
		case err != nil && transient(err):
			if available {
				available = false
				emit(Event{Kind: Unavailable, Status: res.Status, Err: err})
			}
		case err != nil:
			return res, wrap("GetExecution "+id.String(), err)
		default:
			if !available {
				available = true
				emit(Event{Kind: Available, Status: res.Status})
			}
			st := statusOf(id, ex)
			if !seen || st.Phase != res.Phase {
				res.Status = st
				seen = true
				emit(Event{Kind: PhaseChanged, Status: st})
				listAt, gap = poll, 1
			}
			res.Status = st
			if poll == listAt || st.Done() {
				var nodes []Node
				var err error
				if res.Partial == nil {
					nodes, err = c.listNodes(ctx, id, prev)
				} else {
					nodes = res.Nodes // listing gave up earlier
				}
				switch {
				case err != nil && transient(err) && ctx.Err() == nil:
					if available {
						available = false
						emit(Event{Kind: Unavailable, Status: res.Status, Err: err})
					}
					listAt = poll + 1
				case err != nil && ctx.Err() != nil:
					return res, fmt.Errorf("execution: following %s: %w", id, ctx.Err())
				case err != nil:
					// Not transient: stop listing; the phase is still followed.
					res.Partial = err
					listAt = -1
					if st.Done() {
						return res, nil
					}
				default:
					changed := diffNodes(prev, nodes, st, emit)
					prev = index(nodes)
					res.Nodes = nodes
					switch {
					case !pending(st, nodes):
						listAt = -1
					case changed:
						gap = 1
						listAt = poll + 1
					default:
						gap = min(gap*2, maxListGap)
						listAt = poll + gap
					}
					if st.Done() {
						if st.Phase == core.WorkflowExecution_SUCCEEDED {
							if err := c.outputs(ctx, id, res); err != nil {
								if ctx.Err() != nil {
									return res, fmt.Errorf("execution: following %s: %w", id, ctx.Err())
								}
								res.Partial = err
							}
						}
						return res, nil
					}
				}
			}
		}
		if !sleep(ctx, o.pollInterval) {
			return res, fmt.Errorf("execution: following %s: %w", id, ctx.Err())
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func nodeKey(n Node) string { return n.ParentID + "/" + n.ID }

func index(nodes []Node) map[string]Node {
	m := make(map[string]Node, len(nodes))
	for _, n := range nodes {
		m[nodeKey(n)] = n
	}
	return m
}

// pending reports whether a node is yet to start or its latest attempt is not running yet, or the
// execution runs and has no node yet.
func pending(st Status, nodes []Node) bool {
	if st.Done() {
		return false
	}
	if len(nodes) == 0 {
		return st.Phase == core.WorkflowExecution_RUNNING
	}
	for _, n := range nodes {
		if n.parent || nodeDone(n.Phase) {
			continue
		}
		if len(n.Attempts) == 0 {
			return true
		}
		switch n.Attempts[len(n.Attempts)-1].Phase {
		case core.TaskExecution_UNDEFINED, core.TaskExecution_QUEUED, core.TaskExecution_INITIALIZING,
			core.TaskExecution_WAITING_FOR_RESOURCES, core.TaskExecution_RETRYABLE_FAILED:
			return true
		}
	}
	return false
}

func nodeDone(p core.NodeExecution_Phase) bool {
	switch p {
	case core.NodeExecution_SUCCEEDED, core.NodeExecution_FAILED, core.NodeExecution_ABORTED,
		core.NodeExecution_SKIPPED, core.NodeExecution_TIMED_OUT, core.NodeExecution_RECOVERED:
		return true
	}
	return false
}

// diffNodes reports new and changed nodes and attempts; it returns whether anything changed.
func diffNodes(prev map[string]Node, nodes []Node, st Status, emit func(Event)) bool {
	changed := false
	for i := range nodes {
		n := &nodes[i]
		old, ok := prev[nodeKey(*n)]
		if !ok || old.Phase != n.Phase {
			changed = true
			emit(Event{Kind: NodeChanged, Status: st, Node: n})
		}
		for j := range n.Attempts {
			a := &n.Attempts[j]
			if j < len(old.Attempts) && sameAttempt(old.Attempts[j], *a) {
				continue
			}
			changed = true
			emit(Event{Kind: AttemptChanged, Status: st, Node: n, Attempt: a})
		}
	}
	return changed
}

func sameAttempt(a, b Attempt) bool {
	if a.Number != b.Number || a.Phase != b.Phase || len(a.Logs) != len(b.Logs) {
		return false
	}
	for i := range a.Logs {
		if a.Logs[i] != b.Logs[i] {
			return false
		}
	}
	return true
}

// listNodes lists the node executions (recursing into parent nodes) and, for nodes that are new,
// changed or unfinished since prev, their task executions.
func (c *Client) listNodes(ctx context.Context, id ID, prev map[string]Node) ([]Node, error) {
	var out []Node
	var walk func(parent string, depth int) error
	walk = func(parent string, depth int) error {
		token := ""
		for {
			req := &admin.NodeExecutionListRequest{WorkflowExecutionId: id.proto(), Limit: PageSize, Token: token, UniqueParentId: parent}
			var list *admin.NodeExecutionList
			if err := c.call(ctx, func(actx context.Context) (err error) {
				list, err = c.svc.ListNodeExecutions(actx, req)
				return err
			}); err != nil {
				return wrap("ListNodeExecutions "+id.String(), err)
			}
			for _, ne := range list.GetNodeExecutions() {
				nid := ne.GetId().GetNodeId()
				if nid == "start-node" || nid == "end-node" {
					continue
				}
				n := Node{ID: nid, ParentID: parent, Phase: ne.GetClosure().GetPhase(), Error: failureOf(ne.GetClosure().GetError()),
					parent: ne.GetMetadata().GetIsParentNode()}
				if n.parent {
					out = append(out, n)
					if depth < 8 {
						if err := walk(nid, depth+1); err != nil {
							return err
						}
					}
					continue
				}
				old, ok := prev[nodeKey(n)]
				if ok && old.Phase == n.Phase && nodeDone(n.Phase) {
					n.Attempts = old.Attempts
				} else {
					att, err := c.listAttempts(ctx, ne.GetId())
					if err != nil {
						return err
					}
					n.Attempts = att
				}
				out = append(out, n)
			}
			token = list.GetToken()
			if token == "" {
				return nil
			}
		}
	}
	if err := walk("", 0); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) listAttempts(ctx context.Context, nid *core.NodeExecutionIdentifier) ([]Attempt, error) {
	var out []Attempt
	token := ""
	for {
		req := &admin.TaskExecutionListRequest{NodeExecutionId: nid, Limit: PageSize, Token: token}
		var list *admin.TaskExecutionList
		if err := c.call(ctx, func(actx context.Context) (err error) {
			list, err = c.svc.ListTaskExecutions(actx, req)
			return err
		}); err != nil {
			return nil, wrap("ListTaskExecutions "+nid.GetNodeId(), err)
		}
		for _, te := range list.GetTaskExecutions() {
			a := Attempt{Number: te.GetId().GetRetryAttempt(), Task: te.GetId().GetTaskId().GetName(),
				Phase: te.GetClosure().GetPhase(), Error: failureOf(te.GetClosure().GetError())}
			for _, l := range te.GetClosure().GetLogs() {
				a.Logs = append(a.Logs, Log{Name: l.GetName(), URI: l.GetUri()})
			}
			out = append(out, a)
		}
		token = list.GetToken()
		if token == "" {
			break
		}
	}
	// Attempts in order (FlyteAdmin's default sort is by creation time, descending).
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Number < out[j-1].Number; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// outputs fills res.Outputs (or OutputsURI) from GetExecutionData.
func (c *Client) outputs(ctx context.Context, id ID, res *Result) error {
	var data *admin.WorkflowExecutionGetDataResponse
	if err := c.call(ctx, func(actx context.Context) (err error) {
		data, err = c.svc.GetExecutionData(actx, &admin.WorkflowExecutionGetDataRequest{Id: id.proto()})
		return err
	}); err != nil {
		return wrap("GetExecutionData "+id.String(), err)
	}
	full := data.GetFullOutputs()
	if full == nil {
		res.OutputsURI = data.GetOutputs().GetUrl()
		return nil
	}
	res.Outputs = make(map[string]Output, len(full.GetLiterals()))
	for name, l := range full.GetLiterals() {
		if u := uriOf(l); u != "" {
			res.Outputs[name] = Output{URI: u}
			continue
		}
		v, err := literal.Value(l)
		if err != nil {
			v = fmt.Sprintf("<%v>", err)
		}
		res.Outputs[name] = Output{Value: v}
	}
	return nil
}

// uriOf is the location of a literal that is not inline (a blob, a structured dataset or an
// offloaded literal).
func uriOf(l *core.Literal) string {
	switch {
	case l.GetOffloadedMetadata() != nil:
		return l.GetOffloadedMetadata().GetUri()
	case l.GetScalar().GetBlob() != nil:
		return l.GetScalar().GetBlob().GetUri()
	case l.GetScalar().GetStructuredDataset() != nil:
		return l.GetScalar().GetStructuredDataset().GetUri()
	}
	return ""
}
