package task

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/field"
)

// Warning codes reported by Task.Warnings, besides dask's own
// (dask.WarnWorkersNoLimits, ...). They are stable: tools may filter on them.
const (
	// WarnDaskEnv: the environment sets a variable the Dask operator injects.
	WarnDaskEnv = "env-dask-reserved"
	// WarnImageDiffers: a scheduler or worker image differs from the task image.
	WarnImageDiffers = "image-differs"
	// WarnInterruptible: interruptible applies to the workers only.
	WarnInterruptible = "interruptible-workers-only"
	// WarnRestartPolicy: a pod template restart policy is overridden.
	WarnRestartPolicy = "pod-template-restart-policy"
	// WarnAcceleratorNoGPU: an accelerator is set but the task (the job
	// runner) has no GPU, so the backend ignores it for every pod.
	WarnAcceleratorNoGPU = "accelerator-without-gpu"
	// WarnAcceleratorAllPods: the accelerator's node affinity and
	// toleration also place the scheduler on GPU nodes, where it holds the
	// task's GPU unless dask.scheduler sets its own resources.
	WarnAcceleratorAllPods = "accelerator-all-pods"
	// WarnSharedMemoryAboveLimit: the shared-memory size exceeds a pod's
	// memory limit; what is written to /dev/shm counts against that limit.
	WarnSharedMemoryAboveLimit = "shared-memory-above-memory-limit"
	// WarnAcceleratorPartition: a partition flytekit does not define for a
	// device it knows, or a partition of a device it knows as a whole GPU.
	WarnAcceleratorPartition = "accelerator-unknown-partition"
)

// Warnings returns what is legal in t but against Dask or Flyte best
// practice, or surprising, each with its field path. They never stop Build.
func (t Task) Warnings() field.Warnings {
	var ws field.Warnings
	for _, name := range [...]string{"DASK_SCHEDULER_ADDRESS", "DASK_WORKER_NAME"} {
		if _, ok := t.Environment[name]; ok {
			ws.Add(field.NewPath("environment").Key(name), WarnDaskEnv, fmt.Sprintf(
				"%s is injected by the Dask operator, which stops injecting it when the container already sets it: workers then cannot find the scheduler; remove it", name))
		}
	}
	taskImage := t.Image
	if taskImage == "" && t.PodTemplate != nil {
		taskImage = t.PodTemplate.primaryImage()
	}
	for _, c := range [...]struct{ role, image string }{{"scheduler", t.Dask.Scheduler.Image}, {"workers", t.Dask.Workers.Image}} {
		if c.image != "" && c.image != taskImage {
			ws.Add(field.NewPath("dask", c.role, "image"), WarnImageDiffers, fmt.Sprintf(
				"%s image %s differs from the task image %s: the job runner, scheduler and workers need the same Python environment", c.role, c.image, taskImage))
		}
	}
	if t.Interruptible != nil && *t.Interruptible {
		ws.Add(field.NewPath("interruptible"), WarnInterruptible,
			"only the Dask workers run on interruptible nodes; the job runner and scheduler are always scheduled as non-interruptible")
	}
	if t.PodTemplate != nil && t.PodTemplate.Spec.RestartPolicy != "" {
		ws.Add(field.NewPath("pod_template", "spec", "restartPolicy"), WarnRestartPolicy,
			"the Dask backend overrides restartPolicy (Never for the job runner, Always for scheduler and workers); remove it")
	}
	ws = append(ws, t.extendedResourceWarnings()...)
	return append(ws, t.Dask.Warnings(field.NewPath("dask"))...)
}

