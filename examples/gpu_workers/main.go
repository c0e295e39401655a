// Command gpu_workers writes a Dask task whose workers each get one GPU:
//
//	go run ./examples/gpu_workers -o gpu.tgz
//
// The backend maps the gpu resource to nvidia.com/gpu. Workers still start
// plain dask-worker (not dask-cuda-worker), so the image must set up CUDA;
// flytedask reports that as a warning. FlyteAdmin requires a GPU request to
// equal its limit, so only limits are set (the backend copies them to the
// requests). Shared memory (flytekit's shared_memory=True) mounts a
// memory-backed /dev/shm in every Dask pod, which NCCL and PyTorch data
// loaders need beyond the container runtime's 64 MB default; it is bounded
// by each pod's memory. An accelerator (task.ParseAccelerator("T4")) would
// be ignored here: the backend applies it only when the task's own pod has
// a GPU, and this task's GPUs are the workers'.
package main

import (
	"time"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/internal/examplecli"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

var gpuTask = task.Task{
	Name:     "workflows.gpu.train_xgboost",
	Image:    "ghcr.io/acme/dask-cuda:2026.1",
	Python:   &task.PythonFunction{Module: "workflows.gpu", Function: "train_xgboost"},
	Inputs:   []task.Variable{{Name: "data", Type: task.Directory}, {Name: "rounds", Type: task.Integer}},
	Outputs:  []task.Variable{{Name: "model", Type: task.File}},
	Requests: resources.Spec{CPU: "1", Mem: "4Gi"},
	Limits:   resources.Spec{CPU: "1", Mem: "4Gi"},
	Timeout:  4 * time.Hour,
	// flytekit: shared_memory=True.
	SharedMemory: &task.SharedMemory{},
	Dask: dask.Config{
		Scheduler: dask.Scheduler{Limits: resources.Spec{CPU: "2", Mem: "4Gi"}},
		Workers: dask.WorkerGroup{
			NumberOfWorkers: 2,
			Limits:          resources.Spec{CPU: "8", Mem: "30Gi", GPU: "1"},
		},
	},
}

var settings = task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"}

func main() { examplecli.Main("gpu_workers.tgz", settings, gpuTask) }
