package register

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/protodiff"
	"github.com/flytedask/flytedask/internal/regid"
	"github.com/flytedask/flytedask/internal/wfnodes"
)

// LaunchPlanService is the part of FlyteAdmin's AdminService that registering workflows and launch
// plans uses ([Client.RegisterEntities], [Client.DiffEntities]). The generated
// service.AdminServiceClient satisfies it, and so does package registertest's fake; a Client made by
// [NewClient] around a [TaskService] that lacks these methods registers tasks only (registering a
// workflow or launch plan then fails before anything is sent, with an error saying so).
type LaunchPlanService interface {
	CreateWorkflow(ctx context.Context, in *admin.WorkflowCreateRequest, opts ...grpc.CallOption) (*admin.WorkflowCreateResponse, error)
	GetWorkflow(ctx context.Context, in *admin.ObjectGetRequest, opts ...grpc.CallOption) (*admin.Workflow, error)
	CreateLaunchPlan(ctx context.Context, in *admin.LaunchPlanCreateRequest, opts ...grpc.CallOption) (*admin.LaunchPlanCreateResponse, error)
	GetLaunchPlan(ctx context.Context, in *admin.ObjectGetRequest, opts ...grpc.CallOption) (*admin.LaunchPlan, error)
	UpdateLaunchPlan(ctx context.Context, in *admin.LaunchPlanUpdateRequest, opts ...grpc.CallOption) (*admin.LaunchPlanUpdateResponse, error)
}

var _ LaunchPlanService = service.AdminServiceClient(nil)

// ErrNoLaunchPlanService is returned (wrapped) by RegisterEntities and DiffEntities when the entities
// hold workflows or launch plans and the Client's service does not implement [LaunchPlanService].
var ErrNoLaunchPlanService = errors.New("register: the client's service has no workflow and launch plan methods (CreateWorkflow, GetWorkflow, CreateLaunchPlan, GetLaunchPlan, UpdateLaunchPlan); pass a service.AdminServiceClient or implement register.LaunchPlanService")

// WithActivateLaunchPlans makes [Client.RegisterEntities] activate every launch plan it registers
// (UpdateLaunchPlan, state ACTIVE), after creating it and also when it already existed, so that
// re-running the same registration (a CI job) is idempotent and leaves the plans active. This is
// what pyflyte register --activate-launchplans does; flytectl's --enableSchedule activates only
// launch plans it has just created. Activating a version deactivates the formerly active version
// of the same name (FlyteAdmin), which moves its schedule to this version.
func WithActivateLaunchPlans() CallOption {
	return func(o *options) { o.activate = true }
}

// kindOf names the kind of entity an id is about: "task", "workflow" or "launch plan".
func kindOf(id *core.Identifier) string {
	switch id.GetResourceType() {
	case core.ResourceType_WORKFLOW:
		return "workflow"
	case core.ResourceType_LAUNCH_PLAN:
		return "launch plan"
	}
	return "task"
}

// Kind is the kind of entity the result is about: "task", "workflow" or "launch plan".
func (r Result) Kind() string { return kindOf(r.ID) }

// Kind is the kind of entity compared: "task", "workflow" or "launch plan".
func (r DiffResult) Kind() string { return kindOf(r.ID) }

