package spec_test

import (
	"errors"
	"fmt"

	"github.com/flytedask/flytedask/spec"
)

func ExampleDecode() {
	src := spec.Source{Name: "tasks.yaml", Data: []byte(`
project: flytesnacks
domain: development
defaults:
  image: ghcr.io/acme/dask-app:1.4.2
  dask:
    workers: {number_of_workers: 4, requests: {cpu: 2, mem: 8Gi}, limits: {cpu: 2, mem: 8Gi}}
tasks:
  - name: workflows.dask_example.hello_dask
    python: {module: workflows.dask_example, function: hello_dask}
`)}
	version := "v1"
	s, err := spec.Decode([]spec.Source{src}, spec.Options{Version: &version})
	if err != nil {
		fmt.Println(err)
		return
	}
	specs, err := s.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	id := specs[0].GetTemplate().GetId()
	fmt.Println(id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion())
	fmt.Println("workers:", s.Tasks[0].Dask.Workers.NumberOfWorkers, "cpu limit:", s.Tasks[0].Dask.Workers.Limits.CPU)
	// Output:
	// flytesnacks development workflows.dask_example.hello_dask v1
	// workers: 4 cpu limit: 2
}

func ExampleError() {
	_, err := spec.Decode([]spec.Source{{Name: "tasks.yaml", Data: []byte(`
tasks:
  - name: wf.a
    image: ghcr.io/acme/dask-app:1.4.2
    python: {module: wf, function: a}
    retries: two
    dask:
      workers: {number_of_wokers: 4}
`)}}, spec.Options{})
	var serr *spec.Error
	if errors.As(err, &serr) {
		for _, p := range serr.Problems {
			fmt.Printf("line %d: %s (%s)\n", p.Line, p.Format(false), p.Type)
		}
	}
	// Output:
	// line 6: tasks[0].retries: must be an integer, got the string "two" (wrong-type)
	// line 8: tasks[0].dask.workers.number_of_wokers: unknown key "number_of_wokers": did you mean number_of_workers? (unknown-key)
}

func ExampleReadFiles() {
	s, err := spec.ReadFiles(spec.Options{}, "../examples/specs/hello_dask.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range s.Tasks {
		fmt.Println(t.Name, t.Dask.Workers.Replicas())
	}
	// Output:
	// workflows.dask_example.hello_dask 4
	// workflows.dask_example.score 8
}

// ReadSource reads one file for Decode, e.g. to decode files given on a
// command line together with a spec held in memory (e.g. read from stdin).
func ExampleReadSource() {
	file, err := spec.ReadSource("../examples/specs/hello_dask.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	stdin := []byte("tasks: [{name: wf.extra, image: ghcr.io/acme/dask-app:1.4.2, command: [run], dask: {}}]")
	s, err := spec.Decode([]spec.Source{file, {Name: "<stdin>", Data: stdin}}, spec.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, t := range s.Tasks {
		fmt.Println(s.Origins[i].File, t.Name)
	}
	_, err = spec.ReadSource("../examples/specs")
	fmt.Println(err)
	// Output:
	// ../examples/specs/hello_dask.yaml workflows.dask_example.hello_dask
	// ../examples/specs/hello_dask.yaml workflows.dask_example.score
	// <stdin> wf.extra
	// read ../examples/specs: is a directory, not a spec file
}
