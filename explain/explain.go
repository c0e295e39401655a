package explain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/plugins"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Roles of the pods in a Job, in the order Explain returns them.
const (
	// RoleJobRunner is the pod that runs the task's own command (DaskJob spec.job).
	RoleJobRunner = "job-runner"
	// RoleScheduler is the Dask scheduler pod (DaskJob spec.cluster.spec.scheduler).
	RoleScheduler = "scheduler"
	// RoleWorker is the Dask worker group (DaskJob spec.cluster.spec.worker).
	RoleWorker = "worker"
)

// Names the backend gives the primary container of each pod.
const (
	// ContainerJobRunner is the job runner's primary container name.
	ContainerJobRunner = "job-runner"
	// ContainerScheduler is the scheduler's primary container name.
	ContainerScheduler = "scheduler"
	// ContainerWorker is the workers' primary container name.
	ContainerWorker = "dask-worker"
)

// Restart policies the backend sets.
const (
	// RestartNever is the job runner's restart policy.
	RestartNever = "Never"
	// RestartAlways is the scheduler's and the workers' restart policy.
	RestartAlways = "Always"
)

// Scheduler ports, the same on every backend version since flyteplugins v1.0.37.
const (
	// PortNameComm is the scheduler's TCP communication port name.
	PortNameComm = "tcp-comm"
	// PortComm is the scheduler's TCP communication port.
	PortComm int32 = 8786
	// PortNameDashboard is the scheduler's dashboard port name.
	PortNameDashboard = "dashboard"
	// PortDashboard is the scheduler's dashboard port.
	PortDashboard int32 = 8787
)

// WorkerNameArg is the value the backend passes to `--name`; the dask operator injects
// DASK_WORKER_NAME into worker pods and Kubernetes expands $(…) in args.
const WorkerNameArg = "$(DASK_WORKER_NAME)"

// CodeBadTaskSpecification is the backend's error code for template problems.
const CodeBadTaskSpecification = "BadTaskSpecification"

// Job is what the backend's Dask plugin builds for a task: three pods and observations about them.
type Job struct {
	// Task is the template's id name (empty if the template has no id).
	Task string `json:"task"`
	// Pods are the job runner, the scheduler and the worker group, in that order.
	Pods []Pod `json:"pods"`
	// Notes are plain-language observations, task-level ones first, then per pod in pod order.
	Notes []Note `json:"notes"`
}

// Pod describes the primary container and pod-level settings of one DaskJob component.
type Pod struct {
	// Role is RoleJobRunner, RoleScheduler or RoleWorker.
	Role string `json:"role"`
	// ContainerName is the primary container's name (ContainerJobRunner, ContainerScheduler, ContainerWorker).
	ContainerName string `json:"containerName"`
	// Image is the primary container's image.
	Image string `json:"image"`
	// Command is the primary container's command; empty means the image entrypoint.
	Command []string `json:"command,omitempty"`
	// Args are the primary container's args. The job runner's are shown before the backend renders
	// their templates ({{.input}}, {{.outputPrefix}}, …). The scheduler's are ["dask-scheduler"] and
	// the workers' start with "dask-worker" (Flyte v1 line; the v2 line after flyte#7707 uses
	// "dask", "scheduler" and "dask", "worker" instead).
	Args []string `json:"args"`
	// Requests maps Kubernetes resource names to canonical quantity strings. For scheduler and
	// workers with Dask custom resources this is the Flyte ≥ v1.15.1 result; older backends used
	// the custom values raw (see the package documentation).
	Requests map[string]string `json:"requests"`
	// Limits maps Kubernetes resource names to canonical quantity strings (same version caveat as
	// Requests).
	Limits map[string]string `json:"limits"`
	// Replicas is 1 for the job runner and scheduler, numberOfWorkers for the workers.
	Replicas int `json:"replicas"`
	// RestartPolicy is RestartNever or RestartAlways.
	RestartPolicy string `json:"restartPolicy"`
	// Interruptible reports whether the pod gets the interruptible tolerations, node selector and affinity.
	Interruptible bool `json:"interruptible"`
	// Ports are the primary container's ports (scheduler only).
	Ports []Port `json:"ports,omitempty"`
	// NodeAffinity is the pod's required node affinity: the pod spec's terms (k8s_pod target) with
	// the GPU accelerator's requirements added to each (flyteplugins v1.16.8
	// ApplyGPUNodeSelectors). Requirements the platform configures (interruptible and
	// non-interruptible node selector requirements) are not listed.
	NodeAffinity []NodeSelectorTerm `json:"nodeAffinity,omitempty"`
	// Tolerations are the pod spec's tolerations followed by the GPU accelerator's. Tolerations the
	// platform configures (interruptible, resource-tolerations, add-tolerations-for-extended-resources)
	// are not listed.
	Tolerations []Toleration `json:"tolerations,omitempty"`
	// Volumes are the pod spec's volumes followed by the shared-memory emptyDir.
	Volumes []Volume `json:"volumes,omitempty"`
	// VolumeMounts are the primary container's mounts followed by the shared-memory mount.
	VolumeMounts []VolumeMount `json:"volumeMounts,omitempty"`
}

