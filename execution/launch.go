package execution

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/literal"
)

// Kind says what a [Ref] names. The zero value is invalid.
type Kind int

const (
	// Task is a registered task, launched as a single-task execution (FlyteAdmin creates the
	// workflow and launch plan ".flytegen.NAME" on the first launch).
	Task Kind = iota + 1
	// LaunchPlan is a registered launch plan: its default inputs apply, its fixed inputs cannot be
	// given.
	LaunchPlan
)

// String is "task" or "launch plan".
func (k Kind) String() string {
	switch k {
	case Task:
		return "task"
	case LaunchPlan:
		return "launch plan"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Ref names a registered task or launch plan.
type Ref struct {
	Kind                           Kind
	Project, Domain, Name, Version string
}

// String is "task project/domain/name@version".
func (r Ref) String() string {
	return fmt.Sprintf("%s %s/%s/%s@%s", r.Kind, r.Project, r.Domain, r.Name, r.Version)
}

// Validate reports every empty field (FlyteAdmin requires them all).
func (r Ref) Validate() error {
	var errs field.ErrorList
	if r.Kind != Task && r.Kind != LaunchPlan {
		errs = append(errs, field.Required(field.NewPath("kind"), "set Kind to execution.Task or execution.LaunchPlan"))
	}
	for _, f := range []struct{ name, v string }{{"project", r.Project}, {"domain", r.Domain}, {"name", r.Name}, {"version", r.Version}} {
		if f.v == "" {
			errs = append(errs, field.Required(field.NewPath(f.name), "is empty; FlyteAdmin needs it"))
		}
	}
	return errs.Err()
}

func (r Ref) identifier() *core.Identifier {
	rt := core.ResourceType_TASK
	if r.Kind == LaunchPlan {
		rt = core.ResourceType_LAUNCH_PLAN
	}
	return &core.Identifier{ResourceType: rt, Project: r.Project, Domain: r.Domain, Name: r.Name, Version: r.Version}
}

// Param is one input of a task or launch plan.
type Param struct {
	Name string
	// Type is the input's literal type; [literal.TypeString] names it.
	Type        *core.LiteralType
	Description string
	// Required is true when the input has neither a default nor a fixed value.
	Required bool
	// Default is a launch plan's default value (nil for a task, whose inputs are all required).
	Default *core.Literal
	// Fixed is a launch plan's fixed value; such an input cannot be given.
	Fixed *core.Literal
}

// Launchable is a task or launch plan with its inputs, fetched from FlyteAdmin ([Client.Fetch]) or
// made from a task interface or launch plan at hand ([TaskLaunchable], [LaunchPlanLaunchable]).
type Launchable struct {
	Ref Ref
	// Params are the inputs, sorted by name (a launch plan's fixed inputs included).
	Params []Param
}

// Fetch gets ref's interface from FlyteAdmin: GetTask's template interface for a task (every input
// required), GetLaunchPlan's closure.expected_inputs (defaults) and spec.fixed_inputs for a launch
// plan. Calls are retried as register's.
func (c *Client) Fetch(ctx context.Context, ref Ref) (*Launchable, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	req := &admin.ObjectGetRequest{Id: ref.identifier()}
	switch ref.Kind {
	case Task:
		var t *admin.Task
		err := c.call(ctx, func(actx context.Context) (err error) { t, err = c.svc.GetTask(actx, req); return err })
		if err != nil {
			return nil, wrap("GetTask "+ref.String(), err)
		}
		return TaskLaunchable(ref, t.GetClosure().GetCompiledTask().GetTemplate().GetInterface()), nil
	case LaunchPlan:
		var lp *admin.LaunchPlan
		err := c.call(ctx, func(actx context.Context) (err error) { lp, err = c.svc.GetLaunchPlan(actx, req); return err })
		if err != nil {
			return nil, wrap("GetLaunchPlan "+ref.String(), err)
		}
		return LaunchPlanLaunchable(ref, lp), nil
	}
	return &Launchable{Ref: ref}, nil
}

// TaskLaunchable is the [Launchable] of the task ref with the interface iface (its template's, as
// [Client.Fetch] gets it from FlyteAdmin or as a spec builds it): every input required. It lets a
// caller that holds the task launch it without a GetTask call.
func TaskLaunchable(ref Ref, iface *core.TypedInterface) *Launchable {
	l := &Launchable{Ref: ref}
	for name, v := range iface.GetInputs().GetVariables() {
		l.Params = append(l.Params, Param{Name: name, Type: v.GetType(), Description: v.GetDescription(), Required: true})
	}
	sort.Slice(l.Params, func(i, j int) bool { return l.Params[i].Name < l.Params[j].Name })
	return l
}

// LaunchPlanLaunchable is the [Launchable] of the launch plan ref described by lp: its inputs are
// lp's closure.expected_inputs (as FlyteAdmin computes them; without a closure, as a launch plan
// built locally has none, spec.default_inputs) with their defaults, and spec.fixed_inputs, which
// cannot be given.
func LaunchPlanLaunchable(ref Ref, lp *admin.LaunchPlan) *Launchable {
	l := &Launchable{Ref: ref}
	fixed := lp.GetSpec().GetFixedInputs().GetLiterals()
	expected := lp.GetClosure().GetExpectedInputs().GetParameters()
	if expected == nil {
		expected = lp.GetSpec().GetDefaultInputs().GetParameters()
	}
	for name, p := range expected {
		if _, ok := fixed[name]; ok {
			continue
		}
		l.Params = append(l.Params, Param{Name: name, Type: p.GetVar().GetType(), Description: p.GetVar().GetDescription(),
			Required: p.GetDefault() == nil, Default: p.GetDefault()})
	}
	for name, v := range fixed {
		p := Param{Name: name, Fixed: v}
		if t, ok := expected[name]; ok {
			p.Type = t.GetVar().GetType()
		}
		l.Params = append(l.Params, p)
	}
	sort.Slice(l.Params, func(i, j int) bool { return l.Params[i].Name < l.Params[j].Name })
	return l
}

// Bind converts Go values to the inputs to send, by each input's type, with [literal.Of]: every
// given value, and a launch plan's default for each input not given. Every problem is reported at
// once in a *field.ValidationError, with the paths inputs.NAME: an unknown input, a fixed input, a
// missing required input, a value that does not fit the type (the message names the type).
func (l *Launchable) Bind(values map[string]any) (*core.LiteralMap, error) {
	return l.bind(func(name string) (bool, any) { v, ok := values[name]; return ok, v }, keys(values),
		func(p Param, v any) (*core.Literal, error) { return literal.Of(p.Type, v) })
}

// Parse is [Launchable.Bind] for command-line strings, converted by each input's type with
// [literal.Parse].
func (l *Launchable) Parse(values map[string]string) (*core.LiteralMap, error) {
	return l.bind(func(name string) (bool, any) { v, ok := values[name]; return ok, v }, keys(values),
		func(p Param, v any) (*core.Literal, error) { return literal.Parse(p.Type, v.(string)) })
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (l *Launchable) bind(get func(string) (bool, any), given []string, conv func(Param, any) (*core.Literal, error)) (*core.LiteralMap, error) {
	var errs field.ErrorList
	known := map[string]bool{}
	out := &core.LiteralMap{Literals: map[string]*core.Literal{}}
	for _, p := range l.Params {
		known[p.Name] = true
		path := field.NewPath("inputs", p.Name)
		ok, v := get(p.Name)
		switch {
		case p.Fixed != nil:
			if ok {
				errs = append(errs, field.Forbidden(path, fmt.Sprintf("fixed by the launch plan to %s; it cannot be given", show(p.Fixed))))
			}
		case !ok && p.Required:
			errs = append(errs, field.Required(path, fmt.Sprintf("required input of type %s is missing", literal.TypeString(p.Type))))
		case !ok:
			out.Literals[p.Name] = p.Default
		default:
			lit, err := conv(p, v)
			if err != nil {
				errs = append(errs, field.Invalid(path, v, typed(p.Type, err)))
				continue
			}
			out.Literals[p.Name] = lit
		}
	}
	for _, name := range given {
		if !known[name] {
			errs = append(errs, field.Invalid(field.NewPath("inputs", name), nil, fmt.Sprintf("unknown input: the %s's inputs are %s", l.Ref.Kind, l.describe())))
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// typed is a conversion error's message, prefixed with the input's type unless it names it.
func typed(t *core.LiteralType, err error) string {
	ts := literal.TypeString(t)
	if strings.Contains(err.Error(), ts) {
		return err.Error()
	}
	return ts + ": " + err.Error()
}

// describe lists the inputs as "a (int), b (str, default 3)".
func (l *Launchable) describe() string {
	if len(l.Params) == 0 {
		return "none"
	}
	var parts []string
	for _, p := range l.Params {
		switch {
		case p.Fixed != nil:
			parts = append(parts, fmt.Sprintf("%s (fixed)", p.Name))
		case p.Default != nil:
			parts = append(parts, fmt.Sprintf("%s (%s, default %s)", p.Name, literal.TypeString(p.Type), show(p.Default)))
		default:
			parts = append(parts, fmt.Sprintf("%s (%s)", p.Name, literal.TypeString(p.Type)))
		}
	}
	return strings.Join(parts, ", ")
}

// show renders a literal's value for a message.
func show(l *core.Literal) string {
	v, err := literal.Value(l)
	if err != nil {
		return "a " + fmt.Sprintf("%T", l.GetValue())
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprintf("%v", v)
}

// namePattern is FlyteAdmin's execution name rule (validation/execution_validator.go).
var namePattern = regexp.MustCompile(`^[a-z][a-z\-0-9]*$`)

// MaxNameLength is the longest execution name FlyteAdmin accepts.
const MaxNameLength = 63

// ValidateName checks an execution name against FlyteAdmin's rule: ^[a-z][a-z\-0-9]*$, at most
// [MaxNameLength] characters.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("execution name is empty")
	case len(name) > MaxNameLength:
		return fmt.Errorf("execution name %q is %d characters long; FlyteAdmin allows at most %d", name, len(name), MaxNameLength)
	case !namePattern.MatchString(name):
		return fmt.Errorf("execution name %q must start with a lower-case letter and hold only lower-case letters, digits and '-' (FlyteAdmin's rule ^[a-z][a-z\\-0-9]*$)", name)
	}
	return nil
}

// NewName returns a random execution name as FlyteAdmin makes one when the request has none: "a"
// and 19 random lower-case letters and digits.
func NewName() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b[1:])
	b[0] = 'a'
	for i := 1; i < len(b); i++ {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// CallOption configures one call of [Client.Launch], [Client.Start] or [Client.Follow].
type CallOption func(*callOptions)

type callOptions struct {
	name         string
	pollInterval time.Duration
	events       func(Event)
	existing     func(ID)
}

// WithName names the execution (FlyteAdmin's rule: [ValidateName]). Without it the client makes a
// name ([NewName]) before the first attempt, so that a retried CreateExecution cannot start two
// executions.
func WithName(name string) CallOption { return func(o *callOptions) { o.name = name } }

// WithExisting makes [Client.Start] call fn with the id when the execution existed before the call:
// its first CreateExecution attempt was answered AlreadyExists and the existing execution is the
// same (same launch plan and inputs), so Start returns its id and started nothing. An
// AlreadyExists answer to a retried attempt is not reported: the earlier attempt may have created
// the execution.
func WithExisting(fn func(ID)) CallOption { return func(o *callOptions) { o.existing = fn } }

func buildCallOptions(opts []CallOption) callOptions {
	o := callOptions{pollInterval: DefaultPollInterval}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Launch fetches ref ([Client.Fetch]), converts values by its interface ([Launchable.Bind]) and
// starts it ([Client.Start]). Nothing is launched when an input is refused.
func (c *Client) Launch(ctx context.Context, ref Ref, values map[string]any, opts ...CallOption) (ID, error) {
	l, err := c.Fetch(ctx, ref)
	if err != nil {
		return ID{}, err
	}
	inputs, err := l.Bind(values)
	if err != nil {
		return ID{}, err
	}
	return c.Start(ctx, l, inputs, opts...)
}

// ErrNameTaken is wrapped by the error of [Client.Start] when an execution of the same name exists
// with another launch plan or other inputs.
var ErrNameTaken = errors.New("an execution with this name already exists with other inputs or another launch plan")

// Start creates an execution of l with inputs (from [Launchable.Bind] or [Launchable.Parse]) in
// l's project and domain, named by [WithName] or a generated name, and returns its id.
//
// CreateExecution is retried as register retries its calls. An AlreadyExists answer is the same
// execution, as in flytekit, when the existing execution has the same launch plan (or task) and
// the same inputs (compared with GetExecution and GetExecutionData, given and fixed inputs): a
// retry whose first attempt did reach FlyteAdmin, or a re-run of the same named launch. Otherwise
// the error wraps [ErrNameTaken] and nothing is started. When the existing execution's inputs are
// not inline (larger than FlyteAdmin's remoteData.maxSizeInBytes) only the launch plan is compared.
// [WithExisting] tells a re-run of a named launch from a new execution.
func (c *Client) Start(ctx context.Context, l *Launchable, inputs *core.LiteralMap, opts ...CallOption) (ID, error) {
	o := buildCallOptions(opts)
	if err := l.Ref.Validate(); err != nil {
		return ID{}, err
	}
	name := o.name
	if name == "" {
		name = NewName()
	}
	if err := ValidateName(name); err != nil {
		return ID{}, err
	}
	if inputs == nil {
		inputs = &core.LiteralMap{}
	}
	id := ID{Project: l.Ref.Project, Domain: l.Ref.Domain, Name: name}
	req := &admin.ExecutionCreateRequest{
		Project: id.Project, Domain: id.Domain, Name: name,
		Spec: &admin.ExecutionSpec{
			LaunchPlan: l.Ref.identifier(),
			Metadata:   &admin.ExecutionMetadata{Mode: admin.ExecutionMetadata_MANUAL},
		},
		Inputs: inputs,
	}
	attempts, existedBefore := 0, false
	err := c.call(ctx, func(actx context.Context) error {
		attempts++
		_, err := c.svc.CreateExecution(actx, req)
		if status.Code(err) == codes.AlreadyExists {
			existedBefore = attempts == 1
		}
		return err
	})
	if status.Code(err) == codes.AlreadyExists {
		if err := c.sameExecution(ctx, id, l, inputs); err != nil {
			return id, err
		}
		if existedBefore && o.existing != nil {
			o.existing(id)
		}
		return id, nil
	}
	if err != nil {
		return ID{}, wrap("CreateExecution "+id.String(), err)
	}
	return id, nil
}

// sameExecution checks that the existing execution id launched l with inputs.
func (c *Client) sameExecution(ctx context.Context, id ID, l *Launchable, inputs *core.LiteralMap) error {
	var ex *admin.Execution
	if err := c.call(ctx, func(actx context.Context) (err error) {
		ex, err = c.svc.GetExecution(actx, &admin.WorkflowExecutionGetRequest{Id: id.proto()})
		return err
	}); err != nil {
		return wrap("GetExecution "+id.String()+" (it already exists)", err)
	}
	if got := ex.GetSpec().GetLaunchPlan(); !sameRef(got, l.Ref.identifier()) {
		return fmt.Errorf("execution %s: %w: it runs %s/%s/%s@%s", id, ErrNameTaken, got.GetProject(), got.GetDomain(), got.GetName(), got.GetVersion())
	}
	var data *admin.WorkflowExecutionGetDataResponse
	if err := c.call(ctx, func(actx context.Context) (err error) {
		data, err = c.svc.GetExecutionData(actx, &admin.WorkflowExecutionGetDataRequest{Id: id.proto()})
		return err
	}); err != nil {
		return wrap("GetExecutionData "+id.String()+" (it already exists)", err)
	}
	have := data.GetFullInputs()
	if have == nil {
		return nil // not inline: the launch plan matched
	}
	want := &core.LiteralMap{Literals: map[string]*core.Literal{}}
	for k, v := range inputs.GetLiterals() {
		want.Literals[k] = v
	}
	for _, p := range l.Params {
		if p.Fixed != nil {
			want.Literals[p.Name] = p.Fixed
		}
	}
	if !proto.Equal(have, want) {
		var diff []string
		for _, k := range keys(union(have.GetLiterals(), want.GetLiterals())) {
			if !proto.Equal(have.GetLiterals()[k], want.GetLiterals()[k]) {
				diff = append(diff, k)
			}
		}
		return fmt.Errorf("execution %s: %w: inputs %s differ", id, ErrNameTaken, strings.Join(diff, ", "))
	}
	return nil
}

func union(a, b map[string]*core.Literal) map[string]*core.Literal {
	out := map[string]*core.Literal{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// sameRef compares identifiers; the resource type of a single-task execution's launch plan may
// come back as TASK or as the generated LAUNCH_PLAN, so only the names are compared for tasks.
func sameRef(got, want *core.Identifier) bool {
	if got.GetProject() != want.GetProject() || got.GetDomain() != want.GetDomain() || got.GetVersion() != want.GetVersion() {
		return false
	}
	if want.GetResourceType() == core.ResourceType_TASK {
		return got.GetName() == want.GetName() || got.GetName() == ".flytegen."+want.GetName()
	}
	return got.GetName() == want.GetName()
}

// Abort terminates an execution with TerminateExecution and cause (FlyteAdmin records it as the
// abort cause; the phase becomes ABORTING, then ABORTED). Retried as register's calls.
func (c *Client) Abort(ctx context.Context, id ID, cause string) error {
	if err := id.Validate(); err != nil {
		return err
	}
	err := c.call(ctx, func(actx context.Context) error {
		_, err := c.svc.TerminateExecution(actx, &admin.ExecutionTerminateRequest{Id: id.proto(), Cause: cause})
		return err
	})
	return wrap("TerminateExecution "+id.String(), err)
}
