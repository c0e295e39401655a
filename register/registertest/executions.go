package registertest

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Executions: CreateExecution, GetExecution, GetExecutionData, TerminateExecution,
// ListNodeExecutions and ListTaskExecutions, following FlyteAdmin v1.16.8's rules where a client
// can see them: the execution name rule ^[a-z][a-z\-0-9]*$ (at most 63 characters; an empty name
// gets "a" and 19 random characters), codes.AlreadyExists for a name in use, the launched task or
// launch plan must exist (codes.NotFound), its inputs are checked (unknown input, missing required
// input, fixed input given: codes.InvalidArgument), defaults and fixed inputs are added to the
// stored inputs, list calls need a limit > 0 and page with a token, node listings hold start-node
// (and end-node for single-task executions), after TerminateExecution the next GetExecution says
// ABORTING and the ones after it ABORTED.
//
// What an execution does is scripted by the test: [Admin.Script], or [Admin.OnCreateExecution]
// for executions created later. Each GetExecution call of an execution moves its script on by one
// call; without a script an execution stays in phase UNDEFINED, as on a FlyteAdmin whose
// propeller never picks it up.

// Step is one scripted state of an execution.
type Step struct {
	// Phase, and Error for a failed execution.
	Phase core.WorkflowExecution_Phase
	Error *core.ExecutionError
	// Nodes are the node executions in this state (start-node and end-node are added).
	Nodes []Node
	// Outputs are returned by GetExecutionData once the phase is SUCCEEDED.
	Outputs *core.LiteralMap
	// Polls is the number of GetExecution calls that see this step (0 means 1). The last step
	// stays for good.
	Polls int
}

// Node is a scripted node execution.
type Node struct {
	ID string
	// ParentID is the id of the parent node, for a node inside one; Parent marks a parent node.
	ParentID string
	Parent   bool
	Phase    core.NodeExecution_Phase
	Error    *core.ExecutionError
	Attempts []Attempt
}

// Attempt is a scripted task execution of a node.
type Attempt struct {
	Phase core.TaskExecution_Phase
	Logs  []*core.TaskLog
	Error *core.ExecutionError
}

type execution struct {
	req    *admin.ExecutionCreateRequest
	inputs *core.LiteralMap
	steps  []Step
	gets   int // GetExecution calls
	// Set by TerminateExecution: terminated, and the GetExecution calls since (1: ABORTING, then
	// ABORTED).
	terminated bool
	abortPolls int
	abortCause string
}

type execStore struct {
	executions map[string]*execution // by project/domain/name
	scripts    map[string][]Step     // by name, for executions not created yet
	calls      map[string]int        // by method
	created    []string
	hooks      execHooks
}

// ExecutionHook, when set with SetExecutionHook, runs first on every execution method call
// (method is e.g. "CreateExecution", name the execution's name); a non-nil error is returned to the
// caller and nothing else happens. A call whose context has ended then fails with codes.Canceled
// or codes.DeadlineExceeded, as over gRPC.
type ExecutionHook func(ctx context.Context, method, name string) error

var (
	execNameRule = regexp.MustCompile(`^[a-z][a-z\-0-9]*$`)
	// epoch is the fake's clock: every timestamp it reports.
	epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

type execHooks struct {
	before   ExecutionHook
	onCreate func(req *admin.ExecutionCreateRequest) []Step
	reply    func(n int) error
}

// SetExecutionHook sets (nil: removes) the hook run before every execution method.
func (a *Admin) SetExecutionHook(h ExecutionHook) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.exec.hooks.before = h
}

// OnCreateExecution sets fn to script every execution created from now on (unless [Admin.Script]
// scripted its name already).
func (a *Admin) OnCreateExecution(fn func(req *admin.ExecutionCreateRequest) []Step) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.exec.hooks.onCreate = fn
}

// CreateExecutionReply sets fn to decide, after the n-th CreateExecution call (1-based) stored its
// execution, the error to answer instead of success: a reply lost on the way back.
func (a *Admin) CreateExecutionReply(fn func(n int) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.exec.hooks.reply = fn
}

// Script sets the steps of the execution named name (in any project and domain), created or not.
func (a *Admin) Script(name string, steps ...Step) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.initExec()
	a.exec.scripts[name] = steps
	for k, e := range a.exec.executions {
		if e.req.GetName() == name {
			a.exec.executions[k].steps = steps
		}
	}
}

