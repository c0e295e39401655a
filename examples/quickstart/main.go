// Command quickstart builds a Flyte Dask task in Go, validates it and writes
// a bundle that `flytectl register files --archive` accepts:
//
//	go run ./examples/quickstart            # writes ./flyte-package.tgz
//	go run ./examples/quickstart -o /tmp/x.tgz
//
// The task runs hello_dask, a flytekit function baked into the image, on a
// Dask cluster of four workers with 2 CPUs and 8Gi each.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

// helloDask is the quickstart task.
var helloDask = task.Task{
	Name:     "workflows.dask_example.hello_dask",
	Image:    "ghcr.io/acme/dask-app:1.4.2",
	Python:   &task.PythonFunction{Module: "workflows.dask_example", Function: "hello_dask"},
	Inputs:   []task.Variable{{Name: "n", Type: task.Integer}},
	Outputs:  []task.Variable{{Name: "o0", Type: task.Float}},
	Requests: resources.Spec{CPU: "1", Mem: "2Gi"},
	Limits:   resources.Spec{CPU: "1", Mem: "2Gi"},
	Retries:  2,
	Dask: dask.Config{
		Scheduler: dask.Scheduler{
			Requests: resources.Spec{CPU: "1", Mem: "2Gi"},
			Limits:   resources.Spec{CPU: "1", Mem: "2Gi"},
		},
		Workers: dask.WorkerGroup{
			NumberOfWorkers: 4,
			Requests:        resources.Spec{CPU: "2", Mem: "8Gi"},
			Limits:          resources.Spec{CPU: "2", Mem: "8Gi"},
		},
	},
}

// settings leave the version to flytectl's --version.
var settings = task.Settings{Project: "flytesnacks", Domain: "development"}

func specs() ([]*admin.TaskSpec, error) {
	spec, err := helloDask.Build(settings)
	if err != nil {
		return nil, err
	}
	return []*admin.TaskSpec{spec}, nil
}

func main() {
	out := flag.String("o", bundle.DefaultArchiveName, "bundle to write (.tgz, .tar.gz or .tar)")
	flag.Parse()
	if err := run(*out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(out string, w io.Writer) error {
	for _, warn := range helloDask.Warnings() {
		fmt.Fprintln(w, "warning:", warn)
	}
	list, err := specs()
	if err != nil {
		return err
	}
	if err := bundle.WriteFile(out, list); err != nil {
		return err
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	d := helloDask.Dask
	fmt.Fprintf(w, "task      %s (type dask)\n", helloDask.Name)
	fmt.Fprintf(w, "image     %s\n", helloDask.Image)
	fmt.Fprintf(w, "scheduler requests cpu=%s mem=%s\n", d.Scheduler.Requests.CPU, d.Scheduler.Requests.Mem)
	fmt.Fprintf(w, "workers   %d x cpu=%s mem=%s\n", d.Workers.Replicas(), d.Workers.Limits.CPU, d.Workers.Limits.Mem)
	fmt.Fprintf(w, "wrote     %s: %d task, %d bytes, sha256 %x\n", out, len(list), len(data), sha256.Sum256(data))
	fmt.Fprintf(w, "register  flytectl register files %s --archive -p %s -d %s --version v1\n", out, settings.Project, settings.Domain)
	return nil
}
