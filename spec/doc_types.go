package spec

import (
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

// The *Doc types are a task (or the defaults block) as written: nil pointers
// and nil maps mean "absent", so the defaults can be merged under a task.

type taskDoc struct {
	line            int
	name            *string
	image           *string
	python          *pythonDoc
	command         *[]string
	args            *[]string
	requests        resDoc
	limits          resDoc
	environment     map[string]string
	secrets         *[]task.Secret
	inputs          []task.Variable // sorted by name
	outputs         []task.Variable
	retries         *int
	timeout         *time.Duration
	interruptible   *bool
	cache           *cacheDoc
	deprecated      *string
	podTemplateName *string
	podTemplate     *podTemplateDoc
	dask            *daskDoc

	accelerator      *task.Accelerator
	sharedMemory     *sharedMemoryDoc
	labels           map[string]string
	annotations      map[string]string
	enableDeck       *bool
	shortDescription *string
	longDescription  *string
}

// sharedMemoryDoc is shared_memory: true, false or a size.
type sharedMemoryDoc struct {
	on   bool
	size string
}

type pythonDoc struct{ module, function *string }

type cacheDoc struct {
	version       *string
	serialize     *bool
	ignoredInputs *[]string
}

type podTemplateDoc struct {
	primaryContainerName *string
	labels, annotations  map[string]string
	spec                 *corev1.PodSpec
}

type daskDoc struct {
	scheduler *roleDoc
	workers   *roleDoc
}

// roleDoc is a scheduler (numberOfWorkers always nil) or a worker group.
type roleDoc struct {
	numberOfWorkers  *int
	image            *string
	requests, limits resDoc
}

// resDoc is a requests or limits block as written: the quantities it sets, in resources.Names()
// order. A quantity written as "" is set (and clears a default). A struct rather than a map: a
// spec has several blocks per task, and merging them with the defaults allocates nothing.
type resDoc struct {
	q   [len(resourceKeys)]string
	set [len(resourceKeys)]bool
}

// put sets the quantity of the resource resourceKeys[i].
func (r *resDoc) put(i int, q string) { r.q[i], r.set[i] = q, true }

// mergeRes returns d with the quantities t sets replaced by t's.
func mergeRes(d, t resDoc) resDoc {
	for i, ok := range t.set {
		if ok {
			d.put(i, t.q[i])
		}
	}
	return d
}

// spec converts r to a resources.Spec.
func (r resDoc) spec() resources.Spec {
	var s resources.Spec
	for i, name := range resources.Names() {
		if r.set[i] {
			s.Set(name, r.q[i])
		}
	}
	return s
}

func or[T any](t, d *T) *T {
	if t != nil {
		return t
	}
	return d
}

func mergeMap[K comparable, V any](d, t map[K]V) map[K]V {
	if d == nil {
		return t
	}
	if t == nil {
		return d
	}
	out := make(map[K]V, len(d)+len(t))
	maps.Copy(out, d)
	maps.Copy(out, t)
	return out
}

// mergeNested merges two optional nested documents with fn when both are
// present.
func mergeNested[T any](d, t *T, fn func(d, t *T) *T) *T {
	switch {
	case d == nil:
		return t
	case t == nil:
		return d
	}
	return fn(d, t)
}

// merge merges the defaults d under t (see the package documentation for the
// rules), in place, and returns t. d may be nil; it is not changed, and the
// result shares its values.
func merge(d, t *taskDoc) *taskDoc {
	if d == nil {
		return t
	}
	t.image = or(t.image, d.image)
	switch {
	case t.command != nil || t.args != nil:
		// The task's raw entrypoint replaces any default entrypoint.
	case t.python != nil:
		t.python = mergeNested(d.python, t.python, func(d, t *pythonDoc) *pythonDoc {
			return &pythonDoc{module: or(t.module, d.module), function: or(t.function, d.function)}
		})
	default:
		t.python, t.command, t.args = d.python, d.command, d.args
	}
	t.requests = mergeRes(d.requests, t.requests)
	t.limits = mergeRes(d.limits, t.limits)
	t.environment = mergeMap(d.environment, t.environment)
	t.secrets = or(t.secrets, d.secrets)
	t.inputs = mergeVars(d.inputs, t.inputs)
	t.outputs = mergeVars(d.outputs, t.outputs)
	t.retries = or(t.retries, d.retries)
	t.timeout = or(t.timeout, d.timeout)
	t.interruptible = or(t.interruptible, d.interruptible)
	t.cache = mergeNested(d.cache, t.cache, func(d, t *cacheDoc) *cacheDoc {
		return &cacheDoc{version: or(t.version, d.version), serialize: or(t.serialize, d.serialize), ignoredInputs: or(t.ignoredInputs, d.ignoredInputs)}
	})
	t.deprecated = or(t.deprecated, d.deprecated)
	t.accelerator = or(t.accelerator, d.accelerator)
	t.sharedMemory = or(t.sharedMemory, d.sharedMemory)
	t.labels = mergeMap(d.labels, t.labels)
	t.annotations = mergeMap(d.annotations, t.annotations)
	t.enableDeck = or(t.enableDeck, d.enableDeck)
	t.shortDescription = or(t.shortDescription, d.shortDescription)
	t.longDescription = or(t.longDescription, d.longDescription)
	t.podTemplateName = or(t.podTemplateName, d.podTemplateName)
	t.podTemplate = mergeNested(d.podTemplate, t.podTemplate, func(d, t *podTemplateDoc) *podTemplateDoc {
		return &podTemplateDoc{
			primaryContainerName: or(t.primaryContainerName, d.primaryContainerName),
			labels:               mergeMap(d.labels, t.labels),
			annotations:          mergeMap(d.annotations, t.annotations),
			spec:                 or(t.spec, d.spec),
		}
	})
	mergeRole := func(d, t *roleDoc) *roleDoc {
		return &roleDoc{
			numberOfWorkers: or(t.numberOfWorkers, d.numberOfWorkers),
			image:           or(t.image, d.image),
			requests:        mergeRes(d.requests, t.requests),
			limits:          mergeRes(d.limits, t.limits),
		}
	}
	t.dask = mergeNested(d.dask, t.dask, func(d, t *daskDoc) *daskDoc {
		return &daskDoc{
			scheduler: mergeNested(d.scheduler, t.scheduler, mergeRole),
			workers:   mergeNested(d.workers, t.workers, mergeRole),
		}
	})
	return t
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// byName orders variables by name.
func byName(a, b task.Variable) int { return strings.Compare(a.Name, b.Name) }

// mergeVars merges two lists sorted by name (nil: absent): t's variables replace d's of the same
// name.
func mergeVars(d, t []task.Variable) []task.Variable {
	if d == nil {
		return t
	}
	if t == nil {
		return d
	}
	out := make([]task.Variable, 0, len(d)+len(t))
	i, j := 0, 0
	for i < len(d) && j < len(t) {
		switch c := byName(d[i], t[j]); {
		case c < 0:
			out = append(out, d[i])
			i++
		case c > 0:
			out = append(out, t[j])
			j++
		default:
			out = append(out, t[j])
			i++
			j++
		}
	}
	out = append(out, d[i:]...)
	return append(out, t[j:]...)
}

// variables returns a task's own copy of a merged list (nil when empty): lists are shared between
// the defaults and the tasks they are merged into.
func variables(vs []task.Variable) []task.Variable {
	if len(vs) == 0 {
		return nil
	}
	return slices.Clone(vs)
}

// toTask converts a (merged) document into *t, a zero task.Task (in place: a task.Task is several
// hundred bytes, and Decode fills a slice of thousands).
func (td *taskDoc) toTask(t *task.Task) {
	*t = task.Task{
		Name:            deref(td.name),
		Image:           deref(td.image),
		Command:         deref(td.command),
		Args:            deref(td.args),
		Requests:        td.requests.spec(),
		Limits:          td.limits.spec(),
		Environment:     td.environment,
		Secrets:         deref(td.secrets),
		Inputs:          variables(td.inputs),
		Outputs:         variables(td.outputs),
		Retries:         deref(td.retries),
		Timeout:         deref(td.timeout),
		Interruptible:   td.interruptible,
		Deprecated:      deref(td.deprecated),
		PodTemplateName: deref(td.podTemplateName),

		Labels:           maps.Clone(td.labels),
		Annotations:      maps.Clone(td.annotations),
		EnableDeck:       deref(td.enableDeck),
		ShortDescription: deref(td.shortDescription),
		LongDescription:  deref(td.longDescription),
	}
	if td.accelerator != nil {
		a := *td.accelerator
		t.Accelerator = &a
	}
	if sm := td.sharedMemory; sm != nil && sm.on {
		t.SharedMemory = &task.SharedMemory{SizeLimit: sm.size}
	}
	if td.python != nil {
		t.Python = &task.PythonFunction{Module: deref(td.python.module), Function: deref(td.python.function)}
	}
	if td.cache != nil {
		t.Cache = &task.Cache{Version: deref(td.cache.version), Serialize: deref(td.cache.serialize), IgnoredInputs: slices.Clone(deref(td.cache.ignoredInputs))}
	}
	if pt := td.podTemplate; pt != nil {
		t.PodTemplate = &task.PodTemplate{
			PrimaryContainerName: deref(pt.primaryContainerName),
			Labels:               pt.labels,
			Annotations:          pt.annotations,
			Spec:                 deref(pt.spec),
		}
	}
	if td.dask != nil {
		if s := td.dask.scheduler; s != nil {
			t.Dask.Scheduler = dask.Scheduler{Image: deref(s.image), Requests: s.requests.spec(), Limits: s.limits.spec()}
		}
		if w := td.dask.workers; w != nil {
			t.Dask.Workers = dask.WorkerGroup{
				NumberOfWorkers: deref(w.numberOfWorkers),
				Image:           deref(w.image),
				Requests:        w.requests.spec(),
				Limits:          w.limits.spec(),
			}
		}
	}
}