// countKinds is "N tasks, N workflows, N launch plans" for results that hold workflows or launch
// plans, "" for tasks alone.
func countKinds(results []Result) string {
	n := map[string]int{}
	for _, r := range results {
		n[r.Kind()]++
	}
	if n["workflow"]+n["launch plan"] == 0 {
		return ""
	}
	parts := make([]string, 0, 3)
	for _, k := range []string{"task", "workflow", "launch plan"} {
		switch n[k] {
		case 1:
			parts = append(parts, "1 "+k)
		default:
			parts = append(parts, fmt.Sprintf("%d %ss", n[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

// plannedEntities are the prepared requests of a RegisterEntities or DiffEntities call.
type plannedEntities struct {
	wfReqs []*admin.WorkflowCreateRequest
	lpReqs []*admin.LaunchPlanCreateRequest
	// waves lists, in order, groups of indexes into the combined workflow+launch plan list
	// (workflows 0..len(wfReqs)-1, then launch plans) that can be registered at once.
	waves [][]int
	// deps[i] are the combined indexes entity i needs registered first.
	deps [][]int
}

// fill is flytectl's hydration rule for an id that does not name an entity of the same run:
// project and domain are set where empty or a placeholder, version likewise.
func fill(id *core.Identifier, t Target) {
	if placeholder(id.Project) {
		id.Project = t.Project
	}
	if placeholder(id.Domain) {
		id.Domain = t.Domain
	}
	if placeholder(id.Version) {
		id.Version = t.Version
	}
}

// placeholder reports an id field that the registering tool fills: empty, or one of flytekit's
// pre-1.0 "{{ registration.* }}" placeholders (regid's rule, as the bundle writers use).
func placeholder(v string) bool { return regid.FilledAtRegistration(v) }

// hydrator fills ids the way RegisterEntities sends them.
type hydrator struct {
	t                     Target
	tasks, wfs, lps, subs map[string]bool
}

// ref hydrates a reference: an entity of the same run is registered under the target, so the
// reference gets the target's project, domain and version; any other reference is filled where
// empty or a placeholder (flytectl's rule), so a concrete reference to an entity registered
// elsewhere is kept.
func (h *hydrator) ref(id *core.Identifier, inRun map[string]bool, rt core.ResourceType) {
	if id == nil {
		return
	}
	if id.ResourceType == core.ResourceType_UNSPECIFIED {
		id.ResourceType = rt
	}
	if inRun[id.Name] {
		id.Project, id.Domain, id.Version = h.t.Project, h.t.Domain, h.t.Version
		return
	}
	fill(id, h.t)
}

// node hydrates the references of n itself (template reaches the nested nodes).
func (h *hydrator) node(n *core.Node) {
	switch t := n.GetTarget().(type) {
	case *core.Node_TaskNode:
		h.ref(t.TaskNode.GetReferenceId(), h.tasks, core.ResourceType_TASK)
	case *core.Node_WorkflowNode:
		switch r := t.WorkflowNode.GetReference().(type) {
		case *core.WorkflowNode_LaunchplanRef:
			h.ref(r.LaunchplanRef, h.lps, core.ResourceType_LAUNCH_PLAN)
		case *core.WorkflowNode_SubWorkflowRef:
			h.ref(r.SubWorkflowRef, h.subs, core.ResourceType_WORKFLOW)
		}
	}
}

// template hydrates the references of every node of t, nested ones included.
func (h *hydrator) template(t *core.WorkflowTemplate) { wfnodes.WalkTemplate(t, h.node) }

// lpRefs returns the names of the launch plans a workflow's nodes call.
func lpRefs(t *core.WorkflowTemplate, out map[string]bool) {
	wfnodes.WalkTemplate(t, func(n *core.Node) {
		if r := n.GetWorkflowNode().GetLaunchplanRef(); r != nil {
			out[r.GetName()] = true
		}
	})
}

// planEntities hydrates the workflows and launch plans of e for target (copies; e is not modified),
// validates them and orders them in waves by their references. Problems use indexes into the
// combined results (tasks first).
func planEntities(e bundle.Entities, target Target) (*plannedEntities, []Problem) {
	nt, nw := len(e.Tasks), len(e.Workflows)
	h := &hydrator{t: target, tasks: map[string]bool{}, wfs: map[string]bool{}, lps: map[string]bool{}, subs: map[string]bool{}}
	for _, s := range e.Tasks {
		h.tasks[s.GetTemplate().GetId().GetName()] = true
	}
	var problems []Problem
	bad := func(i int, name string, format string, args ...any) {
		problems = append(problems, Problem{Index: i, Name: name, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidSpec}, args...)...)})
	}
	p := &plannedEntities{
		wfReqs: make([]*admin.WorkflowCreateRequest, nw),
		lpReqs: make([]*admin.LaunchPlanCreateRequest, len(e.LaunchPlans)),
		deps:   make([][]int, nw+len(e.LaunchPlans)),
	}
	wfIndex := map[string]int{}
	for i, w := range e.Workflows {
		if name := w.GetTemplate().GetId().GetName(); name != "" {
			if _, dup := wfIndex[name]; !dup {
				wfIndex[name] = i
			}
			h.wfs[name] = true
		}
	}
	lpIndex := map[string]int{}
	for i, l := range e.LaunchPlans {
		if name := l.GetId().GetName(); name != "" {
			if _, dup := lpIndex[name]; !dup {
				lpIndex[name] = i
			}
			h.lps[name] = true
		}
	}
	terr := target.Validate()
	for i, w := range e.Workflows {
		name := w.GetTemplate().GetId().GetName()
		var msgs []string
		switch {
		case w == nil:
			msgs = append(msgs, "spec is nil")
		case w.GetTemplate() == nil:
			msgs = append(msgs, "template is missing")
		case w.GetTemplate().GetId() == nil:
			msgs = append(msgs, "template.id is missing")
		case name == "":
			msgs = append(msgs, "template.id.name is empty")
		}
		if w.GetTemplate() != nil {
			if len(w.GetTemplate().GetNodes()) == 0 {
				msgs = append(msgs, "template.nodes is empty; FlyteAdmin's compiler refuses a workflow without nodes")
			}
			ids := map[string]bool{}
			for k, n := range w.GetTemplate().GetNodes() {
				switch id := n.GetId(); {
				case id == "":
					msgs = append(msgs, fmt.Sprintf("template.nodes[%d].id is empty", k))
				case id == "start-node" || id == "end-node":
					msgs = append(msgs, fmt.Sprintf("template.nodes[%d].id %q is reserved by FlyteAdmin's compiler", k, id))
				case ids[id]:
					msgs = append(msgs, fmt.Sprintf("template.nodes[%d].id %q is not unique", k, id))
				}
				ids[n.GetId()] = true
			}
		}
		if j, ok := wfIndex[name]; ok && j != i {
			msgs = append(msgs, fmt.Sprintf("duplicate workflow name, also workflow [%d]", j))
		}
		if terr != nil {
			problems = append(problems, Problem{Index: nt + i, Name: name, Err: terr})
		}
		if len(msgs) > 0 {
			bad(nt+i, name, "workflow: %s", joinStrings(msgs))
			continue
		}
		for _, sw := range w.GetSubWorkflows() {
			h.subs[sw.GetId().GetName()] = true
		}
		c := proto.Clone(w).(*admin.WorkflowSpec)
		id := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Project: target.Project, Domain: target.Domain, Name: name, Version: target.Version}
		c.Template.Id = proto.Clone(id).(*core.Identifier)
		h.template(c.Template)
		for _, sw := range c.SubWorkflows {
			h.ref(sw.GetId(), h.subs, core.ResourceType_WORKFLOW)
			h.template(sw)
		}
		clear(h.subs)
		p.wfReqs[i] = &admin.WorkflowCreateRequest{Id: id, Spec: c}
		refs := map[string]bool{}
		lpRefs(w.GetTemplate(), refs)
		for _, sw := range w.GetSubWorkflows() {
			lpRefs(sw, refs)
		}
		for n := range refs {
			if j, ok := lpIndex[n]; ok {
				p.deps[i] = append(p.deps[i], nw+j)
			}
		}
	}
	for i, l := range e.LaunchPlans {
		name := l.GetId().GetName()
		var msgs []string
		switch {
		case l == nil:
			msgs = append(msgs, "launch plan is nil")
		case l.GetId() == nil:
			msgs = append(msgs, "id is missing")
		case name == "":
			msgs = append(msgs, "id.name is empty")
		}
		switch {
		case l.GetSpec() == nil:
			msgs = append(msgs, "spec is missing")
		case l.GetSpec().GetWorkflowId() == nil:
			msgs = append(msgs, "spec.workflow_id is missing")
		case l.GetSpec().GetWorkflowId().GetName() == "":
			msgs = append(msgs, "spec.workflow_id.name is empty")
		}
		if j, ok := lpIndex[name]; ok && j != i {
			msgs = append(msgs, fmt.Sprintf("duplicate launch plan name, also launch plan [%d]", j))
		}
		if terr != nil {
			problems = append(problems, Problem{Index: nt + nw + i, Name: name, Err: terr})
		}
		if len(msgs) > 0 {
			bad(nt+nw+i, name, "launch plan: %s", joinStrings(msgs))
			continue
		}
		id := &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Project: target.Project, Domain: target.Domain, Name: name, Version: target.Version}
		spec := proto.Clone(l.GetSpec()).(*admin.LaunchPlanSpec)
		h.ref(spec.WorkflowId, h.wfs, core.ResourceType_WORKFLOW)
		p.lpReqs[i] = &admin.LaunchPlanCreateRequest{Id: id, Spec: spec}
		if j, ok := wfIndex[spec.WorkflowId.GetName()]; ok {
			p.deps[nw+i] = append(p.deps[nw+i], j)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	// Waves (Kahn): workflows that call no launch plan of the run, then their launch plans, ...
	n := len(p.deps)
	done := make([]bool, n)
	for left := n; left > 0; {
		var wave []int
		for i := 0; i < n; i++ {
			if done[i] {
				continue
			}
			ready := true
			for _, d := range p.deps[i] {
				ready = ready && done[d]
			}
			if ready {
				wave = append(wave, i)
			}
		}
		if len(wave) == 0 {
			for i := 0; i < n; i++ {
				if !done[i] {
					name := ""
					if i < nw {
						name = e.Workflows[i].GetTemplate().GetId().GetName()
					} else {
						name = e.LaunchPlans[i-nw].GetId().GetName()
					}
					bad(nt+i, name, "cycle: this entity and its launch plan or workflow references depend on each other")
				}
			}
			return nil, problems
		}
		// A wave holds entities of one kind only, so that workflows go before launch plans of
		// the same wave's readiness (a launch plan is ready only once its workflow is done anyway).
		for _, i := range wave {
			done[i] = true
		}
		left -= len(wave)
		p.waves = append(p.waves, wave)
	}
	return p, nil
}

func joinStrings(s []string) string {
	out := ""
	for i, m := range s {
		if i > 0 {
			out += "; "
		}
		out += m
	}
	return out
}

// RegisterEntities registers e under target: every task (as [Client.Register], concurrently), then
// every workflow (FlyteAdmin compiles a workflow against the tasks it has), then every launch plan (a
// launch plan names a registered workflow); a workflow that calls a launch plan of e waits for that
// plan. It returns one [Result] per entity, tasks first, then workflows, then launch plans, each
// kind in input order ([Result.Kind] tells them apart; Result.Index is the position in the kind's
// slice).
//
// Ids are hydrated as flytectl hydrates them, with one difference: the target always wins for the
// entities registered here (as in Register). Each request id is {TASK|WORKFLOW|LAUNCH_PLAN,
// target.Project, target.Domain, name, target.Version}, written into a copy of the entity (the
// workflow's template id, the launch plan's id). References (a node's task or launch plan, a
// sub-workflow, a launch plan's spec.workflow_id) to an entity of e get the target's project,
// domain and version; other references are filled where empty or a "{{ registration.* }}"
// placeholder and kept where concrete (an entity registered elsewhere). Bundles from pyflyte
// (empty ids) or from flytedask (empty by default, or pinned) register alike.
//
// Everything is validated before anything is sent (tasks as in Register; workflows: a named
// template with at least one node and unique node ids; launch plans: a name and a
// spec.workflow_id; unique names per kind; the target); a failure is a *[ValidationError] whose
// Problems index the combined results. codes.AlreadyExists is success (AlreadyExisted) for every
// kind; "different structure" is a Conflict with the field differences (GetWorkflow /
// GetLaunchPlan) in Result.Diff. As in Register, the first failure stops the run unless
// WithContinueOnError (later tiers are then NotAttempted), and WithConcurrency bounds the calls in
// flight within a tier. With [WithActivateLaunchPlans] every launch plan is activated once it is
// registered (created or already existing); a failed activation fails the launch plan's result.
//
// Workflows and launch plans need a service implementing [LaunchPlanService] (any client made by
// [New]); otherwise the error wraps [ErrNoLaunchPlanService] and nothing is sent.
func (c *Client) RegisterEntities(ctx context.Context, e bundle.Entities, target Target, opts ...CallOption) ([]Result, error) {
	o := buildOptions(opts)
	nt, nw, nl := len(e.Tasks), len(e.Workflows), len(e.LaunchPlans)
	if nw+nl == 0 {
		return c.Register(ctx, e.Tasks, target, opts...)
	}
	lps, ok := c.svc.(LaunchPlanService)
	if !ok {
		return nil, fmt.Errorf("%w (got %T)", ErrNoLaunchPlanService, c.svc)
	}
	results, plan, err := dryRunEntities(e, target, opts)
	if err != nil {
		return results, err
	}
	ctx = WithRetryRun(ctx)
	taskResults, terr := c.Register(ctx, e.Tasks, target, opts...)
	var ve *ValidationError
	if errors.As(terr, &ve) {
		// Cannot happen (validated above) unless a validator is not deterministic.
		return append(taskResults, results[nt:]...), terr
	}
	copy(results, taskResults)
	stopped := terr != nil && !o.continueOnError
	var mu sync.Mutex
	report := func(r Result) {
		if o.progress != nil && r.Outcome != NotAttempted {
			mu.Lock()
			o.progress(r)
			mu.Unlock()
		}
	}
	for i := nt; i < len(results); i++ {
		results[i].Outcome, results[i].Reason = NotAttempted, ""
	}
	for _, wave := range plan.waves {
		if stopped || ctx.Err() != nil {
			break
		}
		var next atomic.Int64
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := 0; w < min(o.concurrency, len(wave)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() && ctx.Err() == nil {
					k := int(next.Add(1) - 1)
					if k >= len(wave) {
						return
					}
					i := wave[k]
					r := &results[nt+i]
					if dep := failedDep(results[nt:], plan.deps[i]); dep >= 0 {
						r.Reason = "not attempted: " + results[nt+dep].Kind() + " " + results[nt+dep].Name() + " was not registered"
						continue
					}
					if i < nw {
						c.registerWorkflow(ctx, lps, plan.wfReqs[i], r)
					} else {
						c.registerLaunchPlan(ctx, lps, plan.lpReqs[i-nw], o.activate, r)
					}
					if r.Outcome == Failed && !o.continueOnError {
						stop.Store(true)
					}
					report(*r)
				}
			}()
		}
		wg.Wait()
		if stop.Load() {
			stopped = true
		}
	}
	return finishBatch(ctx, results, countKinds(results))
}

// failedDep returns the first of deps (indexes into rs) that is not registered, or -1.
func failedDep(rs []Result, deps []int) int {
	for _, d := range deps {
		if !rs[d].Outcome.OK() {
			return d
		}
	}
	return -1
}

// dryRunEntities validates everything and returns the results (WouldRegister when valid) and the plan.
func dryRunEntities(e bundle.Entities, target Target, opts []CallOption) ([]Result, *plannedEntities, error) {
	nt := len(e.Tasks)
	taskResults := DryRun(e.Tasks, target, opts...)
	plan, problems := planEntities(e, target)
	results := make([]Result, nt+len(e.Workflows)+len(e.LaunchPlans))
	copy(results, taskResults)
	for i, w := range e.Workflows {
		results[nt+i] = Result{Index: i, ID: &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Project: target.Project, Domain: target.Domain, Name: w.GetTemplate().GetId().GetName(), Version: target.Version}}
	}
	for i, l := range e.LaunchPlans {
		results[nt+len(e.Workflows)+i] = Result{Index: i, ID: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Project: target.Project, Domain: target.Domain, Name: l.GetId().GetName(), Version: target.Version}}
	}
	var ve ValidationError
	for i, r := range taskResults {
		if r.Outcome == Invalid {
			ve.Problems = append(ve.Problems, Problem{Index: i, Name: r.Name(), Err: r.Err})
		}
	}
	ve.Problems = append(ve.Problems, problems...)
	if len(ve.Problems) == 0 {
		for i := nt; i < len(results); i++ {
			results[i].Outcome, results[i].Reason = WouldRegister, "valid, not sent (dry run)"
		}
		return results, plan, nil
	}
	for i := range results {
		results[i].Outcome, results[i].Code, results[i].Err = NotAttempted, codes.OK, nil
		results[i].Reason = "not sent: other specs failed validation"
	}
	merged := map[int][]error{}
	var order []int
	for _, p := range ve.Problems {
		if _, seen := merged[p.Index]; !seen {
			order = append(order, p.Index)
		}
		merged[p.Index] = append(merged[p.Index], p.Err)
	}
	ve.Problems = ve.Problems[:0]
	for _, i := range order {
		err := joinErrs(merged[i])
		r := &results[i]
		r.Outcome, r.Code, r.Reason, r.Err = Invalid, codes.InvalidArgument, err.Error(), err
		ve.Problems = append(ve.Problems, Problem{Index: i, Name: r.Name(), Err: err})
	}
	return results, nil, &ve
}

