package register

import (
	"errors"
	"fmt"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/adminrule"
)

// ErrInvalidSpec is wrapped by every local validation failure of a task spec. It is
// field.ErrInvalidSpec, the SDK's one sentinel for invalid specs (bundle.ErrInvalidSpec too).
var ErrInvalidSpec = field.ErrInvalidSpec

// ErrInvalidTarget is wrapped by every validation failure of a [Target].
var ErrInvalidTarget = errors.New("register: invalid target")

// Target is where tasks are registered. Project and Domain must exist on the server; Version is
// applied to every task (it replaces any version in the spec, unlike flytectl where a concrete version
// in the file wins).
type Target struct {
	Project string
	Domain  string
	Version string
}

// String renders the target as "project/domain@version".
func (t Target) String() string { return t.Project + "/" + t.Domain + "@" + t.Version }

// Validate checks that project, domain and version are set and that the version is URL-safe in
// flyteadmin's sense (url.QueryEscape leaves it unchanged, so none of !*'();:@&=+$,/?#[], spaces,
// '%' or non-ASCII). flyteadmin v1.1.131 does not check this on CreateTask, but such versions break
// its HTTP API paths. Errors wrap [ErrInvalidTarget].
func (t Target) Validate() error {
	var problems []string
	if t.Project == "" {
		problems = append(problems, "project is empty")
	}
	if t.Domain == "" {
		problems = append(problems, "domain is empty")
	}
	if err := ValidateVersion(t.Version); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidTarget, strings.Join(problems, "; "))
	}
	return nil
}

// ValidateVersion reports whether version is non-empty and URL-safe as flyteadmin's
// validation.ValidateVersion defines it (url.QueryEscape(version) equals version). It is the same
// rule, with the same messages, as task.ValidateSettings applies (one implementation).
func ValidateVersion(version string) error {
	if msg := adminrule.VersionProblem(version); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// Preflight is the built-in local validation run on every spec before anything is sent. It checks what
// FlyteAdmin would reject, plus what would crash or break it:
//   - spec, template and template.id are set, template.id.name is non-empty;
//   - template.type is non-empty;
//   - template.metadata and template.metadata.runtime are set and runtime.version is non-empty (a
//     template with metadata but no runtime crashes flyteadmin v1.1.x after inserting the row);
//   - template.interface is set;
//   - a k8s_pod.pod_spec (without container) decodes as a Kubernetes PodSpec, as flytectl needs;
//   - if a container is set, its image is non-empty and contains no unresolved "{{" template (nothing
//     on the registration path substitutes images).
//
// The error is a *field.ValidationError listing every problem, each a *field.Error whose path is
// the field's protojson path from the TaskSpec, as task.ValidateSpec reports them
// (template.metadata.runtime, template.k8sPod.podSpec, template.container.image); it matches
// [ErrInvalidSpec].
func Preflight(spec *admin.TaskSpec) error {
	var errs field.ErrorList
	root := field.NewPath("template")
	tt := spec.GetTemplate()
	switch {
	case spec == nil:
		errs = append(errs, field.Required(nil, "the task spec is nil"))
	case tt == nil:
		errs = append(errs, field.Required(root, "a task spec needs a template"))
	default:
		if tt.GetId() == nil {
			errs = append(errs, field.Required(root.Child("id"), "the template needs an id with a name"))
		} else if tt.GetId().GetName() == "" {
			errs = append(errs, field.Required(root.Child("id", "name"), "the task needs a name"))
		}
		if tt.GetType() == "" {
			errs = append(errs, field.Required(root.Child("type"), "the task needs a type (e.g. dask)"))
		}
		md := root.Child("metadata")
		switch {
		case tt.GetMetadata() == nil:
			errs = append(errs, field.Required(md, "the template needs metadata with a runtime"))
		case tt.GetMetadata().GetRuntime() == nil:
			errs = append(errs, field.Required(md.Child("runtime"), "the template needs a runtime (flyteadmin v1.1.x crashes without one)"))
		case tt.GetMetadata().GetRuntime().GetVersion() == "":
			errs = append(errs, field.Required(md.Child("runtime", "version"), "the runtime needs a version"))
		}
		if tt.GetInterface() == nil {
			errs = append(errs, field.Required(root.Child("interface"), "the template needs an interface (it may be empty)"))
		}
		if err := checkFlytectlForm(tt); err != nil {
			msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "k8s_pod.pod_spec: "), "k8s_pod.pod_spec ")
			errs = append(errs, field.Invalid(root.Child("k8sPod", "podSpec"), nil, msg))
		}
		if c := tt.GetContainer(); c != nil {
			img := root.Child("container", "image")
			switch {
			case c.GetImage() == "":
				errs = append(errs, field.Required(img, "the container needs an image"))
			case strings.Contains(c.GetImage(), "{{"):
				errs = append(errs, field.Invalid(img, c.GetImage(), "the image contains an unresolved template: nothing on the registration path substitutes images"))
			}
		}
	}
	return errs.Err()
}

