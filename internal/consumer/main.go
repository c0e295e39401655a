// Command flytedask-consumer is a separate module that depends on flytedask the way a platform team's
// tool does, next to github.com/flyteorg/flyte/flyteidl. It is issue 8's reproducer: with the legacy
// IDL inside flytedask this program panicked at init ("proto: message flyteidl.core.CatalogArtifactTag
// is already registered"). CI builds, tests and runs it (make consumer).
package main

import (
	"fmt"
	"os"

	modern "github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/task"
)

func main() {
	var m modern.TaskSpec
	fmt.Println(task.TaskType, m.String())
	spec, err := build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(spec.GetTemplate().GetId().GetName(), spec.GetTemplate().GetType())
}

// build returns a flytedask task as the modern IDL's *admin.TaskSpec: no conversion needed.
func build() (*modern.TaskSpec, error) {
	return task.Task{
		Name:    "platform.nightly",
		Image:   "ghcr.io/acme/dask-app:1.0",
		Command: []string{"python", "-m", "nightly"},
		Dask:    dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: 2}},
	}.Build(task.Settings{Version: "v1"})
}
