// Package flytedask is a Go SDK for authoring Flyte Dask tasks: the tasks
// Python's flytekitplugins-dask writes, from Go programs, CI pipelines and
// platform tooling.
//
// The SDK is a set of small packages, each with one job:
//
//   - resources: requests and limits (cpu, mem, gpu, ephemeral_storage),
//     checked with the backend's own quantity parser;
//   - dask: the Dask cluster (Config, Scheduler, WorkerGroup) and the DaskJob
//     custom payload, identical to flytekit's;
//   - task: the task around it (image, entrypoint, interface, resources, env,
//     secrets, retries, timeout, cache, pod template) built into an
//     admin.TaskSpec that FlyteAdmin accepts;
//   - field: the validation error, every problem with its field path
//     (*field.ValidationError; use errors.As);
//   - bundle: registrable bundles for `flytectl register files`;
//   - explain: what Flyte's backend will build for a task;
//   - register: registration with FlyteAdmin over gRPC (the only package that
//     imports gRPC);
//   - spec: the YAML spec format read by the flytedask command
//     (cmd/flytedask), for CI pipelines that write no Go.
//
// An end-to-end use (admin is
// github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin; examples/quickstart
// is a complete program):
//
//	t := task.Task{
//		Name:   "workflows.dask_example.hello_dask",
//		Image:  "ghcr.io/acme/dask-app:1.4.2",
//		Python: &task.PythonFunction{Module: "workflows.dask_example", Function: "hello_dask"},
//		Dask: dask.Config{Workers: dask.WorkerGroup{
//			NumberOfWorkers: 4,
//			Limits:          resources.Spec{CPU: "2", Mem: "8Gi"},
//		}},
//	}
//	spec, err := t.Build(task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"})
//	if err != nil {
//		return err // a *field.ValidationError listing every problem
//	}
//	for _, w := range t.Warnings() { // best-practice warnings, never fatal
//		log.Print("warning: ", w)
//	}
//	return bundle.WriteFile("flyte-package.tgz", []*admin.TaskSpec{spec})
package flytedask

import "github.com/flytedask/flytedask/internal/version"

// Version is the flytedask release; every task it builds carries it in
// metadata.runtime.version (with flavor "go").
const Version = version.Version