// ExecutionCalls returns the number of calls per execution method ("CreateExecution",
// "GetExecution", "GetExecutionData", "TerminateExecution", "ListNodeExecutions",
// "ListTaskExecutions", "GetLaunchPlan").
func (a *Admin) ExecutionCalls() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]int{}
	for k, v := range a.exec.calls {
		out[k] = v
	}
	return out
}

// Executions returns the requests of the executions created, in creation order, with their
// stored inputs (given, defaults and fixed) in Inputs.
func (a *Admin) Executions() []*admin.ExecutionCreateRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*admin.ExecutionCreateRequest, 0, len(a.exec.created))
	for _, k := range a.exec.created {
		e := a.exec.executions[k]
		r := proto.Clone(e.req).(*admin.ExecutionCreateRequest)
		r.Inputs = proto.Clone(e.inputs).(*core.LiteralMap)
		out = append(out, r)
	}
	return out
}

func (a *Admin) initExec() {
	if a.exec.executions == nil {
		a.exec.executions = map[string]*execution{}
		a.exec.scripts = map[string][]Step{}
		a.exec.calls = map[string]int{}
	}
}

// count records a call; a.mu is held.
func (a *Admin) count(method string) {
	a.initExec()
	a.exec.calls[method]++
}

func (a *Admin) before(ctx context.Context, method, name string) error {
	a.mu.Lock()
	a.count(method)
	h := a.exec.hooks
	a.mu.Unlock()
	if h.before != nil {
		if err := h.before(ctx, method, name); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		// What a gRPC client sees when its context has ended, as for CreateTask.
		return status.FromContextError(err).Err()
	}
	return nil
}

// launchPlan returns the stored launch plan (launchplans.go's store); a.mu may be held.
func (a *Admin) launchPlan(id *core.Identifier) (*admin.LaunchPlan, bool) {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	lp, ok := s.launchPlans[key(id)]
	return lp, ok
}

func execKey(id *core.WorkflowExecutionIdentifier) string {
	return id.GetProject() + "/" + id.GetDomain() + "/" + id.GetName()
}

// CreateExecution stores an execution (see the rules above).
func (a *Admin) CreateExecution(ctx context.Context, req *admin.ExecutionCreateRequest) (*admin.ExecutionCreateResponse, error) {
	if err := a.before(ctx, "CreateExecution", req.GetName()); err != nil {
		return nil, err
	}
	name := req.GetName()
	if name == "" {
		name = "a" + fmt.Sprintf("%019d", len(a.Executions())+1)
	}
	switch {
	case req.GetProject() == "" || req.GetDomain() == "":
		return nil, status.Error(codes.InvalidArgument, "missing project or domain")
	case len(name) > 63 || !execNameRule.MatchString(name):
		return nil, status.Errorf(codes.InvalidArgument, "invalid name %q: must match ^[a-z][a-z\\-0-9]*$ and be at most 63 characters", name)
	}
	lpID := req.GetSpec().GetLaunchPlan()
	var params map[string]*core.Parameter
	var fixed map[string]*core.Literal
	a.mu.Lock()
	a.initExec()
	switch lpID.GetResourceType() {
	case core.ResourceType_TASK:
		tt, ok := a.tasks[key(lpID)]
		if !ok {
			a.mu.Unlock()
			return nil, status.Errorf(codes.NotFound, "missing entity of type TASK with identifier %s", key(lpID))
		}
		params = map[string]*core.Parameter{}
		for n, v := range tt.GetInterface().GetInputs().GetVariables() {
			params[n] = &core.Parameter{Var: v, Behavior: &core.Parameter_Required{Required: true}}
		}
	case core.ResourceType_LAUNCH_PLAN:
		lp, ok := a.launchPlan(lpID)
		if !ok {
			a.mu.Unlock()
			return nil, status.Errorf(codes.NotFound, "missing entity of type LAUNCH_PLAN with identifier %s", key(lpID))
		}
		params = lp.GetClosure().GetExpectedInputs().GetParameters()
		fixed = lp.GetSpec().GetFixedInputs().GetLiterals()
	default:
		a.mu.Unlock()
		return nil, status.Errorf(codes.InvalidArgument, "unsupported launch plan resource type %s", lpID.GetResourceType())
	}
	k := execKey(&core.WorkflowExecutionIdentifier{Project: req.GetProject(), Domain: req.GetDomain(), Name: name})
	if _, ok := a.exec.executions[k]; ok {
		a.mu.Unlock()
		return nil, status.Errorf(codes.AlreadyExists, "execution with name %s already exists", name)
	}
	inputs := &core.LiteralMap{Literals: map[string]*core.Literal{}}
	given := req.GetInputs().GetLiterals()
	for _, n := range slices.Sorted(maps.Keys(given)) {
		if _, ok := fixed[n]; ok {
			a.mu.Unlock()
			return nil, status.Errorf(codes.InvalidArgument, "%s cannot be overridden with fixed inputs", n)
		}
		if _, ok := params[n]; !ok {
			a.mu.Unlock()
			return nil, status.Errorf(codes.InvalidArgument, "invalid input %s", n)
		}
		inputs.Literals[n] = proto.Clone(given[n]).(*core.Literal)
	}
	for _, n := range slices.Sorted(maps.Keys(params)) {
		if _, ok := inputs.Literals[n]; ok {
			continue
		}
		if _, ok := fixed[n]; ok {
			continue
		}
		if d := params[n].GetDefault(); d != nil {
			inputs.Literals[n] = proto.Clone(d).(*core.Literal)
			continue
		}
		a.mu.Unlock()
		return nil, status.Errorf(codes.InvalidArgument, "expected_inputs %s missing", n)
	}
	for n, v := range fixed {
		inputs.Literals[n] = proto.Clone(v).(*core.Literal)
	}
	r := proto.Clone(req).(*admin.ExecutionCreateRequest)
	r.Name = name
	e := &execution{req: r, inputs: inputs, steps: a.exec.scripts[name]}
	a.exec.executions[k] = e
	a.exec.created = append(a.exec.created, k)
	n := a.exec.calls["CreateExecution"]
	h := a.exec.hooks
	a.mu.Unlock()
	if e.steps == nil && h.onCreate != nil {
		steps := h.onCreate(proto.Clone(r).(*admin.ExecutionCreateRequest))
		a.mu.Lock()
		e.steps = steps
		a.mu.Unlock()
	}
	if h.reply != nil {
		if err := h.reply(n); err != nil {
			return nil, err
		}
	}
	return &admin.ExecutionCreateResponse{Id: &core.WorkflowExecutionIdentifier{Project: r.GetProject(), Domain: r.GetDomain(), Name: name}}, nil
}

