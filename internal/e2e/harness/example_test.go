package harness_test

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/flytedask/flytedask/internal/e2e/harness"
)

// DaskTaskSpec builds the hand-made Dask task the live tests register.
func ExampleDaskTaskSpec() {
	spec, err := harness.DaskTaskSpec(harness.TaskID("my.dask_task", "v1"), 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	req := harness.CreateRequest(spec)
	fmt.Println(req.GetId().GetProject(), req.GetId().GetDomain(), req.GetId().GetName(), req.GetId().GetVersion())
	fmt.Println(spec.GetTemplate().GetType(), spec.GetTemplate().GetMetadata().GetRuntime().GetFlavor())
	workers := spec.GetTemplate().GetCustom().GetFields()["workers"]
	b, _ := protojson.Marshal(workers.GetStructValue().GetFields()["numberOfWorkers"])
	fmt.Println("workers:", string(b))
	// Output:
	// flytesnacks development my.dask_task v1
	// dask go
	// workers: 2
}