// DryRunEntities validates e exactly as [Client.RegisterEntities] does and lists what would be
// registered (tasks, then workflows, then launch plans), without any network access: WouldRegister
// when everything is valid, else Invalid for the invalid entities and NotAttempted for the others.
func DryRunEntities(e bundle.Entities, target Target, opts ...CallOption) []Result {
	results, _, _ := dryRunEntities(e, target, opts)
	return results
}

// outcome fills r from the error of a create call (nil = created).
func (c *Client) outcome(ctx context.Context, err error, r *Result, kind string) {
	st := status.Convert(err)
	switch {
	case err == nil:
		r.Outcome, r.Code, r.Reason = Created, codes.OK, "registered"
	case st.Code() == codes.AlreadyExists:
		r.Outcome, r.Code, r.Reason = AlreadyExisted, codes.AlreadyExists, "identical "+kind+" already registered"
		if r.Attempts > 1 {
			r.Reason += " (an earlier attempt of this run may have created it)"
		}
	default:
		r.Outcome, r.Code, r.Err = Failed, st.Code(), err
		r.Reason = oneLine(st.Message())
		if ctx.Err() != nil && (retryable(st.Code()) || st.Code() == codes.Canceled) {
			ie := &interruptedError{ctxErr: ctx.Err(), last: err}
			r.Code, r.Err = ie.GRPCStatus().Code(), ie
			r.Reason = "interrupted by " + ctx.Err().Error() + "; server-side effect unknown; last error: " + r.Reason
		}
	}
}

