// Package launchplan builds Flyte launch plans over Dask tasks: the
// schedules (cron or fixed rate), fixed and default inputs, notifications,
// labels and execution settings of "run this Dask job every night at 02:30
// with these inputs, alerting on failure", without Python.
//
// A launch plan launches a workflow, not a task. For a task T, Workflow
// builds what pyflyte writes for
//
//	@workflow
//	def T_wf(...):            # the task's inputs
//	    return T(...)         # one node, n0, every input bound to it
//
// named WorkflowName(T) = T + "_wf": the admin.WorkflowSpec (the task's
// interface, one task node n0 whose inputs are bound by promise to the
// workflow's inputs and whose outputs are the workflow's outputs) and the
// workflow's default launch plan, named like the workflow, which pyflyte
// always writes next to a workflow. LaunchPlan.Build builds a named launch
// plan over that workflow. Several launch plans over one task share the
// workflow and its default launch plan.
//
// Every message is written field by field as flytekit v1.16.24 serialises
// it (tools/translator.py), so FlyteAdmin, flytectl and the console treat
// them like pyflyte's. Identifiers carry project, domain and version from
// task.Settings; the zero Settings leaves them empty, as `pyflyte package`
// does, for registration to fill.
//
// Validation reports every problem at once, each with the path of its field
// as written in a flytedask spec's launch_plans entry (schedule.cron,
// fixed_inputs[n], notifications[0].phases[1], ...): what FlyteAdmin or its
// native scheduler would refuse, and what they would accept but never run
// (a cron the scheduler cannot parse, a required input nobody supplies on
// schedule, a kickoff input under a fixed rate without a default, ...).
// Warnings report what is legal but has no effect.
//
// Input values are Go values converted by package literal against the task's
// interface: integers, floats, strings, booleans, time.Time and RFC 3339
// strings for datetimes, time.Duration and Go duration strings for
// durations, URIs for files and directories, slices and string-keyed maps.
//
// Schedules: Cron takes what FlyteAdmin's native scheduler parses
// (robfig/cron's ParseStandard: five fields, @daily-style descriptors,
// @every, an optional CRON_TZ= prefix); it runs in the scheduler's local
// time zone unless its useUTCTz is set or the expression names a zone with
// CRON_TZ=. flytekit's cron offset is not offered: the native scheduler
// stores no offset and ignores it. The deprecated AWS six-field
// cron_expression is never written: the native scheduler refuses to activate
// it.
package launchplan

import (
	"time"

	"github.com/flytedask/flytedask/task"
)

// WorkflowSuffix is appended to a task's name to name the workflow (and its
// default launch plan) generated over it.
const WorkflowSuffix = "_wf"

// WorkflowName returns the name of the workflow generated over the task
// named taskName, which is also the name of its default launch plan.
func WorkflowName(taskName string) string { return taskName + WorkflowSuffix }

// LaunchPlan is a named launch plan over a Dask task. Only Name and Task are
// required; every other zero value means "not set".
type LaunchPlan struct {
	// Name of the launch plan, e.g. nightly_etl. It must be URL-safe and
	// differ from the generated workflow's name (WorkflowName of the task),
	// which the default launch plan has.
	Name string
	// Task is the Dask task the launch plan runs (through the workflow
	// Workflow generates for it). Its inputs are the launch plan's inputs.
	Task task.Task
	// Schedule, when set, runs the launch plan on a schedule once it is
	// activated.
	Schedule *Schedule
	// FixedInputs are input values every execution gets; they cannot be
	// overridden at launch.
	FixedInputs map[string]any
	// DefaultInputs are input values an execution gets unless it sets its
	// own.
	DefaultInputs map[string]any
	// Notifications are sent when an execution reaches one of their phases.
	Notifications []Notification
	// Labels are put on the executions (Kubernetes label rules; at most 16).
	Labels map[string]string
	// Annotations are put on the executions (Kubernetes annotation keys).
	Annotations map[string]string
	// ServiceAccount is the Kubernetes service account the executions run as
	// (security_context.run_as.k8s_service_account).
	ServiceAccount string
	// RawOutputDataPrefix is where the executions write offloaded data
	// (files, directories, large literals), e.g. s3://bucket/raw
	// (raw_output_data_config.output_location_prefix).
	RawOutputDataPrefix string
	// MaxParallelism bounds the nodes an execution runs at once; 0 leaves
	// it to the platform.
	MaxParallelism int
	// OverwriteCache makes the executions recompute cached task outputs.
	OverwriteCache bool
}

// Schedule says when an active launch plan runs: exactly one of Cron and
// FixedRate.
type Schedule struct {
	// Cron is a schedule in standard cron syntax as FlyteAdmin's native
	// scheduler parses it: five fields ("30 2 * * *": minute, hour, day of
	// month, month, day of week), a descriptor (@hourly, @daily, @weekly,
	// @monthly, @yearly, @every 90m), optionally after CRON_TZ=Zone.
	Cron string
	// FixedRate runs the launch plan every FixedRate: a positive whole
	// number of minutes. It is written as flytekit's FixedRate(timedelta)
	// writes it, in the largest whole unit (24h is 1 DAY, 90m is 90
	// MINUTE).
	FixedRate time.Duration
	// KickoffTimeInput names a datetime input of the task that the
	// scheduler sets to the scheduled time of each run. FlyteAdmin's
	// scheduler fills it only for cron schedules: under a fixed rate it
	// needs a default value (DefaultInputs).
	KickoffTimeInput string
}

// Phase is a terminal execution phase a notification is sent on.
type Phase string

// The phases notifications accept: the terminal ones.
const (
	Succeeded Phase = "succeeded"
	Failed    Phase = "failed"
	Aborted   Phase = "aborted"
	TimedOut  Phase = "timed_out"
)

// Phases are the valid phases, in FlyteIDL's order.
var Phases = []Phase{Succeeded, Failed, Aborted, TimedOut}

// Notification sends a message to recipients when an execution ends in one
// of Phases. Exactly one of Email, Slack and PagerDuty must be set: the IDL
// carries one kind per notification (use several notifications for several
// kinds). Delivery needs FlyteAdmin's notifications to be configured.
type Notification struct {
	// Phases are the terminal phases that trigger the notification.
	Phases []Phase
	// Email addresses.
	Email []string
	// Slack recipients (as FlyteAdmin's Slack integration names them).
	Slack []string
	// PagerDuty recipients (PagerDuty integration email addresses).
	PagerDuty []string
}
