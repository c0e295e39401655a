package dask

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/field"
)

// Warning codes reported by Config.Warnings. They are stable: tools may
// filter on them.
const (
	// WarnWorkersNoLimits: no worker limits, so --nthreads and --memory-limit
	// come from the task's or the platform's resources.
	WarnWorkersNoLimits = "workers-no-limits"
	// WarnWorkersPartialLimits: only one of cpu and mem limited for workers.
	WarnWorkersPartialLimits = "workers-partial-limits"
	// WarnWorkersFractionalCPU: a fractional worker cpu limit; --nthreads rounds up.
	WarnWorkersFractionalCPU = "workers-fractional-cpu"
	// WarnWorkersRequestNotLimit: a worker request differs from its limit.
	WarnWorkersRequestNotLimit = "workers-request-not-limit"
	// WarnWorkersGPU: GPU workers still start plain dask-worker.
	WarnWorkersGPU = "workers-gpu"
)

// Warnings returns what is legal in c but against Dask's guidance or
// surprising on Flyte, with paths below path. Invalid quantities are left to
// Validate and produce no warning.
func (c Config) Warnings(path *field.Path) field.Warnings {
	var ws field.Warnings
	wp := path.Child("workers")
	lim, req := c.Workers.Limits, c.Workers.Requests
	switch {
	case lim.CPU == "" && lim.Mem == "":
		ws.Add(wp.Child("limits"), WarnWorkersNoLimits,
			"no worker cpu/mem limits: --nthreads and --memory-limit will come from the task's or the platform's defaults; set workers.limits.cpu and workers.limits.mem (Dask advises limits equal to requests)")
	case lim.CPU == "":
		ws.Add(wp.Child("limits", "cpu"), WarnWorkersPartialLimits,
			"worker mem is limited but cpu is not: --nthreads will come from the platform's default cpu; set workers.limits.cpu")
	case lim.Mem == "":
		ws.Add(wp.Child("limits", "mem"), WarnWorkersPartialLimits,
			"worker cpu is limited but mem is not: --memory-limit will come from the platform's default memory; set workers.limits.mem")
	}
	if q, err := resource.ParseQuantity(lim.CPU); err == nil && lim.CPU != "" {
		if _, exact := q.AsScale(0); !exact {
			ws.Add(wp.Child("limits", "cpu"), WarnWorkersFractionalCPU, fmt.Sprintf(
				"worker cpu limit %s is fractional: the backend rounds --nthreads up, so each worker runs %d threads on %s CPUs; use a whole number",
				lim.CPU, q.Value(), q.String()))
		}
	}
	for _, pair := range [...]struct{ name, req, lim string }{{"cpu", req.CPU, lim.CPU}, {"mem", req.Mem, lim.Mem}} {
		if pair.req == "" || pair.lim == "" {
			continue
		}
		rq, err1 := resource.ParseQuantity(pair.req)
		lq, err2 := resource.ParseQuantity(pair.lim)
		if err1 == nil && err2 == nil && rq.Cmp(lq) != 0 {
			ws.Add(wp.Child("requests", pair.name), WarnWorkersRequestNotLimit, fmt.Sprintf(
				"worker %s request %s differs from its limit %s: Dask advises equal values (Guaranteed QoS avoids eviction and KilledWorker errors)",
				pair.name, pair.req, pair.lim))
		}
	}
	if req.GPU != "" || lim.GPU != "" {
		p := wp.Child("limits", "gpu")
		if lim.GPU == "" {
			p = wp.Child("requests", "gpu")
		}
		ws.Add(p, WarnWorkersGPU,
			"GPU workers still start plain dask-worker (not dask-cuda-worker): the worker image must set up CUDA itself")
	}
	return ws
}
