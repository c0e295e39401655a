package main

import (
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/plugins"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func TestBuildIsTheModernType(t *testing.T) {
	spec, err := build()
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(spec) // the modern runtime marshals it: one IDL, one registry
	if err != nil || len(b) == 0 {
		t.Fatalf("marshal: %v", err)
	}
	raw, err := protojson.Marshal(spec.GetTemplate().GetCustom())
	if err != nil {
		t.Fatal(err)
	}
	var job plugins.DaskJob
	if err := protojson.Unmarshal(raw, &job); err != nil {
		t.Fatal(err)
	}
	if got := job.GetWorkers().GetNumberOfWorkers(); got != 2 {
		t.Fatalf("numberOfWorkers = %d, want 2", got)
	}
}
