package launchplan

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/task"
)

// NodeID is the id of the one node of a generated workflow (flytekit names
// nodes n0, n1, ... in call order; tools/translator.py _dnsify).
const NodeID = "n0"

// startNode is how flytekit's promises name the workflow's own inputs
// (constants.GLOBAL_INPUT_NODE_ID = ""); the compiler reads it as start-node.
const startNode = ""

func id(rt core.ResourceType, name string, s task.Settings) *core.Identifier {
	return &core.Identifier{ResourceType: rt, Project: s.Project, Domain: s.Domain, Name: name, Version: s.Version}
}

// Workflow returns the workflow generated over t, named WorkflowName(t.Name),
// and its default launch plan (same name), with s giving project, domain
// and version of every id (the zero Settings leaves them empty, as `pyflyte
// package` does). t itself is not validated (task.Task.Build does that);
// a task without a name or with a variable of the zero Type is an error.
//
// The WorkflowSpec is what flytekit v1.16.24 writes for `@workflow def
// wf(...): return t(...)` (tools/translator.py get_serializable_workflow and
// get_serializable_node): metadata {} and metadata_defaults {}; the task's
// interface; node n0 with metadata {name: the last dotted part of t.Name,
// retries: t.Retries, timeout and interruptible only when t sets them},
// every input bound by promise to the workflow input of the same name,
// upstream_node_ids and output_aliases empty, a task_node referencing t with
// empty overrides; every output bound to n0's output of the same name. The
// default launch plan has every input required (a flytedask task has no
// default values), empty fixed inputs, labels and annotations, an empty
// raw_output_data_config and entity_metadata, and flytekit's closure
// (expected_inputs and expected_outputs empty).
func Workflow(t task.Task, s task.Settings) (*admin.WorkflowSpec, *admin.LaunchPlan, error) {
	iface := t.Interface()
	if errs := checkTask(t, iface); len(errs) > 0 {
		return nil, nil, errs.Err()
	}
	wfName := WorkflowName(t.Name)
	inputs := slices.Sorted(maps.Keys(iface.GetInputs().GetVariables()))
	outputs := slices.Sorted(maps.Keys(iface.GetOutputs().GetVariables()))

	// flytekit/core/base_task.py:595-604 construct_node_metadata and
	// flytekit/models/core/workflow.py:236-249 NodeMetadata.to_flyte_idl: retries
	// always, timeout only when non-zero, interruptible only when not None.
	md := &core.NodeMetadata{Name: objName(t.Name), Retries: &core.RetryStrategy{Retries: uint32(t.Retries)}}
	if t.Timeout > 0 {
		md.Timeout = durationpb.New(t.Timeout)
	}
	if t.Interruptible != nil {
		md.InterruptibleValue = &core.NodeMetadata_Interruptible{Interruptible: *t.Interruptible}
	}
	bindings := make([]*core.Binding, len(inputs))
	for i, n := range inputs {
		bindings[i] = promise(n, startNode)
	}
	outBindings := make([]*core.Binding, len(outputs))
	for i, n := range outputs {
		outBindings[i] = promise(n, NodeID)
	}
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:        id(core.ResourceType_WORKFLOW, wfName, s),
		Metadata:  &core.WorkflowMetadata{},
		Interface: iface,
		Nodes: []*core.Node{{
			Id:              NodeID,
			Metadata:        md,
			Inputs:          bindings,
			UpstreamNodeIds: []string{},
			OutputAliases:   []*core.Alias{},
			Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
				Reference: &core.TaskNode_ReferenceId{ReferenceId: id(core.ResourceType_TASK, t.Name, s)},
				Overrides: &core.TaskNodeOverrides{},
			}},
		}},
		Outputs:          outBindings,
		MetadataDefaults: &core.WorkflowMetadataDefaults{},
	}}

	// flytekit/core/launch_plan.py:61-90 get_default_launch_plan and
	// tools/translator.py:368-401 get_serializable_launch_plan.
	lpVars := t.Interface().GetInputs().GetVariables() // the launch plan's own copy
	params := make(map[string]*core.Parameter, len(lpVars))
	for n, v := range lpVars {
		params[n] = required(v)
	}
	lp := &admin.LaunchPlan{
		Id:      id(core.ResourceType_LAUNCH_PLAN, wfName, s),
		Spec:    spec(t, s, &admin.LaunchPlanMetadata{}, params, map[string]*core.Literal{}),
		Closure: closure(),
	}
	return wf, lp, nil
}

