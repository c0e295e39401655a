package dask

import (
	"fmt"
	"strconv"

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
	// The backend (Flyte >= v1.15.1) copies a missing limit from its request,
	// so --nthreads and --memory-limit follow the effective limit.
	effCPU, effMem := firstSet(lim.CPU, req.CPU), firstSet(lim.Mem, req.Mem)
	switch {
	case effCPU == "" && effMem == "":
		ws.Add(wp.Child("limits"), WarnWorkersNoLimits,
			"no worker cpu/mem limits: --nthreads and --memory-limit will come from the task's or the platform's defaults; set workers.limits.cpu and workers.limits.mem (Dask advises limits equal to requests)")
	case effCPU == "":
		ws.Add(wp.Child("limits", "cpu"), WarnWorkersPartialLimits,
			"worker mem is set but cpu is not: --nthreads will come from the platform's default cpu; set workers.limits.cpu")
	case effMem == "":
		ws.Add(wp.Child("limits", "mem"), WarnWorkersPartialLimits,
			"worker cpu is set but mem is not: --memory-limit will come from the platform's default memory; set workers.limits.mem")
	}
	if q, err := resource.ParseQuantity(effCPU); err == nil && effCPU != "" {
		if _, exact := q.AsScale(0); !exact {
			p := wp.Child("limits", "cpu")
			if lim.CPU == "" {
				p = wp.Child("requests", "cpu")
			}
			ws.Add(p, WarnWorkersFractionalCPU, fmt.Sprintf(
				"worker cpu limit %s is fractional: the backend rounds --nthreads up, so each worker runs %d threads on a %s limit; use a whole number",
				effCPU, q.Value(), cpuString(q)))
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

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// cpuString renders a cpu quantity in cores, e.g. 1500m as "1.5-CPU".
func cpuString(q resource.Quantity) string {
	return strconv.FormatFloat(float64(q.MilliValue())/1000, 'f', -1, 64) + "-CPU"
}
