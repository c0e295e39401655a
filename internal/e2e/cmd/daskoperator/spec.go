//go:build linux

package main

import (
	"fmt"
	"regexp"
)

// daskJob is the part of a kubernetes.dask.org/v1 DaskJob this operator reads
// (the shape flyteplugins' dask plugin writes: spec.job.spec is the job-runner
// pod, spec.cluster.spec.{scheduler,worker} the cluster).
type daskJob struct {
	Metadata struct {
		Name            string `json:"name"`
		Namespace       string `json:"namespace"`
		UID             string `json:"uid"`
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
	Spec struct {
		Job struct {
			Spec podSpec `json:"spec"`
		} `json:"job"`
		Cluster struct {
			Spec struct {
				Worker struct {
					Replicas int     `json:"replicas"`
					Spec     podSpec `json:"spec"`
				} `json:"worker"`
				Scheduler struct {
					Spec podSpec `json:"spec"`
				} `json:"scheduler"`
			} `json:"spec"`
		} `json:"cluster"`
	} `json:"spec"`
	Status struct {
		JobStatus        string `json:"jobStatus"`
		JobRunnerPodName string `json:"jobRunnerPodName"`
	} `json:"status"`
}

type podSpec struct {
	Containers []container `json:"containers"`
}

type container struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command"`
	Args    []string `json:"args"`
	Env     []envVar `json:"env"`
}

type envVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// ValueFrom (field refs, secrets) is not resolved: no kubelet.
}

// Job status values of dask-kubernetes' DaskJob (the Go client types that
// flyteplugins v1.1.31 compiles against).
const (
	jobCreated        = "JobCreated"
	jobClusterCreated = "ClusterCreated"
	jobRunning        = "Running"
	jobSuccessful     = "Successful"
	jobFailed         = "Failed"
)

// containerNamed returns the container called name, else the first one.
func (p podSpec) containerNamed(name string) (container, error) {
	for _, c := range p.Containers {
		if c.Name == name {
			return c, nil
		}
	}
	if len(p.Containers) > 0 {
		return p.Containers[0], nil
	}
	return container{}, fmt.Errorf("pod spec has no containers")
}

// commandLine is what a container would run: command followed by args (an
// empty command means the image's entrypoint, which is empty for flytekit's
// images: the args run as they are).
func (c container) commandLine() []string {
	out := make([]string, 0, len(c.Command)+len(c.Args))
	out = append(out, c.Command...)
	return append(out, c.Args...)
}

// workerLimits is what the plugin asked each worker for: the values of
// --nthreads and --memory-limit in the worker container's args ("" when absent).
type workerLimits struct {
	NThreads    string `json:"nthreads"`
	MemoryLimit string `json:"memoryLimit"`
}

func parseWorkerLimits(args []string) workerLimits {
	var w workerLimits
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--nthreads" && i+1 < len(args):
			w.NThreads = args[i+1]
			i++
		case a == "--memory-limit" && i+1 < len(args):
			w.MemoryLimit = args[i+1]
			i++
		case len(a) > len("--nthreads=") && a[:len("--nthreads=")] == "--nthreads=":
			w.NThreads = a[len("--nthreads="):]
		case len(a) > len("--memory-limit=") && a[:len("--memory-limit=")] == "--memory-limit=":
			w.MemoryLimit = a[len("--memory-limit="):]
		}
	}
	return w
}

var varRef = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expand replaces $(VAR) with the value of VAR in env, as the kubelet does for
// a container's command and args ("$$" is a literal "$"; an unknown reference
// stays as written).
func expand(s string, env map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		name := m[2 : len(m)-1]
		if v, ok := env[name]; ok {
			return v
		}
		return m
	})
}

// envMap is the container's environment as a map, later entries winning.
func envMap(vars []envVar, extra ...string) map[string]string {
	m := make(map[string]string, len(vars)+len(extra)/2)
	for _, v := range vars {
		m[v.Name] = v.Value
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}