// step returns the execution's current step; a.mu is held.
func (e *execution) step() Step {
	switch {
	case e.terminated && e.abortPolls >= 2:
		return Step{Phase: core.WorkflowExecution_ABORTED}
	case e.terminated:
		return Step{Phase: core.WorkflowExecution_ABORTING}
	}
	n := e.gets
	for _, s := range e.steps {
		p := max(s.Polls, 1)
		if n <= p {
			return s
		}
		n -= p
	}
	if len(e.steps) > 0 {
		return e.steps[len(e.steps)-1]
	}
	return Step{Phase: core.WorkflowExecution_UNDEFINED}
}

func (a *Admin) find(id *core.WorkflowExecutionIdentifier) (*execution, error) {
	a.initExec()
	e, ok := a.exec.executions[execKey(id)]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type EXECUTION with identifier %s", execKey(id))
	}
	return e, nil
}

// lockedFind runs the before hook of method, then finds the execution id with a.mu held. On
// success a.mu stays held (the caller unlocks it); on error it is not held.
func (a *Admin) lockedFind(ctx context.Context, method string, id *core.WorkflowExecutionIdentifier) (*execution, error) {
	if err := a.before(ctx, method, id.GetName()); err != nil {
		return nil, err
	}
	a.mu.Lock()
	e, err := a.find(id)
	if err != nil {
		a.mu.Unlock()
		return nil, err
	}
	return e, nil
}