func (c *Client) registerWorkflow(ctx context.Context, svc LaunchPlanService, req *admin.WorkflowCreateRequest, r *Result) {
	err := c.retrying(ctx, func(actx context.Context) error {
		r.Attempts++
		_, err := svc.CreateWorkflow(actx, req)
		return err
	})
	if r.Attempts == 0 {
		return
	}
	c.outcome(ctx, err, r, "workflow")
	if isDifferentStructure(err) {
		r.Conflict = true
		diffs, derr := c.workflowDiff(ctx, svc, req)
		if derr != nil {
			r.Reason += "; diff unavailable: " + oneLine(status.Convert(derr).Message())
		} else {
			r.Diff = diffs
		}
	}
}

func (c *Client) registerLaunchPlan(ctx context.Context, svc LaunchPlanService, req *admin.LaunchPlanCreateRequest, activate bool, r *Result) {
	err := c.retrying(ctx, func(actx context.Context) error {
		r.Attempts++
		_, err := svc.CreateLaunchPlan(actx, req)
		return err
	})
	if r.Attempts == 0 {
		return
	}
	c.outcome(ctx, err, r, "launch plan")
	if isDifferentStructure(err) {
		r.Conflict = true
		diffs, derr := c.launchPlanDiff(ctx, svc, req)
		if derr != nil {
			r.Reason += "; diff unavailable: " + oneLine(status.Convert(derr).Message())
		} else {
			r.Diff = diffs
		}
	}
	if !activate || !r.Outcome.OK() {
		return
	}
	aerr := c.retrying(ctx, func(actx context.Context) error {
		_, err := svc.UpdateLaunchPlan(actx, &admin.LaunchPlanUpdateRequest{Id: req.GetId(), State: admin.LaunchPlanState_ACTIVE})
		return err
	})
	if aerr != nil {
		st := status.Convert(aerr)
		r.Outcome, r.Code, r.Err = Failed, st.Code(), aerr
		r.Reason += "; activation failed: " + oneLine(st.Message())
		return
	}
	r.Activated = true
	r.Reason += "; activated"
}

