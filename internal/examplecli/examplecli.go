// Package examplecli is the tiny main shared by the examples: it builds the
// example's tasks, prints their warnings and writes them as a bundle.
package examplecli

import (
	"flag"
	"fmt"
	"os"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/task"
)

// Build builds every task with settings, returning the specs or the first
// task's validation error.
func Build(settings task.Settings, tasks ...task.Task) ([]*admin.TaskSpec, error) {
	specs := make([]*admin.TaskSpec, 0, len(tasks))
	for _, t := range tasks {
		spec, err := t.Build(settings)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// Main parses -o, builds tasks and writes the bundle; it exits 1 on error.
func Main(defaultOut string, settings task.Settings, tasks ...task.Task) {
	out := flag.String("o", defaultOut, "bundle to write (.tgz, .tar.gz or .tar)")
	flag.Parse()
	for _, t := range tasks {
		for _, w := range t.Warnings() {
			fmt.Printf("warning: %s: %s\n", t.Name, w)
		}
	}
	specs, err := Build(settings, tasks...)
	if err == nil {
		err = bundle.WriteFile(*out, specs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d task(s)\n", *out, len(specs))
}
