// Command pod_template writes a Dask task with a task-level pod template:
//
//	go run ./examples/pod_template -o pod.tgz
//
// The template becomes the task's k8s_pod target (config
// primary_container_name = "primary"); Flyte's backend uses it as the base of
// the job runner, the scheduler and the workers alike, so the toleration and
// node selector below apply to all three. Dask has no per-component pod
// templates.
package main

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/internal/examplecli"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

var podTask = task.Task{
	Name:        "workflows.etl.daily_rollup",
	Image:       "ghcr.io/acme/etl:3.2.0",
	Python:      &task.PythonFunction{Module: "workflows.etl", Function: "daily_rollup"},
	Inputs:      []task.Variable{{Name: "day", Type: task.Datetime}},
	Environment: map[string]string{"LOG_LEVEL": "info"},
	Secrets:     []task.Secret{{Group: "warehouse", Key: "password", MountRequirement: task.MountEnvVar}},
	Requests:    resources.Spec{CPU: "1", Mem: "2Gi"},
	Limits:      resources.Spec{CPU: "1", Mem: "2Gi"},
	PodTemplate: &task.PodTemplate{
		Labels: map[string]string{"team": "data-platform"},
		Spec: corev1.PodSpec{
			Containers:   []corev1.Container{{Name: task.DefaultPrimaryContainerName}},
			NodeSelector: map[string]string{"pool": "dask"},
			Tolerations: []corev1.Toleration{{
				Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "dask", Effect: corev1.TaintEffectNoSchedule,
			}},
		},
	},
	Dask: dask.Config{Workers: dask.WorkerGroup{
		NumberOfWorkers: 8,
		Requests:        resources.Spec{CPU: "4", Mem: "16Gi"},
		Limits:          resources.Spec{CPU: "4", Mem: "16Gi"},
	}},
}

var settings = task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"}

func main() { examplecli.Main("pod_template.tgz", settings, podTask) }