// getWorkflowTemplate fetches the registered workflow's template.
func (c *Client) getWorkflowTemplate(ctx context.Context, svc LaunchPlanService, id *core.Identifier) (*core.WorkflowTemplate, error) {
	var wf *admin.Workflow
	err := c.retrying(ctx, func(actx context.Context) error {
		var err error
		wf, err = svc.GetWorkflow(actx, &admin.ObjectGetRequest{Id: id})
		return err
	})
	if err != nil {
		return nil, err
	}
	t := wf.GetClosure().GetCompiledWorkflow().GetPrimary().GetTemplate()
	if t == nil {
		return nil, status.Errorf(codes.Internal, "GetWorkflow returned no template for %s", id.GetName())
	}
	return t, nil
}

// comparableWorkflow is a workflow template as FlyteAdmin's compiler returns it, reduced to what
// was sent: the compiler adds the start and end nodes, fills upstream node ids and writes
// "start-node" where a binding refers to the workflow's inputs by the node id "" (flytekit's
// GLOBAL_INPUT_NODE_ID), so both sides are brought to that form before comparing.
func comparableWorkflow(t *core.WorkflowTemplate, id *core.Identifier) *core.WorkflowTemplate {
	c := proto.Clone(t).(*core.WorkflowTemplate)
	c.Id = id
	clean := func(n *core.Node) {
		n.UpstreamNodeIds = nil
		for _, b := range n.GetInputs() {
			startNode(b.GetBinding())
		}
	}
	nodes := c.Nodes[:0]
	for _, n := range c.Nodes {
		if n.GetId() == "start-node" || n.GetId() == "end-node" {
			continue
		}
		wfnodes.Walk(n, clean)
		nodes = append(nodes, n)
	}
	c.Nodes = nodes
	wfnodes.Walk(c.FailureNode, clean)
	for _, b := range c.GetOutputs() {
		startNode(b.GetBinding())
	}
	return c
}

