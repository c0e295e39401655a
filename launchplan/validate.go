package launchplan

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/adminrule"
	"github.com/flytedask/flytedask/literal"
)

// MaxLabels is the most labels FlyteAdmin accepts on a launch plan
// (maxLabelArrayLength in flyteadmin's validation).
const MaxLabels = 16

// Validate returns nil when lp can be built, and otherwise a
// *field.ValidationError with every problem, each with the path of its field
// as written in a spec's launch_plans entry (name, schedule.cron,
// fixed_inputs[n], notifications[0].email[1], ...). The task itself is not
// validated here (task.Task.Validate does that); its inputs are what the
// launch plan's inputs are checked against.
func (lp LaunchPlan) Validate() error {
	c := lp.check()
	return c.errs.Err()
}

// checked is the result of check: the problems, or the task's input
// variables and the converted fixed and default inputs.
type checked struct {
	errs            field.ErrorList
	vars            map[string]*core.Variable
	fixed, defaults *core.LiteralMap
}

// check validates lp and converts its inputs.
func (lp LaunchPlan) check() checked {
	var errs field.ErrorList
	add := func(e *field.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	add(nameProblem(field.NewPath("name"), lp.Name, "launch plan"))
	if lp.Task.Name == "" {
		add(field.Required(field.NewPath("task"), "the launch plan needs a task (with a name)"))
	} else if lp.Name != "" && lp.Name == WorkflowName(lp.Task.Name) {
		add(field.Invalid(field.NewPath("name"), lp.Name, fmt.Sprintf(
			"%q is the name of the workflow generated for task %s and of its default launch plan: choose another name", lp.Name, lp.Task.Name)))
	}

	vars := lp.Task.Interface().GetInputs().GetVariables()
	fixed, ferr := literal.Map(field.NewPath("fixed_inputs"), vars, lp.FixedInputs)
	errs = append(errs, fieldErrors(ferr)...)
	defaults, derr := literal.Map(field.NewPath("default_inputs"), vars, lp.DefaultInputs)
	errs = append(errs, fieldErrors(derr)...)
	for _, n := range slices.Sorted(maps.Keys(lp.DefaultInputs)) {
		if _, ok := lp.FixedInputs[n]; ok {
			add(field.Forbidden(field.NewPath("default_inputs").Key(n), fmt.Sprintf(
				"%s is also a fixed input, which cannot be overridden, so a default would never be used: keep only one", n)))
		}
	}

	if s := lp.Schedule; s != nil {
		errs = append(errs, lp.checkSchedule(s, vars)...)
	}
	for i, n := range lp.Notifications {
		errs = append(errs, n.check(field.NewPath("notifications").Index(i))...)
	}
	errs = append(errs, checkLabels(field.NewPath("labels"), lp.Labels)...)
	errs = append(errs, checkAnnotations(field.NewPath("annotations"), lp.Annotations)...)
	if sa := lp.ServiceAccount; sa != "" {
		for _, msg := range validation.IsDNS1123Subdomain(sa) {
			add(field.Invalid(field.NewPath("service_account"), sa, "not a Kubernetes service account name: "+msg))
		}
	}
	if p := lp.RawOutputDataPrefix; p != "" {
		if u, err := url.Parse(p); err != nil || u.Scheme == "" || !strings.Contains(p, "://") {
			add(field.Invalid(field.NewPath("raw_output_data_prefix"), p, fmt.Sprintf(
				"%q is not a storage URI: give a prefix such as s3://bucket/raw-data or gs://bucket/raw-data", p)))
		}
	}
	if lp.MaxParallelism < 0 || lp.MaxParallelism > math.MaxInt32 {
		add(field.Invalid(field.NewPath("max_parallelism"), lp.MaxParallelism, fmt.Sprintf(
			"max_parallelism must be from 0 (the platform's default) to %d", math.MaxInt32)))
	}
	if len(errs) > 0 {
		return checked{errs: errs}
	}
	return checked{vars: vars, fixed: fixed, defaults: defaults}
}

func (lp LaunchPlan) checkSchedule(s *Schedule, vars map[string]*core.Variable) field.ErrorList {
	var errs field.ErrorList
	sp := field.NewPath("schedule")
	switch {
	case s.Cron != "" && s.FixedRate != 0:
		errs = append(errs, field.Forbidden(sp.Child("fixed_rate"), "set either cron or fixed_rate, not both"))
	case s.Cron == "" && s.FixedRate == 0:
		errs = append(errs, field.Required(sp, "a schedule needs cron (e.g. \"30 2 * * *\") or fixed_rate (e.g. 10m)"))
	case s.Cron != "":
		if msg := cronProblem(s.Cron); msg != "" {
			errs = append(errs, field.Invalid(sp.Child("cron"), s.Cron, msg))
		}
	default:
		if msg := rateProblem(s.FixedRate); msg != "" {
			errs = append(errs, field.Invalid(sp.Child("fixed_rate"), s.FixedRate.String(), msg))
		}
	}

	kick := s.KickoffTimeInput
	if kick != "" {
		kp := sp.Child("kickoff_time_input")
		v, ok := vars[kick]
		_, fixed := lp.FixedInputs[kick]
		_, defaulted := lp.DefaultInputs[kick]
		switch {
		case !ok:
			errs = append(errs, field.Invalid(kp, kick, fmt.Sprintf("%q is not an input of task %s; %s", kick, lp.Task.Name, datetimeInputs(vars))))
		case v.GetType().GetSimple() != core.SimpleType_DATETIME || v.GetType().GetType() == nil:
			errs = append(errs, field.Invalid(kp, kick, fmt.Sprintf("input %s is %s: the kickoff time input must be a datetime input; %s", kick, literal.TypeString(v.GetType()), datetimeInputs(vars))))
		case fixed:
			errs = append(errs, field.Forbidden(kp, fmt.Sprintf("input %s is fixed: the scheduler cannot set a fixed input; remove it from fixed_inputs", kick)))
		case s.Cron == "" && !defaulted:
			errs = append(errs, field.Required(kp, fmt.Sprintf(
				"FlyteAdmin's scheduler sets the kickoff time input only for cron schedules, so under fixed_rate input %s needs a value in default_inputs (or use cron)", kick)))
		}
	}
	for _, n := range literal.Names(vars) {
		_, fixed := lp.FixedInputs[n]
		_, defaulted := lp.DefaultInputs[n]
		if fixed || defaulted || n == kick { // the kickoff input has its own checks above
			continue
		}
		errs = append(errs, field.Required(sp, fmt.Sprintf(
			"input %s (%s) is required, but a scheduled run has nobody to give it: set it in fixed_inputs or default_inputs", n, literal.TypeString(vars[n].GetType()))))
	}
	return errs
}

func datetimeInputs(vars map[string]*core.Variable) string {
	var names []string
	for _, n := range literal.Names(vars) {
		if vars[n].GetType().GetSimple() == core.SimpleType_DATETIME && vars[n].GetType().GetType() != nil {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "the task has no datetime input: add one (e.g. run_at: datetime) or drop kickoff_time_input"
	}
	return "its datetime inputs are " + strings.Join(names, ", ")
}

// rateProblem returns why d is not a fixed rate the scheduler can run, or "".
func rateProblem(d time.Duration) string {
	switch {
	case d <= 0:
		return fmt.Sprintf("a fixed rate must be positive, got %s", d)
	case d%time.Minute != 0:
		return fmt.Sprintf("a fixed rate must be a whole number of minutes (FlyteAdmin's units are minutes, hours and days), got %s", d)
	case d/time.Minute > math.MaxUint32:
		return fmt.Sprintf("a fixed rate of %s is too long", d)
	}
	return ""
}

func (n Notification) check(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(n.Phases) == 0 {
		errs = append(errs, field.Required(p.Child("phases"), "a notification needs phases: any of succeeded, failed, aborted, timed_out"))
	}
	valid := make([]string, len(Phases))
	for i, ph := range Phases {
		valid[i] = string(ph)
	}
	for i, ph := range n.Phases {
		if phaseProto(ph) == 0 {
			e := field.NotSupported(p.Child("phases").Index(i), string(ph), valid)
			e.Detail += ": notifications are sent only when an execution ends"
			errs = append(errs, e)
		}
	}
	kinds := 0
	for _, k := range []struct {
		name string
		list []string
	}{{"email", n.Email}, {"slack", n.Slack}, {"pagerduty", n.PagerDuty}} {
		if k.list == nil {
			continue
		}
		kinds++
		kp := p.Child(k.name)
		if kinds > 1 {
			errs = append(errs, field.Forbidden(kp, "a notification has one kind of recipients: put email, slack and pagerduty in separate notifications"))
			continue
		}
		if len(k.list) == 0 {
			errs = append(errs, field.Required(kp, "the recipient list is empty: give at least one recipient"))
		}
		for i, r := range k.list {
			if strings.TrimSpace(r) == "" {
				errs = append(errs, field.Required(kp.Index(i), "the recipient is empty"))
			}
		}
	}
	if kinds == 0 {
		errs = append(errs, field.Required(p, "a notification needs recipients: set email, slack or pagerduty"))
	}
	return errs
}

// nameProblem checks an entity name as FlyteAdmin serves it in URL paths
// (/api/v1/launch_plans/{project}/{domain}/{name}/{version}).
func nameProblem(p *field.Path, name, what string) *field.Error {
	switch {
	case name == "":
		return field.Required(p, fmt.Sprintf("the %s name is required, e.g. nightly_etl", what))
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return field.Invalid(p, name, fmt.Sprintf("%s name %q contains white space or control characters", what, name))
	case strings.ContainsAny(name, adminrule.URLUnsafe):
		i := strings.IndexAny(name, adminrule.URLUnsafe)
		return field.Invalid(p, name, fmt.Sprintf("%s name %q contains %q: names must be URL-safe, without any of %s (FlyteAdmin serves launch plans at /api/v1/launch_plans/{project}/{domain}/{name}/{version})",
			what, name, name[i:i+1], adminrule.URLUnsafe))
	case url.QueryEscape(name) != name:
		return field.Invalid(p, name, fmt.Sprintf("%s name %q is not URL-safe ('%%' and non-ASCII characters are escaped in URLs): use letters, digits, '.', '-' and '_'", what, name))
	}
	return nil
}

// checkLabels applies FlyteAdmin's launch plan label rules (at most
// MaxLabels; Kubernetes qualified-name keys and label values).
func checkLabels(p *field.Path, labels map[string]string) field.ErrorList {
	var errs field.ErrorList
	if len(labels) > MaxLabels {
		errs = append(errs, field.Invalid(p, len(labels), fmt.Sprintf("%d labels: FlyteAdmin accepts at most %d", len(labels), MaxLabels)))
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p.Key(k), k, "invalid label key: "+msg))
		}
		for _, msg := range validation.IsValidLabelValue(labels[k]) {
			errs = append(errs, field.Invalid(p.Key(k), labels[k], "invalid label value: "+msg))
		}
	}
	return errs
}