// Build validates lp and returns the named admin.LaunchPlan over the
// workflow Workflow generates for lp.Task, with s giving project, domain and
// version of its ids. Invalid input gives a *field.ValidationError with
// every problem; see Validate.
//
// Besides the default launch plan's shape (see Workflow), as flytekit
// v1.16.24 writes a LaunchPlan.get_or_create(...): entity_metadata carries
// the schedule (cron_schedule, never the deprecated cron_expression, or
// rate; kickoff_time_input_arg) and the notifications; fixed_inputs the
// fixed values; default_inputs every input that is not fixed, with its
// default or required (flytekit/core/launch_plan.py:346 drops fixed inputs
// from the parameters); labels, annotations,
// raw_output_data_config.output_location_prefix, max_parallelism,
// security_context.run_as.k8s_service_account (only when set) and
// overwrite_cache.
func (lp LaunchPlan) Build(s task.Settings) (*admin.LaunchPlan, error) {
	c := lp.check()
	if len(c.errs) > 0 {
		return nil, c.errs.Err()
	}
	vars, fixed, defaults := c.vars, c.fixed, c.defaults
	if terrs := checkTask(lp.Task, nil); len(terrs) > 0 {
		return nil, terrs.Prefix(field.NewPath("task")).Err()
	}
	params := make(map[string]*core.Parameter, len(vars))
	for n, v := range vars {
		if _, ok := fixed.GetLiterals()[n]; ok {
			continue
		}
		if d, ok := defaults.GetLiterals()[n]; ok {
			params[n] = &core.Parameter{Var: v, Behavior: &core.Parameter_Default{Default: d}}
			continue
		}
		params[n] = required(v)
	}
	md := &admin.LaunchPlanMetadata{Schedule: lp.Schedule.proto(), Notifications: notifications(lp.Notifications)}
	sp := spec(lp.Task, s, md, params, fixed.GetLiterals())
	sp.Labels.Values = maps.Clone(lp.Labels)
	sp.Annotations.Values = maps.Clone(lp.Annotations)
	sp.RawOutputDataConfig.OutputLocationPrefix = lp.RawOutputDataPrefix
	sp.MaxParallelism = int32(lp.MaxParallelism)
	sp.OverwriteCache = lp.OverwriteCache
	if lp.ServiceAccount != "" {
		sp.SecurityContext = &core.SecurityContext{RunAs: &core.Identity{K8SServiceAccount: lp.ServiceAccount}}
	}
	return &admin.LaunchPlan{Id: id(core.ResourceType_LAUNCH_PLAN, lp.Name, s), Spec: sp, Closure: closure()}, nil
}

func spec(t task.Task, s task.Settings, md *admin.LaunchPlanMetadata, params map[string]*core.Parameter, fixed map[string]*core.Literal) *admin.LaunchPlanSpec {
	return &admin.LaunchPlanSpec{
		WorkflowId:          id(core.ResourceType_WORKFLOW, WorkflowName(t.Name), s),
		EntityMetadata:      md,
		DefaultInputs:       &core.ParameterMap{Parameters: params},
		FixedInputs:         &core.LiteralMap{Literals: fixed},
		Labels:              &admin.Labels{},
		Annotations:         &admin.Annotations{},
		RawOutputDataConfig: &admin.RawOutputDataConfig{},
	}
}

// closure is flytekit's LaunchPlanClosure(state=None, expected_inputs={},
// expected_outputs={}) (tools/translator.py:397-401); FlyteAdmin ignores it.
func closure() *admin.LaunchPlanClosure {
	return &admin.LaunchPlanClosure{ExpectedInputs: &core.ParameterMap{}, ExpectedOutputs: &core.VariableMap{}}
}

