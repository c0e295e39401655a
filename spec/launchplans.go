package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	yaml "go.yaml.in/yaml/v3"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/launchplan"
	"github.com/flytedask/flytedask/literal"
)

// lpKeys are the keys of a launch_plans entry, in the order of the format
// reference.
var lpKeys = []string{
	"name", "task", "schedule", "fixed_inputs", "default_inputs", "notifications", "labels", "annotations",
	"service_account", "raw_output_data_prefix", "max_parallelism", "overwrite_cache",
}

// lpResult is one decoded launch_plans entry.
type lpResult struct {
	lp     launchplan.LaunchPlan
	task   string // the task name it refers to ("" when absent or not a string)
	origin lpOrigin
	probs  problems
	// hasName, hasTask: the name and task keys are written (whatever their value).
	hasName, hasTask bool
}

// lpOrigin is where a launch plan was written.
type lpOrigin struct {
	file  string
	index int
	line  int
}

func (o lpOrigin) path() *field.Path { return field.NewPath("launch_plans").Index(o.index) }

// launchPlans decodes the launch_plans list of a file.
func (w *walker) launchPlans(n *yaml.Node, file string) []lpResult {
	p := field.NewPath("launch_plans")
	if n.Kind != yaml.SequenceNode {
		w.wrongType(n, p, "a list of launch plans")
		return nil
	}
	out := make([]lpResult, 0, len(n.Content))
	saved := w.out
	defer func() { w.out = saved }()
	for i, item := range n.Content {
		r := lpResult{origin: lpOrigin{file: file, index: i, line: item.Line}}
		w.out = &r.probs
		item = w.resolve(item)
		ip := p.Index(i)
		w.mark(ip, item.Line)
		if isNull(item) {
			w.wrongType(item, ip, "a launch plan mapping, e.g. {name: nightly, task: my.task, schedule: {cron: \"30 2 * * *\"}}")
		} else {
			w.launchPlan(item, ip, &r)
			if !r.hasName && !r.probs.blocking {
				w.fail(item, ip.Child("name"), field.ErrorTypeRequired, false, "a launch plan needs a name, e.g. nightly_etl")
			}
			if !r.hasTask && !r.probs.blocking {
				w.fail(item, ip.Child("task"), field.ErrorTypeRequired, false, "a launch plan needs the name of a task of the spec")
			}
		}
		out = append(out, r)
	}
	return out
}

func (w *walker) launchPlan(n *yaml.Node, p *field.Path, r *lpResult) {
	lp := &r.lp
	w.fields(n, p, lpKeys, nil, func(key string, v *yaml.Node, kp *field.Path) {
		switch key {
		case "name":
			r.hasName = true
			lp.Name = deref(w.strPtr(v, kp))
		case "task":
			r.hasTask = true
			r.task = deref(w.strPtr(v, kp))
		case "schedule":
			lp.Schedule = w.schedule(v, kp)
		case "fixed_inputs":
			lp.FixedInputs = w.inputValues(v, kp)
		case "default_inputs":
			lp.DefaultInputs = w.inputValues(v, kp)
		case "notifications":
			lp.Notifications = w.notifications(v, kp)
		case "labels":
			lp.Labels = w.stringMap(v, kp)
		case "annotations":
			lp.Annotations = w.stringMap(v, kp)
		case "service_account":
			lp.ServiceAccount = deref(w.strPtr(v, kp))
		case "raw_output_data_prefix":
			lp.RawOutputDataPrefix = deref(w.strPtr(v, kp))
		case "max_parallelism":
			lp.MaxParallelism, _ = w.integer(v, kp)
		case "overwrite_cache":
			lp.OverwriteCache, _ = w.boolean(v, kp)
		}
	})
}

func (w *walker) schedule(n *yaml.Node, p *field.Path) *launchplan.Schedule {
	s := &launchplan.Schedule{}
	w.fields(n, p, []string{"cron", "fixed_rate", "kickoff_time_input"}, nil, func(key string, v *yaml.Node, kp *field.Path) {
		switch key {
		case "cron":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
				w.wrongType(v, kp, `a cron schedule string, e.g. "30 2 * * *" or "@daily"`)
				return
			}
			s.Cron = v.Value
			if strings.TrimSpace(v.Value) == "" {
				w.fail(v, kp, field.ErrorTypeRequired, true, `the cron schedule is empty: write five fields such as "30 2 * * *", or @daily`)
			}
		case "fixed_rate":
			if d, ok := w.fixedRate(v, kp); ok {
				s.FixedRate = d
			}
		case "kickoff_time_input":
			s.KickoffTimeInput = deref(w.strPtr(v, kp))
		}
	})
	return s
}

