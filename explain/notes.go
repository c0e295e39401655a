package explain

import (
	"fmt"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

// noter derives notes from the resolution results.
type noter struct {
	tmpl                      *core.TaskTemplate
	base                      *basePod
	runner, sched, worker     requirements
	schedCustom, workerCustom bool
	pods                      []Pod // runner, scheduler, worker
	placement                 placement
	out                       []Note
}

func (n *noter) add(pod, field, format string, args ...any) {
	n.out = append(n.out, Note{Pod: pod, Field: field, Message: fmt.Sprintf(format, args...)})
}

// userName is the name a Dask resource has in the SDK's field paths (mem, not memory).
func userName(k8sName string) string {
	switch k8sName {
	case ResourceMemory:
		return "mem"
	case ResourceGPU:
		return "gpu"
	case ResourceEphemeralStorage:
		return "ephemeral_storage"
	}
	return k8sName
}

func (n *noter) notes() []Note {
	n.taskNotes()
	n.runnerNotes()
	n.schedulerNotes()
	n.workerNotes()
	if n.out == nil {
		return []Note{}
	}
	return n.out
}

func (n *noter) taskNotes() {
	if t := n.tmpl.GetType(); t != "dask" {
		n.add("", "type", "task type is %q, not \"dask\": the Dask plugin only builds tasks of type dask", t)
	}
	for _, name := range n.base.env {
		if name == "DASK_SCHEDULER_ADDRESS" || name == "DASK_WORKER_NAME" {
			n.add("", "env", "the task sets %s: the dask operator then does not inject its own value, which breaks cluster discovery", name)
		}
	}
	if len(n.base.others) > 0 {
		names := make([]string, len(n.base.others))
		for i, o := range n.base.others {
			names[i] = display(o)
		}
		n.add("", "containers", "the pod spec's other containers (%s) are copied into all three pods", strings.Join(names, ", "))
	}
	n.extendedNotes()
	if n.base.restartPolicy != "" {
		n.add("", "restartPolicy", "the pod spec's restartPolicy %s is replaced (Never for the job runner, Always for the scheduler and workers)", display(n.base.restartPolicy))
	}
}

func (n *noter) runnerNotes() {
	for _, name := range []string{ResourceCPU, ResourceMemory} {
		e := n.runner.requests[name]
		if e.from == originDefault {
			n.add(RoleJobRunner, "requests."+name, "%s comes from the platform default request (%s): the task sets no %s", name, e.q.String(), name)
		}
	}
	n.cappedNotes(RoleJobRunner, n.runner)
}

func (n *noter) cappedNotes(role string, r requirements) {
	for _, name := range orderedNames(keysOf(r.limits)) {
		if e := r.limits[name]; e.capped {
			n.add(role, "limits."+name, "%s limit %s is lowered to %s %s", name, e.was.String(), e.cappedBy, e.q.String())
		}
	}
	for _, name := range orderedNames(keysOf(r.requests)) {
		e := r.requests[name]
		if !e.capped || (e.from == originFromLimit && r.limits[name].capped) {
			continue // a request copied from a capped limit is explained by the limit's note
		}
		n.add(role, "requests."+name, "%s request %s is lowered to %s %s", name, e.was.String(), e.cappedBy, e.q.String())
	}
}

func (n *noter) imageNote(role string, pod Pod) {
	if pod.Image != n.base.image {
		n.add(role, "image", "%s image %q differs from the task image %q: Dask needs the same Python environment in all pods", role, pod.Image, n.base.image)
	}
}

func (n *noter) commandNote(role string, pod Pod) {
	if len(pod.Command) > 0 {
		n.add(role, "command", "the task command [%s] is kept: it runs with the args [%s] instead of the image entrypoint",
			joinArgs(pod.Command), joinArgs(pod.Args))
	}
}

func (n *noter) schedulerNotes() {
	pod := n.pods[1]
	if !n.schedCustom {
		n.add(RoleScheduler, "resources", "no Dask scheduler resources are set: the scheduler gets the job runner's resources")
		if gpu, ok := n.sched.limits[ResourceGPU]; ok {
			n.add(RoleScheduler, "limits."+ResourceGPU, "the scheduler holds the task's GPU (%s) for the whole job: set Dask scheduler resources to avoid it", gpu.q.String())
		}
	} else {
		for _, name := range []string{ResourceCPU, ResourceMemory} {
			e := n.sched.requests[name]
			if e.from != originDefault {
				continue
			}
			if t := n.runner.requests[name]; t.from != originDefault {
				n.add(RoleScheduler, "requests."+name, "scheduler %s comes from the platform default request (%s), not the task's (%s): set it in the Dask scheduler resources",
					name, e.q.String(), t.q.String())
			} else {
				n.add(RoleScheduler, "requests."+name, "scheduler %s comes from the platform default request (%s): set it in the Dask scheduler resources", name, e.q.String())
			}
		}
		n.cappedNotes(RoleScheduler, n.sched)
	}
	n.imageNote(RoleScheduler, pod)
	n.commandNote(RoleScheduler, pod)
}

func (n *noter) workerNotes() {
	pod := n.pods[2]
	if pod.Replicas == 0 {
		n.add(RoleWorker, "replicas", "no worker replicas (numberOfWorkers is 0 or workers are missing): the job waits for workers that never start")
	}
	cpu, mem := n.worker.limits[ResourceCPU], n.worker.limits[ResourceMemory]
	if !n.workerCustom {
		n.add(RoleWorker, "resources", "no Dask worker resources are set: workers get the job runner's resources, so --nthreads %d and --memory-limit %s follow the task's limits",
			cpu.q.Value(), mem.q.String())
	} else {
		for _, name := range []string{ResourceCPU, ResourceMemory} {
			switch e := n.worker.limits[name]; e.from {
			case originDefault:
				n.add(RoleWorker, "limits."+name, "worker %s limit comes from the platform default (%s): set dask.workers.limits.%s", name, e.q.String(), userName(name))
			case originFromRequest:
				n.add(RoleWorker, "limits."+name, "worker %s limit copies the request (%s): Dask advises setting limits", name, e.q.String())
			}
		}
		n.cappedNotes(RoleWorker, n.worker)
		if _, gpu := n.worker.limits[ResourceGPU]; gpu {
			if _, runnerGPU := n.runner.limits[ResourceGPU]; !runnerGPU {
				n.add(RoleWorker, "limits."+ResourceGPU, "GPU is requested for workers only: GPU tolerations and node selectors are derived from the task's own resources, so workers may not be placed on GPU nodes; dask-cuda-worker is not used either")
			}
		}
	}
	if cpu.q.MilliValue()%1000 != 0 {
		threads := "threads"
		if cpu.q.Value() == 1 {
			threads = "thread"
		}
		n.add(RoleWorker, "args", "workers get %d %s on a %s CPU limit (--nthreads rounds up)", cpu.q.Value(), threads, cpu.q.String())
	}
	for _, name := range []string{ResourceCPU, ResourceMemory} {
		req, lim := n.worker.requests[name], n.worker.limits[name]
		if req.q.Cmp(lim.q) != 0 {
			n.add(RoleWorker, "requests."+name, "worker %s request %s differs from its limit %s: Dask advises equal requests and limits (Guaranteed QoS)",
				name, req.q.String(), lim.q.String())
		}
	}
	if pod.Interruptible {
		n.add(RoleWorker, "interruptible", "interruptible applies to workers only: the job runner and scheduler always run non-interruptible")
	}
	n.imageNote(RoleWorker, pod)
	n.commandNote(RoleWorker, pod)
}

// extendedNotes explains what the backend did with extended_resources and task metadata labels.
func (n *noter) extendedNotes() {
	er := n.tmpl.GetExtendedResources()
	if acc := er.GetGpuAccelerator(); acc != nil {
		if n.placement.gpuApplied {
			n.add("", "extendedResources.gpuAccelerator", "accelerator %s: the job runner, the scheduler and the workers all require %s nodes (node affinity and toleration), whatever their own resources",
				display(acc.GetDevice()), display(acc.GetDevice()))
		} else {
			msg := "accelerator %s is ignored: the backend applies it only when the task's own pod (the job runner) has a GPU"
			if _, ok := n.worker.limits[ResourceGPU]; ok && n.workerCustom {
				msg += "; the workers' GPU does not count, so they are not placed on %s nodes"
				n.add("", "extendedResources.gpuAccelerator", msg, display(acc.GetDevice()), display(acc.GetDevice()))
			} else {
				n.add("", "extendedResources.gpuAccelerator", msg, display(acc.GetDevice()))
			}
		}
	}
	if sm := er.GetSharedMemory(); sm != nil {
		size := "bounded by the pod's memory"
		if sm.GetSizeLimit() != "" {
			size = "size limit " + display(sm.GetSizeLimit())
		}
		n.add("", "extendedResources.sharedMemory", "shared memory: a memory-backed emptyDir %s (%s) is mounted at %s in all three pods; what is written there counts against each container's memory limit",
			display(sm.GetMountName()), size, display(sm.GetMountPath()))
	}
	if md := n.tmpl.GetMetadata().GetMetadata(); len(md.GetLabels())+len(md.GetAnnotations()) > 0 {
		n.add("", "metadata.metadata", "task labels and annotations (metadata.metadata) are not put on the pods by flyteplugins v1.16.8: use the pod template's metadata for that")
	}
}