func required(v *core.Variable) *core.Parameter {
	return &core.Parameter{Var: v, Behavior: &core.Parameter_Required{Required: true}}
}

func promise(v, node string) *core.Binding {
	return &core.Binding{Var: v, Binding: &core.BindingData{Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: node, Var: v}}}}
}

// objName is flytekit's extract_obj_name (flytekit/core/promise.py:1148):
// the last dotted part of a name.
func objName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// checkTask reports what Workflow cannot build from: a task without a name,
// variables without a type. iface may be nil (it is then built).
func checkTask(t task.Task, iface *core.TypedInterface) field.ErrorList {
	var errs field.ErrorList
	if t.Name == "" {
		errs = append(errs, field.Required(field.NewPath("name"), "the task name is required"))
	}
	for _, group := range []struct {
		name string
		vars []task.Variable
	}{{"inputs", t.Inputs}, {"outputs", t.Outputs}} {
		for _, v := range group.vars {
			if v.Type.IsZero() {
				errs = append(errs, field.Required(field.NewPath(group.name).Key(v.Name), fmt.Sprintf("variable %s has no type", v.Name)))
			}
		}
	}
	return errs
}

// proto renders the schedule as flytekit's models/schedule.py writes it.
func (s *Schedule) proto() *admin.Schedule {
	if s == nil {
		return nil
	}
	out := &admin.Schedule{KickoffTimeInputArg: s.KickoffTimeInput}
	if s.Cron != "" {
		out.ScheduleExpression = &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: s.Cron}}
		return out
	}
	out.ScheduleExpression = &admin.Schedule_Rate{Rate: rate(s.FixedRate)}
	return out
}

// rate is flytekit's FixedRate._translate_duration (flytekit/core/schedule.py:178-205):
// whole days as DAY, else whole hours as HOUR, else MINUTE.
func rate(d time.Duration) *admin.FixedRate {
	const day = 24 * time.Hour
	switch {
	case d%day == 0:
		return &admin.FixedRate{Value: uint32(d / day), Unit: admin.FixedRateUnit_DAY}
	case d%time.Hour == 0:
		return &admin.FixedRate{Value: uint32(d / time.Hour), Unit: admin.FixedRateUnit_HOUR}
	}
	return &admin.FixedRate{Value: uint32(d / time.Minute), Unit: admin.FixedRateUnit_MINUTE}
}

func phaseProto(p Phase) core.WorkflowExecution_Phase {
	switch p {
	case Succeeded:
		return core.WorkflowExecution_SUCCEEDED
	case Failed:
		return core.WorkflowExecution_FAILED
	case Aborted:
		return core.WorkflowExecution_ABORTED
	case TimedOut:
		return core.WorkflowExecution_TIMED_OUT
	}
	return 0
}

// notifications renders flytekit's Email / PagerDuty / Slack notifications
// (flytekit/core/notification.py, models/common.py).
func notifications(ns []Notification) []*admin.Notification {
	if len(ns) == 0 {
		return nil
	}
	out := make([]*admin.Notification, len(ns))
	for i, n := range ns {
		phases := make([]core.WorkflowExecution_Phase, len(n.Phases))
		for j, p := range n.Phases {
			phases[j] = phaseProto(p)
		}
		an := &admin.Notification{Phases: phases}
		switch {
		case n.Email != nil:
			an.Type = &admin.Notification_Email{Email: &admin.EmailNotification{RecipientsEmail: append([]string(nil), n.Email...)}}
		case n.Slack != nil:
			an.Type = &admin.Notification_Slack{Slack: &admin.SlackNotification{RecipientsEmail: append([]string(nil), n.Slack...)}}
		default:
			an.Type = &admin.Notification_PagerDuty{PagerDuty: &admin.PagerDutyNotification{RecipientsEmail: append([]string(nil), n.PagerDuty...)}}
		}
		out[i] = an
	}
	return out
}