// maxRateMinutes is the longest fixed rate a time.Duration holds (about 292 years).
const maxRateMinutes = int64(1<<63-1) / int64(time.Minute)

var (
	rateTerm    = regexp.MustCompile(`^([0-9]+)(d|h|m)`)
	rateSeconds = regexp.MustCompile(`^[0-9]+(s|ms|us|µs|ns)`)
)

// fixedRate reads a fixed rate such as 10m, 2h, 1d or 1h30m: whole numbers
// of days, hours and minutes.
func (w *walker) fixedRate(n *yaml.Node, p *field.Path) (time.Duration, bool) {
	const help = "write a whole number of minutes, hours or days, e.g. 10m, 2h, 1d or 1h30m"
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" || n.ShortTag() == "!!null" {
		w.wrongType(n, p, "a fixed rate such as 10m, 2h or 1d")
		return 0, false
	}
	if n.ShortTag() == "!!int" || n.ShortTag() == "!!float" {
		w.fail(n, p, field.ErrorTypeInvalid, true, "fixed rate %s has no unit: %s", n.Value, help)
		return 0, false
	}
	rest := strings.TrimSpace(n.Value)
	if rest == "" {
		w.fail(n, p, field.ErrorTypeInvalid, true, "the fixed rate is empty: %s", help)
		return 0, false
	}
	var minutes int64
	for rest != "" {
		m := rateTerm.FindStringSubmatch(rest)
		if m == nil {
			msg := fmt.Sprintf("invalid fixed rate %q: %s", n.Value, help)
			switch {
			case strings.ContainsAny(rest, ".,"):
				msg = fmt.Sprintf("invalid fixed rate %q: FlyteAdmin runs whole minutes, hours or days only; %s", n.Value, help)
			case rateSeconds.MatchString(rest):
				msg = fmt.Sprintf("invalid fixed rate %q: FlyteAdmin's fixed rates are whole minutes, hours or days (no seconds); %s", n.Value, help)
			}
			w.fail(n, p, field.ErrorTypeInvalid, true, "%s", msg)
			return 0, false
		}
		v, err := strconv.ParseInt(m[1], 10, 32)
		minutes += v * map[string]int64{"d": 24 * 60, "h": 60, "m": 1}[m[2]]
		if err != nil || minutes > maxRateMinutes {
			w.fail(n, p, field.ErrorTypeInvalid, true, "fixed rate %q is too long: at most %d minutes", n.Value, int64(maxRateMinutes))
			return 0, false
		}
		rest = rest[len(m[0]):]
	}
	total := time.Duration(minutes) * time.Minute
	if total == 0 {
		w.fail(n, p, field.ErrorTypeInvalid, true, "a fixed rate must be positive, got %q: %s", n.Value, help)
		return 0, false
	}
	return total, true
}

func (w *walker) notifications(n *yaml.Node, p *field.Path) []launchplan.Notification {
	return mappingList(w, n, p, "a list of notifications, e.g. [{phases: [failed], email: [oncall@example.com]}]", "a notification mapping, e.g. {phases: [failed], email: [oncall@example.com]}",
		[]string{"phases", "email", "slack", "pagerduty"}, map[string]string{"pager_duty": "pagerduty"}, func(nt *launchplan.Notification, key string, v *yaml.Node, kp *field.Path) {
			list := deref(w.strList(v, kp))
			if list == nil {
				list = []string{} // present: an empty list is reported by validation
			}
			switch key {
			case "phases":
				for _, ph := range list {
					nt.Phases = append(nt.Phases, launchplan.Phase(ph))
				}
			case "email":
				nt.Email = list
			case "slack":
				nt.Slack = list
			case "pagerduty":
				nt.PagerDuty = list
			}
		})
}

// inputValues reads a mapping of input names to values as Go values for
// package literal: integers as int64 (json.Number when beyond 64 bits, so
// the range is reported), floats as float64, booleans, strings (timestamps
// as written), lists and mappings.
func (w *walker) inputValues(n *yaml.Node, p *field.Path) map[string]any {
	out := map[string]any{}
	w.mapEntries(n, p, "a mapping of input names to values, e.g. {n: 3, run_at: 2026-01-02T03:04:05Z}", func(key string, v *yaml.Node, kp *field.Path) {
		if val, ok := w.value(v, kp, 0); ok {
			out[key] = val
		}
	})
	return out
}

