package registertest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/internal/wfnodes"
	"github.com/flytedask/flytedask/register"
)

// Workflows and launch plans, as FlyteAdmin v1.1.131 handles them (launch-plans.md §2):
//   - CreateWorkflow stores the template under the request id (the template id is overwritten);
//     every task a node references must be registered (else InvalidArgument "failed to compile
//     workflow"), every launch plan a node calls too; identical = AlreadyExists, different =
//     InvalidArgument "workflow with different structure already exists";
//   - CreateLaunchPlan needs its spec.workflow_id registered (else NotFound), stores the launch
//     plan INACTIVE; identical = AlreadyExists, different = InvalidArgument "launch plan with
//     different structure already exists";
//   - UpdateLaunchPlan(ACTIVE) activates a version and deactivates the formerly active version of
//     the same name; INACTIVE deactivates it;
//   - GetWorkflow returns the template as closure.compiled_workflow.primary.template (this fake
//     does not compile: no start/end nodes), GetLaunchPlan the spec with closure.state and
//     closure.expected_inputs (the workflow's inputs: default_inputs' parameter, else required
//     unless fixed).

// lpState is the workflow and launch plan store of an Admin.
type lpState struct {
	mu          sync.Mutex
	workflows   map[string]*core.WorkflowTemplate
	launchPlans map[string]*admin.LaunchPlan
	created     []string // "workflow NAME" / "launch plan NAME", in order
	updates     []string // "NAME@VERSION STATE"
	hook        func(ctx context.Context, method string, req proto.Message) error
}

func (a *Admin) lps() *lpState {
	a.lpOnce.Do(func() {
		a.lp = &lpState{workflows: map[string]*core.WorkflowTemplate{}, launchPlans: map[string]*admin.LaunchPlan{}}
	})
	return a.lp
}

// EntityHook, if set, runs first on every CreateWorkflow, CreateLaunchPlan and UpdateLaunchPlan
// (method is the RPC's name); a non-nil error is returned to the caller and nothing changes. Set
// it before the first call.
func (a *Admin) EntityHook(fn func(ctx context.Context, method string, req proto.Message) error) {
	a.lps().hook = fn
}

func (s *lpState) runHook(ctx context.Context, method string, req proto.Message) error {
	if s.hook == nil {
		return nil
	}
	return s.hook(ctx, method, req)
}

func checkID(id *core.Identifier, rt core.ResourceType) error {
	switch {
	case id == nil:
		return status.Error(codes.InvalidArgument, "missing id")
	case id.GetResourceType() != rt:
		return status.Errorf(codes.InvalidArgument, "unexpected resource type %s, want %s", id.GetResourceType(), rt)
	case id.GetProject() == "" || id.GetDomain() == "" || id.GetName() == "" || id.GetVersion() == "":
		return status.Errorf(codes.InvalidArgument, "incomplete identifier %s", key(id))
	}
	return nil
}

// nodeRefs returns every task and launch plan id the template's nodes reference.
func nodeRefs(t *core.WorkflowTemplate) (tasks, lps []*core.Identifier) {
	wfnodes.WalkTemplate(t, func(n *core.Node) {
		if r := n.GetTaskNode().GetReferenceId(); r != nil {
			tasks = append(tasks, r)
		}
		if r := n.GetWorkflowNode().GetLaunchplanRef(); r != nil {
			lps = append(lps, r)
		}
	})
	return tasks, lps
}

// CreateWorkflow stores the request's workflow template (see the comment at the top of this file).
func (a *Admin) CreateWorkflow(ctx context.Context, req *admin.WorkflowCreateRequest) (*admin.WorkflowCreateResponse, error) {
	s := a.lps()
	if err := s.runHook(ctx, "CreateWorkflow", req); err != nil {
		return nil, err
	}
	id := req.GetId()
	if err := checkID(id, core.ResourceType_WORKFLOW); err != nil {
		return nil, err
	}
	if req.GetSpec().GetTemplate() == nil {
		return nil, status.Error(codes.InvalidArgument, "missing spec.template")
	}
	t := proto.Clone(req.GetSpec().GetTemplate()).(*core.WorkflowTemplate)
	t.Id = proto.Clone(id).(*core.Identifier)
	if len(t.GetNodes()) == 0 {
		return nil, status.Errorf(codes.InvalidArgument, "failed to compile workflow for [%s] with err Collected Errors: 1\n\tError 0: Code: NoNodesFound, Node Id: start-node, Description: Can't find any nodes in workflow [%s].", key(id), key(id))
	}
	tasks, lpRefs := nodeRefs(t)
	a.mu.Lock()
	var missing []string
	for _, r := range tasks {
		if _, ok := a.tasks[key(r)]; !ok {
			missing = append(missing, "task "+key(r))
		}
	}
	a.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range lpRefs {
		if _, ok := s.launchPlans[key(r)]; !ok {
			missing = append(missing, "launch plan "+key(r))
		}
	}
	if len(missing) > 0 {
		return nil, status.Errorf(codes.InvalidArgument, "failed to compile workflow for [%s]: missing entity of type %v", key(id), missing)
	}
	k := key(id)
	if old, ok := s.workflows[k]; ok {
		if proto.Equal(old, t) {
			return nil, status.Errorf(codes.AlreadyExists, "identical workflow already exists with id %s", k)
		}
		return nil, status.Errorf(codes.InvalidArgument, "workflow with different structure already exists with id %s", k)
	}
	s.workflows[k] = t
	s.created = append(s.created, "workflow "+id.GetName())
	return &admin.WorkflowCreateResponse{}, nil
}