// GetExecution returns the execution in its current step and moves its script on by one call.
func (a *Admin) GetExecution(ctx context.Context, req *admin.WorkflowExecutionGetRequest) (*admin.Execution, error) {
	e, err := a.lockedFind(ctx, "GetExecution", req.GetId())
	if err != nil {
		return nil, err
	}
	defer a.mu.Unlock()
	if e.terminated {
		e.abortPolls++
	} else {
		e.gets++
	}
	s := e.step()
	cl := &admin.ExecutionClosure{Phase: s.Phase, CreatedAt: timestamppb.New(epoch), UpdatedAt: timestamppb.New(epoch)}
	if s.Phase != core.WorkflowExecution_UNDEFINED && s.Phase != core.WorkflowExecution_QUEUED {
		cl.StartedAt = timestamppb.New(epoch)
	}
	switch {
	case s.Error != nil:
		cl.OutputResult = &admin.ExecutionClosure_Error{Error: proto.Clone(s.Error).(*core.ExecutionError)}
	case e.terminated:
		cl.OutputResult = &admin.ExecutionClosure_AbortMetadata{AbortMetadata: &admin.AbortMetadata{Cause: e.abortCause}}
	}
	return &admin.Execution{Id: &core.WorkflowExecutionIdentifier{Project: e.req.GetProject(), Domain: e.req.GetDomain(), Name: e.req.GetName()},
		Spec: proto.Clone(e.req.GetSpec()).(*admin.ExecutionSpec), Closure: cl}, nil
}

// GetExecutionData returns the stored inputs and, once SUCCEEDED, the scripted outputs.
func (a *Admin) GetExecutionData(ctx context.Context, req *admin.WorkflowExecutionGetDataRequest) (*admin.WorkflowExecutionGetDataResponse, error) {
	e, err := a.lockedFind(ctx, "GetExecutionData", req.GetId())
	if err != nil {
		return nil, err
	}
	defer a.mu.Unlock()
	resp := &admin.WorkflowExecutionGetDataResponse{FullInputs: proto.Clone(e.inputs).(*core.LiteralMap)}
	if s := e.step(); s.Phase == core.WorkflowExecution_SUCCEEDED && s.Outputs != nil {
		resp.FullOutputs = proto.Clone(s.Outputs).(*core.LiteralMap)
	}
	return resp, nil
}

// TerminateExecution aborts a running execution; a finished one answers FailedPrecondition.
func (a *Admin) TerminateExecution(ctx context.Context, req *admin.ExecutionTerminateRequest) (*admin.ExecutionTerminateResponse, error) {
	e, err := a.lockedFind(ctx, "TerminateExecution", req.GetId())
	if err != nil {
		return nil, err
	}
	defer a.mu.Unlock()
	switch e.step().Phase {
	case core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED, core.WorkflowExecution_ABORTED, core.WorkflowExecution_TIMED_OUT:
		return nil, status.Errorf(codes.FailedPrecondition, "Cannot abort an already terminated workflow execution %s", execKey(req.GetId()))
	}
	e.terminated, e.abortCause = true, req.GetCause()
	return &admin.ExecutionTerminateResponse{}, nil
}

// page returns the items of one page and the next token.
func page(n int, limit uint32, token string) (from, to int, next string, err error) {
	if limit == 0 {
		return 0, 0, "", status.Error(codes.InvalidArgument, "invalid value for limit: 0")
	}
	if token != "" {
		from, err = strconv.Atoi(token)
		if err != nil || from < 0 {
			return 0, 0, "", status.Errorf(codes.InvalidArgument, "invalid pagination token %q", token)
		}
	}
	from = min(from, n)
	to = min(from+int(limit), n)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}

// ListNodeExecutions lists the current step's nodes under req.unique_parent_id (top level: with
// start-node first, and end-node for a single-task execution), paged.
func (a *Admin) ListNodeExecutions(ctx context.Context, req *admin.NodeExecutionListRequest) (*admin.NodeExecutionList, error) {
	e, err := a.lockedFind(ctx, "ListNodeExecutions", req.GetWorkflowExecutionId())
	if err != nil {
		return nil, err
	}
	defer a.mu.Unlock()
	s := e.step()
	var all []*admin.NodeExecution
	mk := func(n Node) *admin.NodeExecution {
		cl := &admin.NodeExecutionClosure{Phase: n.Phase}
		if n.Error != nil {
			cl.OutputResult = &admin.NodeExecutionClosure_Error{Error: proto.Clone(n.Error).(*core.ExecutionError)}
		}
		return &admin.NodeExecution{Id: &core.NodeExecutionIdentifier{NodeId: n.ID, ExecutionId: req.GetWorkflowExecutionId()},
			Closure: cl, Metadata: &admin.NodeExecutionMetaData{IsParentNode: n.Parent, SpecNodeId: n.ID}}
	}
	parent := req.GetUniqueParentId()
	if parent == "" && len(s.Nodes) > 0 {
		all = append(all, mk(Node{ID: "start-node", Phase: core.NodeExecution_SUCCEEDED}))
	}
	for _, n := range s.Nodes {
		if n.ParentID == parent {
			all = append(all, mk(n))
		}
	}
	if parent == "" && len(s.Nodes) > 0 && e.req.GetSpec().GetLaunchPlan().GetResourceType() == core.ResourceType_TASK {
		all = append(all, mk(Node{ID: "end-node", Phase: core.NodeExecution_UNDEFINED}))
	}
	from, to, next, err := page(len(all), req.GetLimit(), req.GetToken())
	if err != nil {
		return nil, err
	}
	return &admin.NodeExecutionList{NodeExecutions: all[from:to], Token: next}, nil
}

