package backendcheck

import (
	"errors"
	"fmt"
	"sort"

	daskAPI "github.com/dask/dask-kubernetes/v2023/dask_kubernetes/operator/go_client/pkg/apis/kubernetes.dask.org/v1"
	v1 "k8s.io/api/core/v1"
)

// Primary container names the Dask plugin gives its three pods.
const (
	JobRunnerContainer = "job-runner"
	SchedulerContainer = "scheduler"
	WorkerContainer    = "dask-worker"
)

// ErrMissingContainer is wrapped by [Summarize] when a pod lacks its expected primary container.
var ErrMissingContainer = errors.New("primary container not found")

// Summary is a plain, comparable digest of a DaskJob: what a Go SDK's own "explain" output should agree with.
// Quantities are canonical k8s strings (resource.Quantity.String()).
type Summary struct {
	APIVersion string
	Kind       string
	// Job, Scheduler and Workers describe the job-runner, scheduler and worker pods.
	Job       PodSummary
	Scheduler PodSummary
	Workers   PodSummary
	// SchedulerService describes the scheduler's Service.
	SchedulerService ServiceSummary
}

// PodSummary describes one of the three pod kinds of a DaskJob by its primary container.
type PodSummary struct {
	// ContainerName is the primary container's name ("job-runner", "scheduler" or "dask-worker").
	ContainerName string
	Image         string
	Command       []string
	Args          []string
	// Requests and Limits map k8s resource names ("cpu", "memory", "nvidia.com/gpu", ...) to canonical
	// quantity strings. Nil when the container has none.
	Requests map[string]string
	Limits   map[string]string
	// Replicas is 1 for the job runner and the scheduler, and the worker group's replica count for workers.
	Replicas      int
	RestartPolicy string
	// Ports lists the primary container's ports as "name:port/protocol".
	Ports []string
	// Tolerations lists the pod's tolerations as "key=value:effect" (operator Exists: "key:effect").
	Tolerations  []string
	NodeSelector map[string]string
	// Env maps the primary container's env var names to their values (valueFrom entries map to "").
	Env map[string]string
	// ContainerCount is the number of containers in the pod (sidecars from pod templates count too).
	ContainerCount int
}

// ServiceSummary describes the scheduler Service.
type ServiceSummary struct {
	Type     string
	Selector map[string]string
	// Ports lists the ports as "name:port->targetPort/protocol".
	Ports []string
}

// Summarize reduces job to a [Summary]. It fails, wrapping [ErrMissingContainer], when a pod lacks its
// expected primary container.
func Summarize(job *daskAPI.DaskJob) (Summary, error) {
	if job == nil {
		return Summary{}, errors.New("backendcheck: Summarize: nil DaskJob")
	}
	s := Summary{APIVersion: job.APIVersion, Kind: job.Kind}
	var err error
	if s.Job, err = summarizePod(&job.Spec.Job.Spec, JobRunnerContainer, 1); err != nil {
		return Summary{}, err
	}
	cluster := &job.Spec.Cluster.Spec
	if s.Scheduler, err = summarizePod(&cluster.Scheduler.Spec, SchedulerContainer, 1); err != nil {
		return Summary{}, err
	}
	if s.Workers, err = summarizePod(&cluster.Worker.Spec, WorkerContainer, cluster.Worker.Replicas); err != nil {
		return Summary{}, err
	}
	svc := cluster.Scheduler.Service
	s.SchedulerService = ServiceSummary{Type: string(svc.Type), Selector: copyMap(svc.Selector)}
	for _, p := range svc.Ports {
		s.SchedulerService.Ports = append(s.SchedulerService.Ports,
			fmt.Sprintf("%s:%d->%s/%s", p.Name, p.Port, p.TargetPort.String(), p.Protocol))
	}
	return s, nil
}

func summarizePod(spec *v1.PodSpec, name string, replicas int) (PodSummary, error) {
	var c *v1.Container
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			c = &spec.Containers[i]
			break
		}
	}
	if c == nil {
		return PodSummary{}, fmt.Errorf("backendcheck: Summarize: %q: %w", name, ErrMissingContainer)
	}
	p := PodSummary{
		ContainerName:  c.Name,
		Image:          c.Image,
		Command:        append([]string(nil), c.Command...),
		Args:           append([]string(nil), c.Args...),
		Requests:       quantities(c.Resources.Requests),
		Limits:         quantities(c.Resources.Limits),
		Replicas:       replicas,
		RestartPolicy:  string(spec.RestartPolicy),
		NodeSelector:   copyMap(spec.NodeSelector),
		ContainerCount: len(spec.Containers),
	}
	for _, port := range c.Ports {
		p.Ports = append(p.Ports, fmt.Sprintf("%s:%d/%s", port.Name, port.ContainerPort, port.Protocol))
	}
	for _, t := range spec.Tolerations {
		if t.Operator == v1.TolerationOpExists {
			p.Tolerations = append(p.Tolerations, fmt.Sprintf("%s:%s", t.Key, t.Effect))
		} else {
			p.Tolerations = append(p.Tolerations, fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect))
		}
	}
	sort.Strings(p.Tolerations)
	if len(c.Env) > 0 {
		p.Env = make(map[string]string, len(c.Env))
		for _, e := range c.Env {
			p.Env[e.Name] = e.Value
		}
	}
	return p, nil
}

func quantities(l v1.ResourceList) map[string]string {
	if len(l) == 0 {
		return nil
	}
	m := make(map[string]string, len(l))
	for k, v := range l {
		m[string(k)] = v.String()
	}
	return m
}

func copyMap(in map[string]string) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}
