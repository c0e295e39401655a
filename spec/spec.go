package spec

import (
	"fmt"
	"sort"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/field"
)

// Warnings returns what is legal in the tasks but against Dask or Flyte
// best practice (task.Task.Warnings), with paths prefixed by tasks[i] and
// the file of each task, task by task and in spec (line) order within a
// task, then what is legal in the launch plans but has no effect
// (launchplan.LaunchPlan.Warnings), with launch_plans[i] paths.
func (s *Spec) Warnings() []Problem {
	var out []Problem
	lines := s.lineTables()
	for i := range s.Tasks {
		t := &s.Tasks[i]
		o := s.origin(i)
		var ws []Problem
		for _, w := range t.Warnings() {
			path := o.Path().Join(varPath(w.Field, t))
			ws = append(ws, Problem{File: o.File, Line: lineOf(lines(o.File), path, o.Line), Path: path, Code: w.Code, Message: w.Message})
		}
		sort.SliceStable(ws, func(i, j int) bool { return ws[i].Line < ws[j].Line })
		out = append(out, ws...)
	}
	return append(out, s.launchPlanWarnings()...)
}

// lineTables returns a function giving the line of every path written in a file of s, decoding the
// file again on first use (once per file and call; nothing is cached in s, so concurrent calls are
// safe). A Spec built by hand has no sources: its lines are unknown (nil).
func (s *Spec) lineTables() func(file string) map[string]int {
	tables := map[string]map[string]int{}
	return func(file string) map[string]int {
		data, ok := s.sources[file]
		if !ok {
			return nil
		}
		t, done := tables[file]
		if !done {
			t = fileLines(Source{Name: file, Data: data})
			tables[file] = t
		}
		return t
	}
}

// origin returns where task i was written: Origins[i], or, for a Spec built
// by hand whose Origins is shorter than Tasks, an Origin with only the index
// (no file, line 0), so that problems still carry the task's path.
func (s *Spec) origin(i int) Origin {
	if i < len(s.Origins) {
		return s.Origins[i]
	}
	return Origin{Index: i}
}

// Build returns the admin.TaskSpec of every task, in order, built with
// s.Settings. The tasks were validated by Decode (unless
// Options.SkipValidation was set); if one is invalid, the error is an
// *Error with its problems.
func (s *Spec) Build() ([]*admin.TaskSpec, error) {
	out := make([]*admin.TaskSpec, len(s.Tasks))
	var probs []Problem
	for i := range s.Tasks {
		t := &s.Tasks[i]
		ts, err := t.Build(s.Settings)
		if err != nil {
			o := s.origin(i)
			for _, e := range validationErrors(t, s.Settings) {
				probs = append(probs, Problem{File: o.File, Line: o.Line, Path: o.Path().Join(varPath(e.Field, t)), Type: e.Type, Message: e.Detail})
			}
			if len(probs) == 0 {
				probs = append(probs, Problem{File: o.File, Line: o.Line, Path: o.Path().String(), Type: field.ErrorTypeInvalid, Message: fmt.Sprintf("cannot build the task: %v", err)})
			}
			continue
		}
		out[i] = ts
	}
	if len(probs) > 0 {
		return nil, &Error{Problems: probs, WithFiles: s.withFiles}
	}
	return out, nil
}