// maxValueDepth bounds the nesting of input values (a self-referencing
// alias would otherwise nest without end).
const maxValueDepth = literal.MaxDepth

func (w *walker) value(n *yaml.Node, p *field.Path, depth int) (any, bool) {
	n = w.resolve(n)
	if depth > maxValueDepth && (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) {
		w.fail(n, p, field.ErrorTypeInvalid, true, "the value is nested deeper than %d levels", maxValueDepth)
		return nil, false
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		ok := true
		for i, item := range n.Content {
			w.mark(p.Index(i), item.Line)
			v, good := w.value(item, p.Index(i), depth+1)
			out[i], ok = v, ok && good
		}
		return out, ok
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		ok := true
		w.entries(n, p, p.Key, func(key string, v *yaml.Node, kp *field.Path) {
			val, good := w.value(v, kp, depth+1)
			out[key], ok = val, ok && good
		})
		return out, ok
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, true
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b, true
			}
		case "!!int":
			var i int64
			if n.Decode(&i) == nil {
				return i, true
			}
			if d, ok := bigInt(n); ok {
				return json.Number(d), true
			}
			return json.Number(n.Value), true
		case "!!float":
			if d, ok := bigInt(n); ok {
				return json.Number(d), true // an integer beyond 64 bits: literal reports the range
			}
			var f float64
			if n.Decode(&f) == nil {
				return f, true
			}
		case "!!str", "!!timestamp":
			return n.Value, true
		}
	}
	w.wrongType(n, p, "a value: a number, string, boolean, list or mapping")
	return nil, false
}

// resolveLaunchPlans links each decoded launch plan to its task, validates
// it (unless opts.SkipValidation) and appends the plans to s and their
// problems to all, file by file and launch plan by launch plan.
func (s *Spec) resolveLaunchPlans(files []*fileResult, opts Options, all *[]Problem) {
	byName := map[string]int{}
	for i, t := range s.Tasks {
		if _, dup := byName[t.Name]; !dup {
			byName[t.Name] = i
		}
	}
	withLPs := map[string]bool{}
	for _, f := range files {
		for _, r := range f.lps {
			withLPs[r.task] = true
		}
	}
	seen := map[string]lpOrigin{}
	for _, f := range files {
		for _, r := range f.lps {
			o := r.origin
			p := o.path()
			probs := append([]Problem(nil), r.probs.list...)
			add := func(path string, typ field.ErrorType, msg string) {
				probs = append(probs, Problem{File: o.file, Line: lineOf(f.lineMap(), path, o.line), Path: path, Type: typ, Message: msg})
			}
			lp := r.lp
			ti, known := byName[r.task]
			if r.task != "" && !known {
				msg := fmt.Sprintf("unknown task %q: a launch plan runs a task of the spec", r.task)
				if c := closest(r.task, taskNames(s)); c != "" {
					msg += fmt.Sprintf("; did you mean %s?", c)
				} else if len(s.Tasks) > 0 {
					msg += "; the tasks are " + strings.Join(taskNames(s), ", ")
				}
				add(p.Child("task").String(), field.ErrorTypeNotSupported, msg)
			}
			if known {
				lp.Task = s.Tasks[ti]
			}
			if lp.Name != "" {
				np := p.Child("name").String()
				if prev, dup := seen[lp.Name]; dup {
					where := prev.path().String()
					if s.withFiles {
						where = prev.file + ": " + where
					}
					add(np, field.ErrorTypeDuplicate, fmt.Sprintf("duplicate launch plan name %q: also defined at %s (line %d)", lp.Name, where, prev.line))
				} else {
					seen[lp.Name] = o
				}
				for _, t := range s.Tasks {
					if t.Name != lp.Task.Name && withLPs[t.Name] && lp.Name == launchplan.WorkflowName(t.Name) {
						add(np, field.ErrorTypeInvalid, fmt.Sprintf("%q is the name of the workflow generated for task %s and of its default launch plan: choose another name", lp.Name, t.Name))
					}
				}
			}
			if !opts.SkipValidation && !f.top.blocking {
				check := lp
				if !known {
					// Without its task only what does not depend on the task's inputs can be checked.
					check.FixedInputs, check.DefaultInputs = nil, nil
					if check.Schedule != nil {
						sc := *check.Schedule
						sc.KickoffTimeInput = ""
						check.Schedule = &sc
					}
				}
				for _, e := range fieldErrors(check.Validate()) {
					if !known && e.Field == "task" {
						continue // reported above
					}
					if r.probs.blocking && e.Field == "schedule" {
						continue // a required input may sit in inputs that could not be decoded
					}
					path := p.Join(e.Field)
					if overlapsAny(path, r.probs.list) {
						continue
					}
					add(path, e.Type, e.Detail)
				}
			}
			sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
			*all = append(*all, probs...)
			s.LaunchPlans = append(s.LaunchPlans, lp)
			s.lpOrigins = append(s.lpOrigins, o)
		}
	}
}