// ListTaskExecutions lists a node's scripted attempts, newest first (FlyteAdmin's default order),
// paged.
func (a *Admin) ListTaskExecutions(ctx context.Context, req *admin.TaskExecutionListRequest) (*admin.TaskExecutionList, error) {
	nid := req.GetNodeExecutionId()
	e, err := a.lockedFind(ctx, "ListTaskExecutions", nid.GetExecutionId())
	if err != nil {
		return nil, err
	}
	defer a.mu.Unlock()
	var node *Node
	for i, n := range e.step().Nodes {
		if n.ID == nid.GetNodeId() {
			node = &e.step().Nodes[i]
		}
	}
	if node == nil {
		return nil, status.Errorf(codes.NotFound, "missing node execution %s", nid.GetNodeId())
	}
	taskID := proto.Clone(e.req.GetSpec().GetLaunchPlan()).(*core.Identifier)
	taskID.ResourceType = core.ResourceType_TASK
	var all []*admin.TaskExecution
	for i := len(node.Attempts) - 1; i >= 0; i-- {
		at := node.Attempts[i]
		cl := &admin.TaskExecutionClosure{Phase: at.Phase}
		for _, l := range at.Logs {
			cl.Logs = append(cl.Logs, proto.Clone(l).(*core.TaskLog))
		}
		if at.Error != nil {
			cl.OutputResult = &admin.TaskExecutionClosure_Error{Error: proto.Clone(at.Error).(*core.ExecutionError)}
		}
		all = append(all, &admin.TaskExecution{Id: &core.TaskExecutionIdentifier{TaskId: taskID, NodeExecutionId: nid, RetryAttempt: uint32(i)}, Closure: cl})
	}
	from, to, next, err := page(len(all), req.GetLimit(), req.GetToken())
	if err != nil {
		return nil, err
	}
	return &admin.TaskExecutionList{TaskExecutions: all[from:to], Token: next}, nil
}

// AdminClient returns an in-process service.AdminServiceClient backed by a, with no gRPC in
// between (call options are ignored), for code that takes the whole client (e.g.
// execution.NewClient). Methods the fake does not implement panic; serve a with [Admin.Serve] to
// get codes.Unimplemented instead.
func (a *Admin) AdminClient() service.AdminServiceClient { return client{a: a} }

// The in-process client's execution methods.

func (c client) CreateExecution(ctx context.Context, req *admin.ExecutionCreateRequest, _ ...grpc.CallOption) (*admin.ExecutionCreateResponse, error) {
	return c.a.CreateExecution(ctx, req)
}

func (c client) GetExecution(ctx context.Context, req *admin.WorkflowExecutionGetRequest, _ ...grpc.CallOption) (*admin.Execution, error) {
	return c.a.GetExecution(ctx, req)
}

func (c client) GetExecutionData(ctx context.Context, req *admin.WorkflowExecutionGetDataRequest, _ ...grpc.CallOption) (*admin.WorkflowExecutionGetDataResponse, error) {
	return c.a.GetExecutionData(ctx, req)
}

func (c client) TerminateExecution(ctx context.Context, req *admin.ExecutionTerminateRequest, _ ...grpc.CallOption) (*admin.ExecutionTerminateResponse, error) {
	return c.a.TerminateExecution(ctx, req)
}

func (c client) ListNodeExecutions(ctx context.Context, req *admin.NodeExecutionListRequest, _ ...grpc.CallOption) (*admin.NodeExecutionList, error) {
	return c.a.ListNodeExecutions(ctx, req)
}

func (c client) ListTaskExecutions(ctx context.Context, req *admin.TaskExecutionListRequest, _ ...grpc.CallOption) (*admin.TaskExecutionList, error) {
	return c.a.ListTaskExecutions(ctx, req)
}
