package main

import (
	"testing"

	"github.com/flytedask/flytedask/internal/examplecli"
	"github.com/flytedask/flytedask/internal/exampletest"
)

func TestGoldenBundle(t *testing.T) {
	specs, err := examplecli.Build(settings, rawTask)
	if err != nil {
		t.Fatal(err)
	}
	exampletest.AssertBundle(t, "raw_command.tgz", specs)
}
