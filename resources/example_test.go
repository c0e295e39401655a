package resources_test

import (
	"fmt"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

func ExampleValidate() {
	errs := resources.Validate(field.NewPath("dask", "workers"),
		resources.Spec{CPU: "2500m"},
		resources.Spec{CPU: "2100m", Mem: "8gi"})
	for _, e := range errs {
		fmt.Println(e.Field, e.Type)
	}
	// Output:
	// dask.workers.limits.mem invalid
	// dask.workers.requests.cpu invalid
}

func ExampleToProto() {
	r := resources.ToProto(resources.Spec{Mem: "2Gi", CPU: "1"}, resources.Spec{})
	for _, e := range r.Requests {
		fmt.Println(e.Name, e.Value)
	}
	// Output:
	// CPU 1
	// MEMORY 2Gi
}

func ExampleContainerProto() {
	r := resources.ContainerProto(resources.Spec{}, resources.Spec{Mem: "2Gi", CPU: "1", EphemeralStorage: "10Gi"})
	for _, e := range r.Limits {
		fmt.Println(e.Name, e.Value)
	}
	// Output:
	// EPHEMERAL_STORAGE 10Gi
	// CPU 1
	// MEMORY 2Gi
}

func ExampleFromProto() {
	req, lim, errs := resources.FromProto(nil, resources.ContainerProto(resources.Spec{CPU: "1"}, resources.Spec{CPU: "2"}))
	fmt.Println(req.CPU, lim.CPU, len(errs))
	// Output: 1 2 0
}
