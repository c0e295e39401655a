// Command raw_command writes a Dask task whose job runner runs a plain
// command instead of a flytekit function:
//
//	go run ./examples/raw_command -o raw.tgz
//
// Flyte renders {{.inputs.NAME}} and the other templates in command and
// args at run time; the program connects to the cluster through
// DASK_SCHEDULER_ADDRESS, which the Dask operator injects.
package main

import (
	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/internal/examplecli"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

var rawTask = task.Task{
	Name:     "jobs.reports.monthly",
	Image:    "ghcr.io/acme/reports:0.9.1",
	Command:  []string{"python", "-m", "reports.monthly"},
	Args:     []string{"--month", "{{.inputs.month}}", "--out", "{{.outputPrefix}}"},
	Inputs:   []task.Variable{{Name: "month", Type: task.String}},
	Requests: resources.Spec{CPU: "500m", Mem: "1Gi"},
	Limits:   resources.Spec{CPU: "1", Mem: "1Gi"},
	Retries:  1,
	Cache:    &task.Cache{Version: "2026.11"},
	Dask: dask.Config{Workers: dask.WorkerGroup{
		NumberOfWorkers: 3,
		Requests:        resources.Spec{CPU: "2", Mem: "4Gi"},
		Limits:          resources.Spec{CPU: "2", Mem: "4Gi"},
	}},
}

var settings = task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"}

func main() { examplecli.Main("raw_command.tgz", settings, rawTask) }