// startNode rewrites promises to node "" as promises to "start-node", as the compiler does.
func startNode(b *core.BindingData) {
	switch v := b.GetValue().(type) {
	case *core.BindingData_Promise:
		if v.Promise.GetNodeId() == "" {
			v.Promise.NodeId = "start-node"
		}
	case *core.BindingData_Collection:
		for _, x := range v.Collection.GetBindings() {
			startNode(x)
		}
	case *core.BindingData_Map:
		for _, x := range v.Map.GetBindings() {
			startNode(x)
		}
	}
}

func (c *Client) workflowDiff(ctx context.Context, svc LaunchPlanService, req *admin.WorkflowCreateRequest) ([]Difference, error) {
	remote, err := c.getWorkflowTemplate(ctx, svc, req.GetId())
	if err != nil {
		return nil, err
	}
	return diffWorkflows(remote, req), nil
}

func diffWorkflows(remote *core.WorkflowTemplate, req *admin.WorkflowCreateRequest) []Difference {
	return rooted("template", protodiff.Diff(comparableWorkflow(remote, req.GetId()), comparableWorkflow(req.GetSpec().GetTemplate(), req.GetId())))
}

func (c *Client) getLaunchPlanSpec(ctx context.Context, svc LaunchPlanService, id *core.Identifier) (*admin.LaunchPlanSpec, error) {
	var lp *admin.LaunchPlan
	err := c.retrying(ctx, func(actx context.Context) error {
		var err error
		lp, err = svc.GetLaunchPlan(actx, &admin.ObjectGetRequest{Id: id})
		return err
	})
	if err != nil {
		return nil, err
	}
	if lp.GetSpec() == nil {
		return nil, status.Errorf(codes.Internal, "GetLaunchPlan returned no spec for %s", id.GetName())
	}
	return lp.GetSpec(), nil
}

