package field_test

import (
	"errors"
	"fmt"

	"github.com/flytedask/flytedask/field"
)

func ExampleErrorList() {
	var errs field.ErrorList
	workers := field.NewPath("dask", "workers")
	errs = append(errs, field.Invalid(workers.Child("number_of_workers"), -1, "must be at least 1"))
	errs = append(errs, field.Required(field.NewPath("image"), "image is required"))

	err := errs.Prefix(field.NewPath("tasks").Index(0)).Err()
	var verr *field.ValidationError
	if errors.As(err, &verr) {
		for _, e := range verr.Errors {
			fmt.Printf("%s (%s)\n", e.Field, e.Type)
		}
	}
	// Output:
	// tasks[0].dask.workers.number_of_workers (invalid)
	// tasks[0].image (required)
}

func ExamplePath() {
	p := field.NewPath("tasks").Index(1).Child("environment").Key("LOG_LEVEL")
	fmt.Println(p)
	// Output: tasks[1].environment[LOG_LEVEL]
}

func ExampleWarnings() {
	var ws field.Warnings
	ws.Add(field.NewPath("dask", "workers", "limits", "cpu"), "workers-fractional-cpu", "1500m gives 2 threads")
	fmt.Println(ws[0])
	// Output: dask.workers.limits.cpu: 1500m gives 2 threads [workers-fractional-cpu]
}