// GetWorkflow returns the stored workflow, or codes.NotFound.
func (a *Admin) GetWorkflow(_ context.Context, req *admin.ObjectGetRequest) (*admin.Workflow, error) {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.workflows[key(req.GetId())]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type WORKFLOW with identifier %s", key(req.GetId()))
	}
	c := proto.Clone(t).(*core.WorkflowTemplate)
	return &admin.Workflow{Id: c.GetId(), Closure: &admin.WorkflowClosure{CompiledWorkflow: &core.CompiledWorkflowClosure{
		Primary: &core.CompiledWorkflow{Template: c},
	}}}, nil
}

// CreateLaunchPlan stores the request's launch plan, INACTIVE (see the comment at the top of this file).
func (a *Admin) CreateLaunchPlan(ctx context.Context, req *admin.LaunchPlanCreateRequest) (*admin.LaunchPlanCreateResponse, error) {
	s := a.lps()
	if err := s.runHook(ctx, "CreateLaunchPlan", req); err != nil {
		return nil, err
	}
	id := req.GetId()
	if err := checkID(id, core.ResourceType_LAUNCH_PLAN); err != nil {
		return nil, err
	}
	if req.GetSpec() == nil {
		return nil, status.Error(codes.InvalidArgument, "missing spec")
	}
	if err := checkID(req.GetSpec().GetWorkflowId(), core.ResourceType_WORKFLOW); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "spec.workflow_id: %s", status.Convert(err).Message())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.workflows[key(req.GetSpec().GetWorkflowId())]; !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type WORKFLOW with identifier %s", key(req.GetSpec().GetWorkflowId()))
	}
	k := key(id)
	spec := proto.Clone(req.GetSpec()).(*admin.LaunchPlanSpec)
	if old, ok := s.launchPlans[k]; ok {
		if proto.Equal(old.GetSpec(), spec) {
			return nil, status.Errorf(codes.AlreadyExists, "identical launch plan already exists with id %s", k)
		}
		return nil, status.Errorf(codes.InvalidArgument, "launch plan with different structure already exists with id %s", k)
	}
	s.launchPlans[k] = &admin.LaunchPlan{Id: proto.Clone(id).(*core.Identifier), Spec: spec,
		Closure: &admin.LaunchPlanClosure{State: admin.LaunchPlanState_INACTIVE,
			ExpectedInputs: expectedInputs(s.workflows[key(spec.GetWorkflowId())], spec)}}
	s.created = append(s.created, "launch plan "+id.GetName())
	return &admin.LaunchPlanCreateResponse{}, nil
}

// expectedInputs is closure.expected_inputs as FlyteAdmin computes it: every input of the workflow,
// with the launch plan's default_inputs parameter when it has one, else required unless fixed.
func expectedInputs(wf *core.WorkflowTemplate, spec *admin.LaunchPlanSpec) *core.ParameterMap {
	out := &core.ParameterMap{Parameters: map[string]*core.Parameter{}}
	defaults := spec.GetDefaultInputs().GetParameters()
	fixed := spec.GetFixedInputs().GetLiterals()
	for name, v := range wf.GetInterface().GetInputs().GetVariables() {
		if p, ok := defaults[name]; ok {
			out.Parameters[name] = proto.Clone(p).(*core.Parameter)
		} else if _, ok := fixed[name]; !ok {
			out.Parameters[name] = &core.Parameter{Var: &core.Variable{Type: v.GetType(), Description: v.GetDescription()},
				Behavior: &core.Parameter_Required{Required: true}}
		}
	}
	return out
}

// GetLaunchPlan returns the stored launch plan with its state, or codes.NotFound. Calls are
// counted in ExecutionCalls.
func (a *Admin) GetLaunchPlan(ctx context.Context, req *admin.ObjectGetRequest) (*admin.LaunchPlan, error) {
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	a.mu.Lock()
	a.count("GetLaunchPlan")
	a.mu.Unlock()
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	lp, ok := s.launchPlans[key(req.GetId())]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type LAUNCH_PLAN with identifier %s", key(req.GetId()))
	}
	return proto.Clone(lp).(*admin.LaunchPlan), nil
}