func (c *Client) launchPlanDiff(ctx context.Context, svc LaunchPlanService, req *admin.LaunchPlanCreateRequest) ([]Difference, error) {
	remote, err := c.getLaunchPlanSpec(ctx, svc, req.GetId())
	if err != nil {
		return nil, err
	}
	return rooted("spec", protodiff.Diff(remote, req.GetSpec())), nil
}

// rooted converts protodiff's differences between two sub-messages into Differences whose paths
// start at the entity (a WorkflowSpec's "template", a LaunchPlan's "spec").
func rooted(root string, ds []protodiff.Difference) []Difference {
	if len(ds) == 0 {
		return nil
	}
	out := make([]Difference, len(ds))
	for i, d := range ds {
		p := root
		switch {
		case d.Path == "":
		case strings.HasPrefix(d.Path, "["):
			p += d.Path
		default:
			p += "." + d.Path
		}
		out[i] = Difference{Path: p, Old: d.Old, New: d.New}
	}
	return out
}

// DiffEntities compares every entity of e, as [Client.RegisterEntities] would send it under target,
// with what FlyteAdmin has under the same id (GetTask, GetWorkflow, GetLaunchPlan), and returns one
// [DiffResult] per entity in RegisterEntities' order (tasks, workflows, launch plans). A workflow is
// compared by its template (FlyteAdmin returns the compiled template: its start and end nodes and
// upstream node ids are ignored); a launch plan by its spec. Up to WithConcurrency lookups run at
// once, under one retry window ([WithRetryRun]); errors of single lookups are in DiffResult.Err.
// The returned error is a *ValidationError when e is invalid (nothing is looked up), or wraps
// ErrNoLaunchPlanService.
func (c *Client) DiffEntities(ctx context.Context, e bundle.Entities, target Target, opts ...CallOption) ([]DiffResult, error) {
	o := buildOptions(opts)
	lps, ok := c.svc.(LaunchPlanService)
	if !ok && len(e.Workflows)+len(e.LaunchPlans) > 0 {
		return nil, fmt.Errorf("%w (got %T)", ErrNoLaunchPlanService, c.svc)
	}
	results, plan, err := dryRunEntities(e, target, opts)
	if err != nil {
		return nil, err
	}
	out := make([]DiffResult, len(results))
	for i, r := range results {
		out[i].ID = r.ID
	}
	ctx = WithRetryRun(ctx)
	nt, nw := len(e.Tasks), len(e.Workflows)
	var next atomic.Int64
	var wg sync.WaitGroup
	var gaveUp atomic.Bool
	looked := make([]bool, len(out))
	windowMode := c.retry.Window > 0
	for w := 0; w < min(o.concurrency, len(out)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(out) {
					return
				}
				d := &out[i]
				looked[i] = true
				if gaveUp.Load() {
					d.Err = errors.New("not compared: an earlier lookup gave up (FlyteAdmin unavailable)")
					continue
				}
				switch {
				case i < nt:
					var r DiffResult
					r, d.Err = c.Diff(ctx, e.Tasks[i], target)
					d.Status, d.Differences = r.Status, r.Differences
				case i < nt+nw:
					req := plan.wfReqs[i-nt]
					remote, err := c.getWorkflowTemplate(ctx, lps, req.GetId())
					c.setDiff(d, err, func() []Difference { return diffWorkflows(remote, req) })
				default:
					req := plan.lpReqs[i-nt-nw]
					remote, err := c.getLaunchPlanSpec(ctx, lps, req.GetId())
					c.setDiff(d, err, func() []Difference { return rooted("spec", protodiff.Diff(remote, req.GetSpec())) })
				}
				if windowMode && status.Code(d.Err) == codes.Unavailable {
					gaveUp.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for i := range out {
		if !looked[i] {
			out[i].Err = fmt.Errorf("not compared: %w", ctx.Err())
		}
	}
	return out, nil
}

func (c *Client) setDiff(d *DiffResult, err error, diff func() []Difference) {
	switch {
	case status.Code(err) == codes.NotFound:
		d.Status = NotRegistered
	case err != nil:
		d.Err = fmt.Errorf("register: Get%s %s: %w", map[string]string{"workflow": "Workflow", "launch plan": "LaunchPlan"}[d.Kind()], d.ID.GetName(), err)
	default:
		d.Status = Same
		d.Differences = diff()
		if len(d.Differences) > 0 {
			d.Status = Changed
		}
	}
}