// checkAnnotations checks Kubernetes annotation keys, as the API server does
// for the execution's objects.
func checkAnnotations(p *field.Path, annotations map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(p.Key(k), k, "invalid annotation key: "+msg))
		}
	}
	return errs
}

func fieldErrors(err error) field.ErrorList {
	if err == nil {
		return nil
	}
	var verr *field.ValidationError
	if errors.As(err, &verr) {
		return verr.Errors
	}
	return field.ErrorList{{Type: field.ErrorTypeInvalid, Detail: err.Error()}}
}

// Warnings returns what is legal in lp but has no effect, with the paths of
// Validate. They never make Build fail.
func (lp LaunchPlan) Warnings() field.Warnings {
	var ws field.Warnings
	if s := lp.Schedule; s != nil && s.Cron != "" && s.KickoffTimeInput != "" {
		if _, ok := lp.DefaultInputs[s.KickoffTimeInput]; ok {
			ws.Add(field.NewPath("default_inputs").Key(s.KickoffTimeInput), "kickoff-default-unused",
				"the cron scheduler sets the kickoff time input on every scheduled run, so this default is used only by manual launches")
		}
	}
	if lp.OverwriteCache && lp.Task.Cache == nil {
		ws.Add(field.NewPath("overwrite_cache"), "overwrite-cache-no-cache",
			fmt.Sprintf("task %s is not cached, so overwrite_cache has no effect", lp.Task.Name))
	}
	if lp.MaxParallelism > 1 {
		ws.Add(field.NewPath("max_parallelism"), "max-parallelism-one-node",
			"the generated workflow has one node, so a max_parallelism above 1 has no effect (the Dask workers are not nodes)")
	}
	return ws
}
