// Package dask is the Go form of flytekitplugins-dask's configuration:
// Config (flytekit's Dask), Scheduler and WorkerGroup. It validates them and
// converts them into the plugins.DaskJob that a Flyte task of type "dask"
// carries in TaskTemplate.custom.
//
// The zero Config means the same as Python's Dask(): one worker, every image
// and resource inherited from the task. Custom returns exactly what flytekit's
// DaskTask.get_custom returns (google.protobuf.json_format.MessageToDict of the
// DaskJob): lowerCamelCase keys, "scheduler", "workers" and both "resources"
// always present (the backend plugin dereferences them), "numberOfWorkers" as
// a number, no "image" key for an unset image, and resource entries in the
// order CPU, MEMORY, GPU, EPHEMERAL_STORAGE.
//
// What the backend does with each field (Flyte ≥ v1.15.1):
//   - An empty image means the task's image (after any execution override).
//   - Empty requests and limits mean the job-runner's resolved resources. When
//     any scheduler or worker request or limit is set, they replace the task's
//     resources completely; a missing request is copied from the limit, a
//     missing limit from the request, and a resource that is missing entirely
//     gets the platform's default request (not the task's value).
//   - Workers start `dask-worker --name $(DASK_WORKER_NAME) --nthreads N
//     --memory-limit M` where N is the worker cpu limit rounded up to whole
//     cores and M the worker memory limit, so set worker limits.
//   - Only workers run on interruptible nodes; the scheduler and the job
//     runner never do.
package dask

import (
	"fmt"
	"math"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/plugins"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/imageref"
	"github.com/flytedask/flytedask/resources"
)

// DefaultNumberOfWorkers is the number of workers of a WorkerGroup whose
// NumberOfWorkers is zero, as in flytekit's WorkerGroup.
const DefaultNumberOfWorkers = 1

// MaxNumberOfWorkers is the largest worker count the proto (uint32) can carry.
const MaxNumberOfWorkers = math.MaxUint32

// Config is a Dask cluster for one task: flytekit's Dask. The zero value is
// one worker with everything inherited from the task.
type Config struct {
	// Scheduler configures the scheduler pod.
	Scheduler Scheduler `json:"scheduler"`
	// Workers configures the default worker group.
	Workers WorkerGroup `json:"workers"`
}

// Scheduler configures the Dask scheduler pod: flytekit's Scheduler.
type Scheduler struct {
	// Image of the scheduler; empty means the task's image. It must carry the
	// same Python environment as the job runner and the workers.
	Image string `json:"image,omitempty"`
	// Requests of the scheduler; empty means the job runner's resources.
	Requests resources.Spec `json:"requests,omitzero"`
	// Limits of the scheduler; empty means the job runner's resources.
	Limits resources.Spec `json:"limits,omitzero"`
}

// WorkerGroup configures the Dask workers: flytekit's WorkerGroup.
type WorkerGroup struct {
	// NumberOfWorkers is the number of worker pods. Zero means
	// DefaultNumberOfWorkers (Go's zero value cannot tell "unset" from 0; the
	// YAML spec rejects an explicit 0). Negative values and values above
	// MaxNumberOfWorkers are invalid.
	NumberOfWorkers int `json:"number_of_workers,omitempty"`
	// Image of the workers; empty means the task's image.
	Image string `json:"image,omitempty"`
	// Requests of each worker; empty means the job runner's resources.
	Requests resources.Spec `json:"requests,omitzero"`
	// Limits of each worker. The backend derives --nthreads and
	// --memory-limit from them; Dask advises setting them equal to requests.
	Limits resources.Spec `json:"limits,omitzero"`
}

// Replicas returns the number of worker pods the group asks for, applying
// the default for zero.
func (w WorkerGroup) Replicas() int {
	if w.NumberOfWorkers == 0 {
		return DefaultNumberOfWorkers
	}
	return w.NumberOfWorkers
}

// tooMany reports whether n workers do not fit the proto's uint32 (never
// on 32-bit platforms, where int cannot hold such a count).
func tooMany(n int) bool { return n > 0 && uint64(n) > MaxNumberOfWorkers }

// workerCountDetail returns the message for an invalid worker count.
func workerCountDetail(n int) string {
	if tooMany(n) {
		return fmt.Sprintf("%d workers do not fit the DaskJob proto (uint32): use at most %d", n, uint32(MaxNumberOfWorkers))
	}
	// The first sentence is flytekit's models.WorkerGroup ValueError, verbatim.
	return fmt.Sprintf("Each worker group needs to have at least one worker, but %d have been specified.", n)
}

