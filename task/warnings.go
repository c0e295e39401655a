package task

import (
	"fmt"

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
	return append(ws, t.Dask.Warnings(field.NewPath("dask"))...)
}