// Port is a named container port.
type Port struct {
	// Name is the port name.
	Name string `json:"name"`
	// Port is the container port number (TCP).
	Port int32 `json:"port"`
}

// Note is a plain-language observation about the built job.
type Note struct {
	// Pod is the role the note is about; empty for task-level notes.
	Pod string `json:"pod,omitempty"`
	// Field names what the note is about, e.g. "limits.memory", "args", "image".
	Field string `json:"field,omitempty"`
	// Message is the observation.
	Message string `json:"message"`
}

// BuildError is an error the backend's BuildResource would return for the template. Flyte reports it
// as a permanent failure with code FailedToBuildResource and the message
// "could not build resource for task: " + Error().
type BuildError struct {
	// Code is CodeBadTaskSpecification, or empty when the backend returns a plain error
	// (unparsable quantities).
	Code string
	// Message is the backend's message.
	Message string
	// Err is the cause, if any.
	Err error
}

// Error renders the error the way the backend does: "[Code] message, caused by: cause" for coded
// errors and "message: cause" for plain ones.
func (e *BuildError) Error() string {
	var b strings.Builder
	if e.Code != "" {
		b.WriteString("[" + e.Code + "] ")
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		if e.Code != "" {
			b.WriteString(", caused by: ")
		} else {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *BuildError) Unwrap() error { return e.Err }

func badSpec(format string, args ...any) error {
	return &BuildError{Code: CodeBadTaskSpecification, Message: fmt.Sprintf(format, args...)}
}

// basePod is the primary container of the task's pod before Dask-specific changes.
type basePod struct {
	target        string // "container" or "k8s_pod"
	image         string
	command, args []string
	env           []string // env var names
	resources     rawRequirements
	others        []string // other containers' names (k8s_pod only)
	restartPolicy string   // pod spec restartPolicy (k8s_pod only)
	othersGPU     bool     // another container requests or limits a GPU (k8s_pod only)
	placement     placement
}

// Explain computes what the current Flyte backend (v1 line, ≥ v1.15.1) builds for a Dask task
// template under the given platform settings: the job runner, scheduler and worker pods, plus
// notes. It returns a *BuildError when the backend's BuildResource would fail, with the backend's
// text. A Platform list keyed by a name other than the four Kubernetes resource names (see Platform)
// is the caller's mistake, reported first as a plain error that names each such key. It never
// contacts a cluster, does not modify tmpl, and is safe for concurrent use. See the package
// documentation for what is modelled.
func Explain(tmpl *core.TaskTemplate, p Platform) (*Job, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if tmpl == nil {
		return nil, badSpec("nil task specification")
	}
	job, err := decodeCustom(tmpl.GetCustom())
	if err != nil {
		return nil, err
	}
	base, err := buildBasePod(tmpl)
	if err != nil {
		return nil, err
	}
	runnerRes := applyOverrides(base.resources, p)
	pl := base.placement
	if err := applyExtendedResources(tmpl.GetExtendedResources(), base, runnerRes, &pl); err != nil {
		return nil, err
	}

	workers := job.GetWorkers()
	workerRes, workerCustom := runnerRes, false
	if hasEntries(workers.GetResources()) {
		raw, err := toRequirements(workers.GetResources())
		if err != nil {
			return nil, err
		}
		workerRes, workerCustom = applyOverrides(raw, p), true
	}
	scheduler := job.GetScheduler()
	schedRes, schedCustom := runnerRes, false
	if hasEntries(scheduler.GetResources()) {
		raw, err := toRequirements(scheduler.GetResources())
		if err != nil {
			return nil, err
		}
		schedRes, schedCustom = applyOverrides(raw, p), true
	}

	interruptible := tmpl.GetMetadata().GetInterruptible()
	runner := Pod{
		Role:          RoleJobRunner,
		ContainerName: ContainerJobRunner,
		Image:         base.image,
		Command:       cloneStrings(base.command),
		Args:          cloneStrings(base.args),
		Requests:      runnerRes.requests.strings(),
		Limits:        runnerRes.limits.strings(),
		Replicas:      1,
		RestartPolicy: RestartNever,
	}
	sched := Pod{
		Role:          RoleScheduler,
		ContainerName: ContainerScheduler,
		Image:         imageOr(scheduler.GetImage(), base.image),
		Command:       cloneStrings(base.command),
		Args:          []string{"dask-scheduler"},
		Requests:      schedRes.requests.strings(),
		Limits:        schedRes.limits.strings(),
		Replicas:      1,
		RestartPolicy: RestartAlways,
		Ports:         []Port{{Name: PortNameComm, Port: PortComm}, {Name: PortNameDashboard, Port: PortDashboard}},
	}
	worker := Pod{
		Role:          RoleWorker,
		ContainerName: ContainerWorker,
		Image:         imageOr(workers.GetImage(), base.image),
		Command:       cloneStrings(base.command),
		Args:          workerArgs(workerRes),
		Requests:      workerRes.requests.strings(),
		Limits:        workerRes.limits.strings(),
		Replicas:      int(workers.GetNumberOfWorkers()),
		RestartPolicy: RestartAlways,
		Interruptible: interruptible,
	}
	pl.apply(&runner)
	pl.apply(&sched)
	pl.apply(&worker)
	out := &Job{Task: tmpl.GetId().GetName(), Pods: []Pod{runner, sched, worker}}
	n := noter{tmpl: tmpl, base: base, runner: runnerRes, sched: schedRes, worker: workerRes,
		schedCustom: schedCustom, workerCustom: workerCustom, pods: out.Pods, placement: pl}
	out.Notes = n.notes()
	return out, nil
}

// workerArgs mirrors createWorkerSpec: --nthreads is the cpu limit's Value() (rounded up) and
// --memory-limit the memory limit's canonical String(). After applyOverrides both limits exist.
func workerArgs(r requirements) []string {
	args := []string{"dask-worker", "--name", WorkerNameArg}
	cpu := r.limits[ResourceCPU].q
	mem := r.limits[ResourceMemory].q
	return append(args, "--nthreads", fmt.Sprint(cpu.Value()), "--memory-limit", mem.String())
}

func imageOr(custom, task string) string {
	if custom != "" {
		return custom
	}
	return task
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// decodeCustom mirrors flytestdlib utils.UnmarshalStructToPb as the backend calls it: the Struct is
// written as JSON with golang/protobuf jsonpb and read into plugins.DaskJob with AllowUnknownFields
// (reproduced in jsonpb.go, since golang/protobuf must not enter this module).
// The backend prints the Struct in proto text form inside the message; Explain prints compact JSON
// instead (proto text form is deliberately unstable).
func decodeCustom(custom *structpb.Struct) (*plugins.DaskJob, error) {
	fail := func(shown string, cause error) error {
		return &BuildError{Code: CodeBadTaskSpecification,
			Message: fmt.Sprintf("invalid TaskSpecification [%s], failed to unmarshal", shown), Err: cause}
	}
	if custom == nil {
		return nil, fail("<nil>", errors.New("nil Struct object passed"))
	}
	text, err := jsonpbStruct(custom)
	if err != nil {
		return nil, fail(showStruct(custom), fmt.Errorf("Failed to marshal strcutObj input: %w", err))
	}
	job := &plugins.DaskJob{}
	if err := jsonpbUnmarshal([]byte(text), job.ProtoReflect()); err != nil {
		return nil, fail(text, fmt.Errorf("Failed to unmarshal json obj into proto: %w", err))
	}
	return job, nil
}

// showStruct renders a Struct as compact JSON for messages, or a placeholder if it cannot.
// protojson's output is deliberately unstable (it adds a space after commas in some builds), so it
// is compacted: the message is then the same for every build.
func showStruct(s *structpb.Struct) string {
	b, err := protojson.MarshalOptions{}.Marshal(s)
	if err != nil {
		return "<unprintable Struct>"
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return string(b)
	}
	return out.String()
}

// buildBasePod mirrors flytek8s.BuildRawPod plus the primary-container part of
// ApplyFlytePodConfiguration that Explain models.
func buildBasePod(tmpl *core.TaskTemplate) (*basePod, error) {
	switch target := tmpl.GetTarget().(type) {
	case *core.TaskTemplate_Container:
		c := target.Container
		if c == nil {
			return nil, badSpec("unable to create container with no definition in TaskTemplate")
		}
		res, err := toRequirements(c.GetResources())
		if err != nil {
			return nil, err
		}
		b := &basePod{target: "container", image: c.GetImage(), command: c.GetCommand(), args: c.GetArgs(), resources: res}
		for _, kv := range c.GetEnv() {
			b.env = append(b.env, kv.GetKey())
		}
		return b, nil
	case *core.TaskTemplate_K8SPod:
		return podTarget(tmpl, target.K8SPod)
	default:
		return nil, badSpec("invalid TaskSpecification, unable to determine Pod configuration")
	}
}

// podSpecJSON is the part of a Kubernetes PodSpec that Explain reads.
type podSpecJSON struct {
	Containers    []containerJSON `json:"containers"`
	RestartPolicy string          `json:"restartPolicy"`
	Tolerations   []Toleration    `json:"tolerations"`
	Volumes       []struct {
		Name     string `json:"name"`
		EmptyDir *struct {
			Medium    string             `json:"medium"`
			SizeLimit *resource.Quantity `json:"sizeLimit"`
		} `json:"emptyDir"`
	} `json:"volumes"`
	Affinity struct {
		NodeAffinity struct {
			Required struct {
				Terms []NodeSelectorTerm `json:"nodeSelectorTerms"`
			} `json:"requiredDuringSchedulingIgnoredDuringExecution"`
		} `json:"nodeAffinity"`
	} `json:"affinity"`
}

type containerJSON struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command"`
	Args    []string `json:"args"`
	Env     []struct {
		Name string `json:"name"`
	} `json:"env"`
	Resources struct {
		Requests map[string]resource.Quantity `json:"requests"`
		Limits   map[string]resource.Quantity `json:"limits"`
	} `json:"resources"`
	VolumeMounts []VolumeMount `json:"volumeMounts"`
}

func podTarget(tmpl *core.TaskTemplate, pod *core.K8SPod) (*basePod, error) {
	if pod.GetPodSpec() == nil {
		return nil, badSpec("Pod tasks with task type version > 1 should specify their target as a K8sPod with a defined pod spec")
	}
	var spec podSpecJSON
	raw, err := json.Marshal(pod.GetPodSpec())
	if err == nil {
		err = json.Unmarshal(raw, &spec)
	}
	if err != nil {
		return nil, badSpec("Unable to unmarshal task k8s pod [%s], Err: [%v]", showStruct(pod.GetPodSpec()), err.Error())
	}
	primary, ok := tmpl.GetConfig()["primary_container_name"]
	if !ok {
		return nil, badSpec("invalid TaskSpecification, config missing [%s] key in [%v]", "primary_container_name", tmpl.GetConfig())
	}
	b := &basePod{target: "k8s_pod", restartPolicy: spec.RestartPolicy}
	b.placement.affinity = spec.Affinity.NodeAffinity.Required.Terms
	b.placement.tolerations = spec.Tolerations
	for _, v := range spec.Volumes {
		vol := Volume{Name: v.Name}
		if ed := v.EmptyDir; ed != nil {
			vol.EmptyDir = &EmptyDir{Medium: ed.Medium}
			if ed.SizeLimit != nil {
				vol.EmptyDir.SizeLimit = ed.SizeLimit.String()
			}
		}
		b.placement.volumes = append(b.placement.volumes, vol)
	}
	found := false
	for _, c := range spec.Containers {
		if c.Name != primary || found {
			b.others = append(b.others, c.Name)
			// A request alone is enough: ApplyResourceOverrides writes Limits[nvidia.com/gpu]
			// once the GPU is requested, and ApplyGPUNodeSelectors tests that key's presence.
			_, limGPU := sanitizeGPU(c.Resources.Limits)[ResourceGPU]
			_, reqGPU := sanitizeGPU(c.Resources.Requests)[ResourceGPU]
			if limGPU || reqGPU {
				b.othersGPU = true
			}
			continue
		}
		found = true
		b.placement.volumeMounts = c.VolumeMounts
		b.image, b.command, b.args = c.Image, c.Command, c.Args
		for _, e := range c.Env {
			b.env = append(b.env, e.Name)
		}
		b.resources = rawRequirements{requests: sanitizeGPU(c.Resources.Requests), limits: sanitizeGPU(c.Resources.Limits)}
	}
	if !found {
		return nil, badSpec("invalid TaskSpecification, primary container [%s] not defined", primary)
	}
	return b, nil
}

// sanitizeGPU mirrors SanitizeGPUResourceRequirements: a resource named "gpu" becomes nvidia.com/gpu.
func sanitizeGPU(in map[string]resource.Quantity) ResourceList {
	out := ResourceList{}
	for k, v := range in {
		out[k] = v
	}
	if q, ok := out["gpu"]; ok {
		out[ResourceGPU] = q
		delete(out, "gpu")
	}
	return out
}