// UpdateLaunchPlan sets a launch plan version's state; ACTIVE deactivates the other versions of
// the same project, domain and name.
func (a *Admin) UpdateLaunchPlan(ctx context.Context, req *admin.LaunchPlanUpdateRequest) (*admin.LaunchPlanUpdateResponse, error) {
	s := a.lps()
	if err := s.runHook(ctx, "UpdateLaunchPlan", req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := req.GetId()
	lp, ok := s.launchPlans[key(id)]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "missing entity of type LAUNCH_PLAN with identifier %s", key(id))
	}
	if req.GetState() == admin.LaunchPlanState_ACTIVE {
		for _, other := range s.launchPlans {
			o := other.GetId()
			if o.GetProject() == id.GetProject() && o.GetDomain() == id.GetDomain() && o.GetName() == id.GetName() {
				other.Closure.State = admin.LaunchPlanState_INACTIVE
			}
		}
	}
	lp.Closure.State = req.GetState()
	s.updates = append(s.updates, fmt.Sprintf("%s@%s %s", id.GetName(), id.GetVersion(), req.GetState()))
	return &admin.LaunchPlanUpdateResponse{}, nil
}

// PutLaunchPlan stores a copy of lp under its id, as if it had been registered (and its closure
// computed) earlier; a launch plan without a closure gets one with state INACTIVE.
func (a *Admin) PutLaunchPlan(lp *admin.LaunchPlan) {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := proto.Clone(lp).(*admin.LaunchPlan)
	if c.Closure == nil {
		c.Closure = &admin.LaunchPlanClosure{State: admin.LaunchPlanState_INACTIVE}
	}
	s.launchPlans[key(lp.GetId())] = c
}

// PutWorkflow stores a copy of t under t's id, as if it had been registered earlier.
func (a *Admin) PutWorkflow(t *core.WorkflowTemplate) {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workflows[key(t.GetId())] = proto.Clone(t).(*core.WorkflowTemplate)
}

// Workflows returns copies of the stored workflow templates, sorted by project, domain, name and version.
func (a *Admin) Workflows() []*core.WorkflowTemplate {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*core.WorkflowTemplate, 0, len(s.workflows))
	for _, k := range slices.Sorted(maps.Keys(s.workflows)) {
		out = append(out, proto.Clone(s.workflows[k]).(*core.WorkflowTemplate))
	}
	return out
}

// LaunchPlans returns copies of the stored launch plans (with their state in closure.state), sorted
// by project, domain, name and version.
func (a *Admin) LaunchPlans() []*admin.LaunchPlan {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*admin.LaunchPlan, 0, len(s.launchPlans))
	for _, k := range slices.Sorted(maps.Keys(s.launchPlans)) {
		out = append(out, proto.Clone(s.launchPlans[k]).(*admin.LaunchPlan))
	}
	return out
}

// EntityStats is what an Admin has seen of workflows and launch plans.
type EntityStats struct {
	// Created lists "workflow NAME" and "launch plan NAME" in the order they were stored.
	Created []string
	// Updates lists every UpdateLaunchPlan as "NAME@VERSION STATE", in order.
	Updates []string
}

// EntityStats returns a copy of the workflow and launch plan counters.
func (a *Admin) EntityStats() EntityStats {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	return EntityStats{Created: append([]string(nil), s.created...), Updates: append([]string(nil), s.updates...)}
}

func (a *Admin) resetEntities() {
	s := a.lps()
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.workflows)
	clear(s.launchPlans)
	s.created, s.updates = nil, nil
}

// The in-process client (Admin.Client) serves workflows and launch plans too: it satisfies
// register.LaunchPlanService.
var _ register.LaunchPlanService = client{}

func (c client) CreateWorkflow(ctx context.Context, req *admin.WorkflowCreateRequest, _ ...grpc.CallOption) (*admin.WorkflowCreateResponse, error) {
	return c.a.CreateWorkflow(ctx, req)
}

func (c client) GetWorkflow(ctx context.Context, req *admin.ObjectGetRequest, _ ...grpc.CallOption) (*admin.Workflow, error) {
	return c.a.GetWorkflow(ctx, req)
}

func (c client) CreateLaunchPlan(ctx context.Context, req *admin.LaunchPlanCreateRequest, _ ...grpc.CallOption) (*admin.LaunchPlanCreateResponse, error) {
	return c.a.CreateLaunchPlan(ctx, req)
}

func (c client) GetLaunchPlan(ctx context.Context, req *admin.ObjectGetRequest, _ ...grpc.CallOption) (*admin.LaunchPlan, error) {
	return c.a.GetLaunchPlan(ctx, req)
}

func (c client) UpdateLaunchPlan(ctx context.Context, req *admin.LaunchPlanUpdateRequest, _ ...grpc.CallOption) (*admin.LaunchPlanUpdateResponse, error) {
	return c.a.UpdateLaunchPlan(ctx, req)
}