// Problem is the validation failure of one spec.
type Problem struct {
	// Index is the position of the spec in the input, or -1 for a problem of the [Target] alone
	// (Register with no specs).
	Index int
	// Name is template.id.name, if the spec has one.
	Name string
	// Err describes the failure; it wraps ErrInvalidSpec or ErrInvalidTarget.
	Err error
}

// ValidationError reports that nothing was sent because local validation failed. It lists every
// failing spec in input order. errors.Is matches ErrInvalidSpec and/or ErrInvalidTarget.
type ValidationError struct {
	Problems []Problem
}

// Error lists the failures, one per spec.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "register: %d of the task specs failed validation, nothing was sent", len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "; [%d] %s: %v", p.Index, displayName(p.Name), p.Err)
	}
	return b.String()
}

// Unwrap returns the individual failures.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p.Err
	}
	return errs
}

func displayName(n string) string {
	if n == "" {
		return "<unnamed>"
	}
	return n
}

// requestID is the identifier sent to FlyteAdmin for spec under target (as flytectl builds it).
func requestID(spec *admin.TaskSpec, target Target) *core.Identifier {
	return &core.Identifier{
		ResourceType: core.ResourceType_TASK,
		Project:      target.Project,
		Domain:       target.Domain,
		Name:         spec.GetTemplate().GetId().GetName(),
		Version:      target.Version,
	}
}

// validateAll runs the target check, Preflight, the extra validators and a duplicate-name check on
// every prepared request's spec. It returns nil when everything is valid.
func validateAll(reqs []*admin.TaskCreateRequest, target Target, extra []func(*admin.TaskSpec) error) *ValidationError {
	var ve ValidationError
	terr := target.Validate()
	// Preflight and the extra validators are independent per spec and most of the local cost of
	// a large registration: run them on all CPUs.
	specErrs := make([][]error, len(reqs))
	parallelFor(len(reqs), func(i int) {
		s := reqs[i].GetSpec()
		if err := Preflight(s); err != nil {
			specErrs[i] = append(specErrs[i], err)
			return
		}
		for _, fn := range extra {
			if err := fn(s); err != nil {
				specErrs[i] = append(specErrs[i], fmt.Errorf("%w: %w", ErrInvalidSpec, err))
			}
		}
	})
	seen := map[string]int{}
	for i, req := range reqs {
		name := req.GetId().GetName()
		var errs []error
		if terr != nil {
			errs = append(errs, terr)
		}
		errs = append(errs, specErrs[i]...)
		if name != "" {
			if j, dup := seen[name]; dup {
				errs = append(errs, fmt.Errorf("%w: duplicate task name, also spec [%d]", ErrInvalidSpec, j))
			} else {
				seen[name] = i
			}
		}
		if len(errs) > 0 {
			ve.Problems = append(ve.Problems, Problem{Index: i, Name: name, Err: joinErrs(errs)})
		}
	}
	if len(ve.Problems) == 0 {
		return nil
	}
	return &ve
}

// joinErrs joins errors on one line ("; "), keeping all of them for errors.Is/As.
type joined []error

func (j joined) Error() string {
	s := make([]string, len(j))
	for i, e := range j {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

func (j joined) Unwrap() []error { return j }

func joinErrs(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return joined(errs)
}
