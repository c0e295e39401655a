package explain_test

import (
	"fmt"
	"os"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/structpb"

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

func ExampleExplain_error() {
	tmpl := exampleTemplate()
	tmpl.Target = nil
	_, err := explain.Explain(tmpl, explain.DefaultPlatform())
	fmt.Println(err)
	// Output:
	// [BadTaskSpecification] invalid TaskSpecification, unable to determine Pod configuration
}

func ExampleJob_WriteText() {
	requests, err := explain.ParseResourceList("cpu=500m,mem=2Gi")
	if err != nil {
		panic(err)
	}
	limits, err := explain.ParseResourceList("cpu=8,mem=16Gi")
	if err != nil {
		panic(err)
	}
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

func ExampleParseResourceList() {
	l, err := explain.ParseResourceList("cpu=1, mem=1024Mi, gpu=1")
	if err != nil {
		panic(err)
	}
	fmt.Println(l)

	_, err = explain.ParseResourceList("mem=2gi")
	fmt.Println(err)
	// Output:
	// cpu=1,memory=1Gi,nvidia.com/gpu=1
	// resource list entry "mem=2gi": invalid quantity: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
}

func ExampleDefaultPlatform() {
	p := explain.DefaultPlatform()
	fmt.Println(p.DefaultRequests, len(p.Limits))
	// Output: cpu=1,memory=1Gi 0
}