// Validate returns every problem of c. Paths are below path, e.g.
// path.workers.limits.mem; pass field.NewPath("dask") to get flytedask's
// spec paths.
func (c Config) Validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	sp, wp := path.Child("scheduler"), path.Child("workers")
	if e := imageref.Validate(func() *field.Path { return sp.Child("image") }, c.Scheduler.Image); e != nil {
		errs = append(errs, e)
	}
	errs = append(errs, resources.Validate(sp, c.Scheduler.Requests, c.Scheduler.Limits)...)
	if n := c.Workers.NumberOfWorkers; n < 0 || tooMany(n) {
		errs = append(errs, field.Invalid(wp.Child("number_of_workers"), n, workerCountDetail(n)))
	}
	if e := imageref.Validate(func() *field.Path { return wp.Child("image") }, c.Workers.Image); e != nil {
		errs = append(errs, e)
	}
	errs = append(errs, resources.Validate(wp, c.Workers.Requests, c.Workers.Limits)...)
	return errs
}

// Proto returns the DaskJob message. It fails only for an invalid worker
// count; call Validate for everything else.
func (c Config) Proto() (*plugins.DaskJob, error) {
	n := c.Workers.Replicas()
	if n < 1 || tooMany(n) {
		return nil, field.ErrorList{field.Invalid(field.NewPath("workers", "number_of_workers"), n, workerCountDetail(n))}.Err()
	}
	return &plugins.DaskJob{
		Scheduler: &plugins.DaskScheduler{
			Image:     c.Scheduler.Image,
			Resources: resources.ToProto(c.Scheduler.Requests, c.Scheduler.Limits),
		},
		Workers: &plugins.DaskWorkerGroup{
			NumberOfWorkers: uint32(n),
			Image:           c.Workers.Image,
			Resources:       resources.ToProto(c.Workers.Requests, c.Workers.Limits),
		},
	}, nil
}

// Custom returns the TaskTemplate.custom Struct for c, identical to what
// flytekit's DaskTask.get_custom produces. It fails only for an invalid
// worker count; call Validate for everything else.
func (c Config) Custom() (*structpb.Struct, error) { return c.custom(resourcesValue) }

// custom is Custom with the roles' "resources" values from rv (nil: resourcesValue).
func (c Config) custom(rv func(requests, limits resources.Spec) *structpb.Value) (*structpb.Struct, error) {
	if rv == nil {
		rv = resourcesValue
	}
	n := c.Workers.Replicas()
	if n < 1 || tooMany(n) {
		return nil, field.ErrorList{field.Invalid(field.NewPath("workers", "number_of_workers"), n, workerCountDetail(n))}.Err()
	}
	// Built by hand rather than through protojson: it is the hot path of
	// Build, and the output is pinned by tests against protojson of Proto().
	scheduler := map[string]*structpb.Value{"resources": rv(c.Scheduler.Requests, c.Scheduler.Limits)}
	if c.Scheduler.Image != "" {
		scheduler["image"] = structpb.NewStringValue(c.Scheduler.Image)
	}
	workers := map[string]*structpb.Value{
		"numberOfWorkers": structpb.NewNumberValue(float64(n)),
		"resources":       rv(c.Workers.Requests, c.Workers.Limits),
	}
	if c.Workers.Image != "" {
		workers["image"] = structpb.NewStringValue(c.Workers.Image)
	}
	return &structpb.Struct{Fields: map[string]*structpb.Value{
		"scheduler": structValue(scheduler),
		"workers":   structValue(workers),
	}}, nil
}

func structValue(fields map[string]*structpb.Value) *structpb.Value {
	return structpb.NewStructValue(&structpb.Struct{Fields: fields})
}

func resourcesValue(requests, limits resources.Spec) *structpb.Value {
	fields := make(map[string]*structpb.Value, 2)
	if !requests.IsZero() {
		fields["requests"] = entriesValue(requests)
	}
	if !limits.IsZero() {
		fields["limits"] = entriesValue(limits)
	}
	return structValue(fields)
}

// entriesValue writes s as resources.ToProto would, in the same order
// (resources.Names()), with enum names as MessageToDict writes them. The
// values of one list are allocated together: this is the bulk of Build's
// allocations.
func entriesValue(s resources.Spec) *structpb.Value {
	n := 0
	for _, name := range resources.Names() {
		if s.Get(name) != "" {
			n++
		}
	}
	var (
		vals    = make([]*structpb.Value, 0, n)
		values  = make([]structpb.Value, 3*n) // per entry: the struct, its name and its value
		strs    = make([]structpb.Value_StringValue, 2*n)
		kinds   = make([]structpb.Value_StructValue, n)
		structs = make([]structpb.Struct, n)
		i       int
	)
	for _, name := range resources.Names() {
		v := s.Get(name)
		if v == "" {
			continue
		}
		strs[2*i].StringValue = name.ProtoName().String()
		strs[2*i+1].StringValue = v
		values[3*i+1].Kind = &strs[2*i]
		values[3*i+2].Kind = &strs[2*i+1]
		structs[i].Fields = map[string]*structpb.Value{"name": &values[3*i+1], "value": &values[3*i+2]}
		kinds[i].StructValue = &structs[i]
		values[3*i].Kind = &kinds[i]
		vals = append(vals, &values[3*i])
		i++
	}
	return structpb.NewListValue(&structpb.ListValue{Values: vals})
}
