// Package task builds a Flyte Dask task: the task around a dask.Config
// (image, entrypoint, interface, resources, environment, secrets, retries,
// timeout, cache, pod template), validated all at once and turned into the
// admin.TaskSpec that `flytectl register files` and FlyteAdmin accept, field
// by field as flytekit writes it.
//
// Building is pure: no I/O, no network. Task.Validate reports every problem
// as a *field.ValidationError; Task.Warnings reports what is legal but
// against Dask or Flyte best practice; Task.Build validates and assembles
// the spec.
//
// The job-runner container runs the task's entrypoint. There is no fast
// registration from Go: the code must be baked into the image, and the
// scheduler and worker images need the same Python environment. Two
// entrypoints are supported:
//
//   - Python: a flytekit function baked into the image. The container gets
//     exactly flytekit's `pyflyte-execute ... --resolver
//     flytekit.core.python_auto_container.default_task_resolver -- task-module
//     M task-name F` arguments, so the Python side runs as if pyflyte had
//     registered it.
//   - Command and Args: a raw command line. Flyte renders templates such as
//     {{.inputs.n}} and {{.outputPrefix}} in it at run time. Command is
//     written in front of Args into the container's args, and the container
//     command stays empty, exactly as flytekit leaves it: the Dask backend
//     replaces only the args of the scheduler and worker containers (with
//     dask-scheduler / dask-worker ...), so a container command would be
//     inherited by them and break them. The image's ENTRYPOINT must
//     therefore be empty or a wrapper that runs its arguments (such as tini
//     or dumb-init), as for every flytekit-built image.
package task

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/resources"
)

// TaskType is the TaskTemplate.type of every task this package builds; the
// backend's Dask plugin is registered for it.
const TaskType = "dask"

// DefaultPrimaryContainerName is the primary container of a pod template
// when PodTemplate.PrimaryContainerName is empty, as in flytekit.
const DefaultPrimaryContainerName = "primary"

// Task is a Flyte Dask task. Only Name, Image (or a pod template image) and
// an entrypoint are required; every other zero value means "not set" or
// "the default".
type Task struct {
	// Name is the fully qualified task name, e.g.
	// workflows.dask_example.hello_dask. It names the bundle file, so it may
	// not contain '/'.
	Name string
	// Image is the job-runner image and the default scheduler and worker
	// image. It must be a concrete reference: flytectl does not resolve
	// {{.image...}} templates.
	Image string

	// Python is entrypoint A: a flytekit function baked into the image.
	Python *PythonFunction
	// Command is entrypoint B: a raw command. It is written as the first
	// container args (see the package doc for why the container command
	// stays empty).
	Command []string
	// Args are the arguments of entrypoint B.
	Args []string

	// Requests are the job-runner's resource requests; scheduler and workers
	// inherit the resolved task resources unless dask sets their own.
	Requests resources.Spec
	// Limits are the job-runner's resource limits.
	Limits resources.Spec
	// Environment is set in the job-runner, scheduler and worker containers.
	// It is written sorted by name.
	Environment map[string]string
	// Secrets are requested from Flyte's secret manager.
	Secrets []Secret

	// Inputs of the task. Order does not matter (Flyte's interface is a map).
	Inputs []Variable
	// Outputs of the task.
	Outputs []Variable

	// Retries is the number of retries on recoverable failures.
	Retries int
	// Timeout bounds one attempt; zero means no timeout.
	Timeout time.Duration
	// Interruptible, when set, says whether the task may run on
	// interruptible (spot) nodes. For Dask only the workers may; the
	// scheduler and the job runner never run on them. Flyte ignores it when a task is
	// launched directly rather than in a workflow (flyte#6167).
	Interruptible *bool
	// Cache turns on caching when non-nil.
	Cache *Cache
	// Deprecated, when non-empty, marks the task deprecated with this message.
	Deprecated string
	// PodTemplateName names a Kubernetes PodTemplate in the execution
	// namespace that the backend uses as the base of all three Dask pods.
	PodTemplateName string
	// PodTemplate, when set, replaces the container target with a k8s_pod
	// target; it applies to the job runner, scheduler and workers alike.
	PodTemplate *PodTemplate

	// Accelerator selects the GPU (or TPU) model and partition, flytekit's
	// accelerator= (template.extended_resources.gpu_accelerator). The
	// backend turns it into a required node affinity and a toleration on
	// all three Dask pods, but only when the task itself (the job runner)
	// has a GPU: see Warnings. Use ParseAccelerator for flytekit's names
	// (T4, A100.partition_1g_5gb, ...).
	Accelerator *Accelerator
	// SharedMemory, when set, mounts a memory-backed emptyDir at /dev/shm,
	// flytekit's shared_memory= (template.extended_resources.shared_memory).
	// The backend adds it to the primary container of all three Dask pods.
	SharedMemory *SharedMemory
	// Labels are flytekit's @task(labels=): written to
	// metadata.metadata.labels. flyteplugins v1.16.8 does not put them on
	// the pods; use PodTemplate.Labels for pod labels.
	Labels map[string]string
	// Annotations are flytekit's @task(annotations=): written to
	// metadata.metadata.annotations (not put on the pods by flyteplugins
	// v1.16.8; use PodTemplate.Annotations for that).
	Annotations map[string]string
	// EnableDeck is flytekit's enable_deck=True: metadata.generates_deck is
	// true, so the console shows the deck the task writes. flytekit always
	// writes generates_deck, false by default.
	EnableDeck bool
	// ShortDescription is the one-line summary flytekit takes from the
	// docstring's first line (TaskSpec.description.short_description).
	ShortDescription string
	// LongDescription is the rest of the docstring, in reStructuredText as
	// flytekit marks it (TaskSpec.description.long_description).
	LongDescription string

	// Dask is the Dask cluster. Its zero value is flytekit's Dask().
	Dask dask.Config
}

