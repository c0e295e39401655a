package main

import (
	"testing"

	"github.com/flytedask/flytedask/internal/examplecli"
	"github.com/flytedask/flytedask/internal/exampletest"
)

func TestGoldenBundle(t *testing.T) {
	specs, err := examplecli.Build(settings, podTask)
	if err != nil {
		t.Fatal(err)
	}
	exampletest.AssertBundle(t, "pod_template.tgz", specs)
}
