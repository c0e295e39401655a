package explain_test

import (
	"fmt"
	"os"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/explain"
)

// exampleTemplate is a Dask task as flytekit would serialise it: two workers limited to 1.5 CPUs
// and 4Gi each, no scheduler resources, and a task container without resources.
func exampleTemplate() *core.TaskTemplate {
	custom, err := structpb.NewStruct(map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers": map[string]any{
			"numberOfWorkers": 2,
			"resources": map[string]any{"limits": []any{
				map[string]any{"name": "CPU", "value": "1.5"},
				map[string]any{"name": "MEMORY", "value": "4Gi"},
			}},
		},
	})
	if err != nil {
		panic(err)
	}
	return &core.TaskTemplate{
		Id:     &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "wf.count_words", Version: "v1"},
		Type:   "dask",
		Custom: custom,
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/org/dask:1",
			Args:  []string{"pyflyte-execute", "--inputs", "{{.input}}"},
		}},
	}
}

func ExampleExplain() {
	job, err := explain.Explain(exampleTemplate(), explain.DefaultPlatform())
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, p := range job.Pods {
		fmt.Println(p.Role, p.Replicas, p.Limits["cpu"], p.Limits["memory"], p.Args[0])
	}
	fmt.Println(job.Pods[2].Args)
	// Output:
	// job-runner 1 1 1Gi pyflyte-execute
	// scheduler 1 1 1Gi dask-scheduler
	// worker 2 1500m 4Gi dask-worker
	// [dask-worker --name $(DASK_WORKER_NAME) --nthreads 2 --memory-limit 4Gi]
}

func ExampleExplain_platformKeys() {
	// Platform keys are Kubernetes resource names; a spelling from elsewhere is refused, not ignored.
	_, err := explain.Explain(exampleTemplate(), explain.Platform{Limits: explain.ResourceList{"mem": resource.MustParse("4Gi")}})
	fmt.Println(err)
	// Output:
	// explain: invalid platform: Limits["mem"]: unknown resource name, did you mean "memory"?
}

func ExampleExplain_error() {
	tmpl := exampleTemplate()
	tmpl.Target = nil
	_, err := explain.Explain(tmpl, explain.DefaultPlatform())
	fmt.Println(err)
	// Output:
	// [BadTaskSpecification] invalid TaskSpecification, unable to determine Pod configuration
}

func ExampleJob_WriteText() {
	requests := explain.ResourceList{explain.ResourceCPU: resource.MustParse("500m"), explain.ResourceMemory: resource.MustParse("2Gi")}
	limits := explain.ResourceList{explain.ResourceCPU: resource.MustParse("8"), explain.ResourceMemory: resource.MustParse("16Gi")}
	job, err := explain.Explain(exampleTemplate(), explain.Platform{DefaultRequests: requests, Limits: limits})
	if err != nil {
		panic(err)
	}
	if err := job.WriteText(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// Task: wf.count_words
	//
	// ROLE        CONTAINER    REPLICAS  RESTART  INTERRUPTIBLE  REQUESTS              LIMITS
	// job-runner  job-runner   1         Never    no             cpu=500m memory=2Gi   cpu=500m memory=2Gi
	// scheduler   scheduler    1         Always   no             cpu=500m memory=2Gi   cpu=500m memory=2Gi
	// worker      dask-worker  2         Always   no             cpu=1500m memory=4Gi  cpu=1500m memory=4Gi
	//
	// job-runner
	//   image:   ghcr.io/org/dask:1
	//   command: (image entrypoint)
	//   args:    pyflyte-execute --inputs {{.input}}
	//
	// scheduler
	//   image:   ghcr.io/org/dask:1
	//   command: (image entrypoint)
	//   args:    dask-scheduler
	//   ports:   tcp-comm 8786, dashboard 8787
	//
	// worker
	//   image:   ghcr.io/org/dask:1
	//   command: (image entrypoint)
	//   args:    dask-worker --name $(DASK_WORKER_NAME) --nthreads 2 --memory-limit 4Gi
	//
	// Notes:
	//   - [job-runner requests.cpu] cpu comes from the platform default request (500m): the task sets no cpu
	//   - [job-runner requests.memory] memory comes from the platform default request (2Gi): the task sets no memory
	//   - [scheduler resources] no Dask scheduler resources are set: the scheduler gets the job runner's resources
	//   - [worker args] workers get 2 threads on a 1500m CPU limit (--nthreads rounds up)
}

func ExampleDefaultPlatform() {
	p := explain.DefaultPlatform()
	cpu, mem := p.DefaultRequests[explain.ResourceCPU], p.DefaultRequests[explain.ResourceMemory]
	fmt.Println(cpu.String(), mem.String(), len(p.Limits))
	// Output: 1 1Gi 0
}