func taskNames(s *Spec) []string {
	out := make([]string, 0, len(s.Tasks))
	for _, t := range s.Tasks {
		out = append(out, t.Name)
	}
	return out
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

// lpOrigin returns where launch plan i was written, or only its index for
// a Spec built by hand.
func (s *Spec) lpOrigin(i int) lpOrigin {
	if i < len(s.lpOrigins) {
		return s.lpOrigins[i]
	}
	return lpOrigin{index: i}
}

// BuildEntities returns everything the spec registers, in registration
// order: the admin.TaskSpec of every task (as Build), then the workflow
// generated for each task that has launch plans (in task order; see
// launchplan.Workflow), then, for each of those workflows in the same
// order, its default launch plan followed by the task's launch plans in
// spec order. All are built with s.Settings. A launch plan whose task is
// not among s.Tasks, or that does not validate, is an *Error with
// launch_plans[i] paths.
func (s *Spec) BuildEntities() (bundle.Entities, error) {
	tasks, err := s.Build()
	if err != nil {
		return bundle.Entities{}, err
	}
	return s.entities(tasks)
}

// entities is BuildEntities with the tasks' TaskSpecs already built (s.Tasks in order).
func (s *Spec) entities(tasks []*admin.TaskSpec) (bundle.Entities, error) {
	var probs []Problem
	lines := s.lineTables()
	index := make(map[string]int, len(s.Tasks))
	for i, t := range s.Tasks {
		index[t.Name] = i
	}
	byTask := make([][]int, len(s.Tasks))
	for i, lp := range s.LaunchPlans {
		ti, ok := index[lp.Task.Name]
		if !ok {
			o := s.lpOrigin(i)
			probs = append(probs, Problem{File: o.file, Line: o.line, Path: o.path().Child("task").String(), Type: field.ErrorTypeNotSupported,
				Message: fmt.Sprintf("unknown task %q: a launch plan runs a task of the spec", lp.Task.Name)})
			continue
		}
		byTask[ti] = append(byTask[ti], i)
	}
	out := bundle.Entities{Tasks: tasks}
	for ti, lps := range byTask {
		if len(lps) == 0 {
			continue
		}
		wf, def, err := launchplan.Workflow(s.Tasks[ti], s.Settings)
		if err != nil {
			o := s.origin(ti)
			probs = append(probs, Problem{File: o.File, Line: o.Line, Path: o.Path().String(), Type: field.ErrorTypeInvalid, Message: fmt.Sprintf("cannot build the workflow: %v", err)})
			continue
		}
		out.Workflows = append(out.Workflows, wf)
		out.LaunchPlans = append(out.LaunchPlans, def)
		for _, i := range lps {
			lp := s.LaunchPlans[i]
			lp.Task = s.Tasks[ti]
			built, err := lp.Build(s.Settings)
			if err != nil {
				o := s.lpOrigin(i)
				for _, e := range fieldErrors(err) {
					path := o.path().Join(e.Field)
					probs = append(probs, Problem{File: o.file, Line: lineOf(lines(o.file), path, o.line), Path: path, Type: e.Type, Message: e.Detail})
				}
				continue
			}
			out.LaunchPlans = append(out.LaunchPlans, built)
		}
	}
	if len(probs) > 0 {
		return bundle.Entities{}, &Error{Problems: probs, WithFiles: s.withFiles}
	}
	return out, nil
}

// launchPlanWarnings returns launchplan.LaunchPlan.Warnings of every launch
// plan, with launch_plans[i] paths.
func (s *Spec) launchPlanWarnings() []Problem {
	var out []Problem
	lines := s.lineTables()
	for i, lp := range s.LaunchPlans {
		o := s.lpOrigin(i)
		for _, w := range lp.Warnings() {
			path := o.path().Join(w.Field)
			out = append(out, Problem{File: o.file, Line: lineOf(lines(o.file), path, o.line), Path: path, Code: w.Code, Message: w.Message})
		}
	}
	return out
}
