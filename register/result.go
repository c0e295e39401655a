package register

import (
	"fmt"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/grpc/codes"

	"github.com/flytedask/flytedask/internal/protodiff"
)

// Unset is [Difference].Old or New when the field is absent on that side.
const Unset = "<unset>"

// Difference is one differing field between a registered task template (Old) and the local one
// (New), e.g. {Path: "template.custom.workers.numberOfWorkers", Old: "2", New: "3"}. Path is the
// field's protojson path from the TaskSpec (the root Preflight and task.ValidateSpec use, and the
// names `flytedask inspect -o json` shows): camelCase field names, [i] for list elements, .key for
// map and Struct keys that are identifiers and ["key"] for others (jq's syntax). Old and New are the values rendered as compact JSON, or [Unset].
type Difference struct {
	// Path locates the field, e.g. template.container.args[3].
	Path string
	// Old is the registered value, New the local one (compact JSON, or Unset).
	Old, New string
}

// String renders the difference as "path: old -> new".
func (d Difference) String() string { return d.Path + ": " + d.Old + " -> " + d.New }

// differences converts protodiff's differences between two templates into Differences rooted at
// the TaskSpec ("template.").
func differences(ds []protodiff.Difference) []Difference {
	if len(ds) == 0 {
		return nil
	}
	out := make([]Difference, len(ds))
	for i, d := range ds {
		p := "template"
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

// Outcome is what happened to one task spec.
type Outcome int

// Outcomes. Exactly one per spec.
const (
	// NotAttempted: nothing was sent for this spec (context ended, an earlier failure stopped the run,
	// or another spec failed validation).
	NotAttempted Outcome = iota
	// Created: FlyteAdmin accepted the task.
	Created
	// AlreadyExisted: an identical task with this id exists (codes.AlreadyExists); success, as in flytectl.
	AlreadyExisted
	// Failed: the request was sent and did not succeed (see Result.Code and Result.Reason); this
	// includes a request interrupted by the context while in flight, whose server-side effect is unknown.
	Failed
	// Invalid: local validation rejected the spec; it was not sent.
	Invalid
	// WouldRegister: dry run only; the spec is valid and would be sent.
	WouldRegister
)

var outcomeNames = [...]string{"NotAttempted", "Created", "AlreadyExisted", "Failed", "Invalid", "WouldRegister"}

// String returns the outcome's name, e.g. "AlreadyExisted".
func (o Outcome) String() string {
	if o >= 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// OK reports whether the outcome means the task is registered (Created or AlreadyExisted).
func (o Outcome) OK() bool { return o == Created || o == AlreadyExisted }

// Result is the outcome for one input spec. Register returns them in input order.
type Result struct {
	// Index is the position of the spec in the input slice.
	Index int
	// ID is the identifier sent (or that would be sent): TASK, target project/domain/version, the
	// template's name.
	ID *core.Identifier
	// Outcome is what happened.
	Outcome Outcome
	// Code is the gRPC code of the final error (codes.OK on success, codes.AlreadyExists for
	// AlreadyExisted, codes.InvalidArgument for Invalid, codes.Canceled/DeadlineExceeded when the
	// context ended).
	Code codes.Code
	// Reason is a one-line human explanation (server message, validation problems, ...).
	Reason string
	// Attempts is the number of CreateTask calls made for this spec.
	Attempts int
	// Conflict is set when FlyteAdmin reported a task with the same id but a different structure.
	Conflict bool
	// Diff lists the fields in which the registered task differs from this spec (Old = registered,
	// New = local), when Conflict is set and GetTask succeeded.
	Diff []Difference
	// Err is the underlying error (a gRPC status error, a validation error, or a context error);
	// nil on success.
	Err error
	// Activated is set for a launch plan that [WithActivateLaunchPlans] activated.
	Activated bool
}

// Name is the task name (template.id.name), or "" if the spec had none.
func (r Result) Name() string { return r.ID.GetName() }

// String renders the result on one line, e.g. `pkg.job@v1: Failed (InvalidArgument, 1 attempt): ...`.
func (r Result) String() string {
	var b strings.Builder
	if k := r.Kind(); k != "task" {
		b.WriteString(k + " ") // a workflow and its default launch plan share a name
	}
	fmt.Fprintf(&b, "%s@%s: %s", displayName(r.Name()), r.ID.GetVersion(), r.Outcome)
	var meta []string
	if r.Code != codes.OK {
		meta = append(meta, r.Code.String())
	}
	if r.Attempts > 0 {
		meta = append(meta, plural(r.Attempts, "attempt"))
	}
	if len(meta) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(meta, ", "))
	}
	if info := r.info(); info != "" {
		b.WriteString(": " + info)
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (r Result) info() string {
	s := r.Reason
	if r.Conflict && len(r.Diff) > 0 {
		paths := make([]string, 0, 3)
		for i, d := range r.Diff {
			if i == 3 {
				paths = append(paths, "...")
				break
			}
			paths = append(paths, d.Path)
		}
		s += fmt.Sprintf(" [%s differ: %s]", plural(len(r.Diff), "field"), strings.Join(paths, ", "))
	}
	return s
}

// BatchError reports that Register (or RegisterEntities) finished without registering every spec
// (entity). It is returned together with the per-spec results. It unwraps to the first failure's error (a gRPC status error, so
// status.Code(err) and errors.As see it) and to the context error when the context cut the run short.
type BatchError struct {
	// Total is the number of specs (entities, for RegisterEntities).
	Total int
	// Failed counts Failed results; NotAttempted counts NotAttempted results.
	Failed, NotAttempted int
	// First is a deep copy of the first failure in input order, if any (editing the results does
	// not change it).
	First *Result
	// Cause is the context error when the context ended the run, else nil.
	Cause error
	// kinds counts the entities by kind ("1 task, 1 workflow, 2 launch plans") when the batch held
	// workflows or launch plans ([Client.RegisterEntities]); empty for tasks alone.
	kinds string
}

// Error summarises the counts and the first failure.
func (e *BatchError) Error() string {
	var b strings.Builder
	if e.kinds != "" {
		fmt.Fprintf(&b, "register: %d of %d entities (%s) failed, %d not attempted", e.Failed, e.Total, e.kinds, e.NotAttempted)
	} else {
		fmt.Fprintf(&b, "register: %d of %d tasks failed, %d not attempted", e.Failed, e.Total, e.NotAttempted)
	}
	if e.Cause != nil {
		fmt.Fprintf(&b, " (%v)", e.Cause)
	}
	if e.First != nil {
		fmt.Fprintf(&b, "; first failure: %s", e.First)
	}
	return b.String()
}

// Unwrap returns the first failure's error and the context error, those that are set.
func (e *BatchError) Unwrap() []error {
	var errs []error
	if e.First != nil && e.First.Err != nil {
		errs = append(errs, e.First.Err)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// DiffStatus is the result of comparing a local spec with FlyteAdmin.
type DiffStatus int

// Diff statuses. The zero value is DiffUnknown, never Same: a DiffResult returned with an error,
// or never filled in, does not claim a comparison.
const (
	// DiffUnknown: no comparison was made (Diff returned an error).
	DiffUnknown DiffStatus = iota
	// Same: a task with this id is registered and its template equals the local one.
	Same
	// NotRegistered: no task with this id exists (GetTask returned codes.NotFound).
	NotRegistered
	// Changed: a task with this id exists and differs; registering would fail with "different structure".
	Changed
)

// String returns the status name.
func (s DiffStatus) String() string {
	switch s {
	case DiffUnknown:
		return "Unknown"
	case Same:
		return "Same"
	case NotRegistered:
		return "NotRegistered"
	case Changed:
		return "Changed"
	}
	return fmt.Sprintf("DiffStatus(%d)", int(s))
}

// DiffResult is the comparison of one local spec with the registered task of the same id.
type DiffResult struct {
	// ID is the identifier looked up.
	ID *core.Identifier
	// Status summarises the comparison.
	Status DiffStatus
	// Differences lists the differing fields (Old = registered, New = local) when Status is Changed.
	Differences []Difference
	// Err is set (by [Client.DiffEntities]) when this entity could not be compared.
	Err error
}