// taskHasGPU reports whether the task's pod has a GPU the backend's
// ApplyGPUNodeSelectors sees: it tests the presence of the GPU key in a
// container's limits (a request alone gets a limit from ApplyResourceOverrides),
// not its value. Without a pod template the task's resources go through
// ToK8sResourceList, which drops zero quantities, so a GPU of 0 is no GPU; with
// one, the pod spec's resources (the task's own copied into the primary
// container, and every container's) keep the key even at 0, and the backend
// then applies the accelerator to all pods.
func (t Task) taskHasGPU() bool {
	if t.PodTemplate == nil {
		return nonZero(t.Requests.GPU) || nonZero(t.Limits.GPU)
	}
	if t.Requests.GPU != "" || t.Limits.GPU != "" {
		return true
	}
	for _, c := range t.PodTemplate.Spec.Containers {
		for _, list := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
			for _, name := range []corev1.ResourceName{"gpu", "nvidia.com/gpu"} {
				if _, ok := list[name]; ok {
					return true
				}
			}
		}
	}
	return false
}

func nonZero(q string) bool {
	v, err := resource.ParseQuantity(q)
	return err == nil && !v.IsZero()
}

func (t Task) extendedResourceWarnings() field.Warnings {
	var ws field.Warnings
	if a := t.Accelerator; a != nil && a.Device != "" {
		p := field.NewPath("accelerator")
		if !t.taskHasGPU() {
			msg := fmt.Sprintf("accelerator %s is ignored: the backend applies it only when the task itself (the job runner) has a GPU; set requests.gpu or limits.gpu", a.Device)
			if nonZero(t.Dask.Workers.Requests.GPU) || nonZero(t.Dask.Workers.Limits.GPU) {
				msg += " (a GPU in dask.workers does not count, so the workers are not placed on " + a.Device + " nodes)"
			}
			ws.Add(p, WarnAcceleratorNoGPU, msg)
		} else if t.Dask.Scheduler.Requests.IsZero() && t.Dask.Scheduler.Limits.IsZero() {
			ws.Add(p, WarnAcceleratorAllPods, fmt.Sprintf(
				"the backend requires %s nodes for the job runner, the scheduler and the workers alike, and the scheduler, without resources of its own, inherits the task's GPU: it holds a %s for the whole job; set dask.scheduler requests/limits (without gpu)", a.Device, a.Device))
		}
	}
	if a := t.Accelerator; a != nil && a.PartitionSize != "" {
		sizes, multi := knownPartitions(a.Device)
		switch {
		case multi && !slices.Contains(sizes, a.PartitionSize):
			ws.Add(field.NewPath("accelerator", "partition_size"), WarnAcceleratorPartition, fmt.Sprintf(
				"flytekit defines no %s partition of %s (it has %s): unless your GPU nodes carry that k8s.amazonaws.com/gpu-partition-size label, the pods never schedule",
				a.PartitionSize, a.Device, strings.Join(sizes, ", ")))
		case !multi && a.Device != "" && isKnownDevice(a.Device):
			ws.Add(field.NewPath("accelerator", "partition_size"), WarnAcceleratorPartition, fmt.Sprintf(
				"flytekit knows %s as a whole GPU without partitions: unless your GPU nodes carry the partition label %s, the pods never schedule",
				a.Device, a.PartitionSize))
		}
	}
	if sm := t.SharedMemory; sm != nil && sm.SizeLimit != "" {
		size, err := resource.ParseQuantity(sm.SizeLimit)
		if err != nil {
			return ws
		}
		for _, c := range [...]struct{ who, limit string }{
			{"the task's (job runner's) memory limit", t.Limits.Mem},
			{"the scheduler's memory limit (dask.scheduler.limits.mem)", t.Dask.Scheduler.Limits.Mem},
			{"the workers' memory limit (dask.workers.limits.mem)", t.Dask.Workers.Limits.Mem},
		} {
			lim, err := resource.ParseQuantity(c.limit)
			if c.limit == "" || err != nil || lim.IsZero() || size.Cmp(lim) <= 0 {
				continue
			}
			ws.Add(field.NewPath("shared_memory"), WarnSharedMemoryAboveLimit, fmt.Sprintf(
				"shared memory %s is above %s %s: the volume is on every Dask pod and what is written to it counts against the container's memory, so the pod is killed before /dev/shm is full",
				sm.SizeLimit, c.who, c.limit))
		}
	}
	return ws
}