// PythonFunction names a flytekit task function inside the image.
type PythonFunction struct {
	// Module is the Python module, e.g. workflows.dask_example.
	Module string
	// Function is the task function in Module, e.g. hello_dask.
	Function string
}

// MountRequirement says how a secret is exposed to the task.
type MountRequirement string

// The mount requirements, as in flytekit's Secret.MountType.
const (
	// MountAny lets the platform choose. The zero value "" means the same.
	MountAny MountRequirement = "any"
	// MountEnvVar exposes the secret as an environment variable.
	MountEnvVar MountRequirement = "env_var"
	// MountFile exposes the secret as a file.
	MountFile MountRequirement = "file"
)

// Secret is a secret request, flytekit's Secret.
type Secret struct {
	// Group is required (flytekit's default secret managers need it).
	Group string
	// Key within the group; optional.
	Key string
	// GroupVersion is optional.
	GroupVersion string
	// MountRequirement is "" or "any", "env_var" or "file".
	MountRequirement MountRequirement
}

// Cache configures Flyte's output cache. Caching is on when Task.Cache is
// non-nil.
type Cache struct {
	// Version is required: bump it to invalidate cached outputs.
	Version string
	// Serialize runs at most one instance of identical inputs at a time.
	Serialize bool
	// IgnoredInputs are inputs left out of the cache key, flytekit's
	// Cache(ignored_inputs=...) or cache_ignore_input_vars=
	// (metadata.cache_ignore_input_vars). Each must be a declared input.
	IgnoredInputs []string
}

// Accelerator is flytekit's GPUAccelerator / MultiInstanceGPUAccelerator:
// template.extended_resources.gpu_accelerator. At most one of
// PartitionSize and Unpartitioned may be set.
type Accelerator struct {
	// Device is the accelerator's node label value, e.g. nvidia-tesla-t4.
	// It must match the label (by default k8s.amazonaws.com/accelerator)
	// and taint the platform puts on its GPU nodes.
	Device string
	// PartitionSize selects a multi-instance GPU partition (or TPU slice),
	// e.g. 1g.5gb; empty means no preference unless Unpartitioned is set.
	PartitionSize string
	// Unpartitioned asks for a whole GPU (flytekit's A100.unpartitioned).
	Unpartitioned bool
}

// SharedMemory is flytekit's shared_memory=: a memory-backed volume named
// SharedMemoryMountName mounted at SharedMemoryMountPath.
type SharedMemory struct {
	// SizeLimit is a Kubernetes quantity such as 2Gi (flytekit's
	// shared_memory="2Gi"). Empty means no limit of its own (flytekit's
	// shared_memory=True): the volume is bounded by the pod's memory.
	SizeLimit string
}

// The shared-memory volume flytekit requests (flytekit/core/constants.py,
// v1.16.24).
const (
	// SharedMemoryMountName is the volume name.
	SharedMemoryMountName = "flyte-shared-memory"
	// SharedMemoryMountPath is where the volume is mounted.
	SharedMemoryMountPath = "/dev/shm"
)

// PodTemplate is a task-level pod template: flytekit's PodTemplate. With it
// the task has a k8s_pod target instead of a container, and
// config["primary_container_name"] names the container that runs the task.
type PodTemplate struct {
	// PrimaryContainerName defaults to DefaultPrimaryContainerName.
	PrimaryContainerName string
	// Labels are set on the pods.
	Labels map[string]string
	// Annotations are set on the pods.
	Annotations map[string]string
	// Spec is the pod spec. The primary container is added if absent, and
	// gets the task's image (unless it has its own), command, args,
	// resources and environment, as flytekit does.
	Spec corev1.PodSpec
}

// Settings are the registration coordinates, flytekit's
// SerializationSettings, written into the built template id. Empty values
// are allowed and mean "filled at registration": register.Target (or
// flytectl's -p/-d/--version) supplies them. Bundles leave all three empty
// by default whatever Settings hold, as today's pyflyte package does (see
// bundle.WithPinnedIDs to keep them).
type Settings struct {
	// Project, e.g. flytesnacks. Empty: the registering command's project.
	Project string
	// Domain, e.g. development. Empty: the registering command's domain.
	Domain string
	// Version of the task; it must be URL-safe. Empty: the registering
	// command's version (flytectl --version, register.Target.Version).
	// flytekit's old placeholder "{{ registration.version }}" is accepted
	// and means the same.
	Version string
}
