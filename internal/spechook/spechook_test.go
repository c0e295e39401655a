package spechook_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/internal/spechook"
	"github.com/flytedask/flytedask/spec"
)

// With the tasks' own TaskSpecs, Entities returns exactly what BuildEntities returns, and keeps
// the TaskSpecs it is given rather than building them again.
func TestEntitiesMatchesBuildEntities(t *testing.T) {
	s, err := spec.ReadFiles(spec.Options{}, "../../examples/specs/nightly.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.BuildEntities()
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Workflows) == 0 || len(want.LaunchPlans) == 0 {
		t.Fatal("the example has no launch plans: the test proves nothing")
	}
	tasks, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	got, err := spechook.Entities(s, tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tasks {
		if got.Tasks[i] != tasks[i] {
			t.Errorf("task %d: not the TaskSpec given", i)
		}
	}
	for _, c := range []struct {
		name      string
		got, want []proto.Message
	}{
		{"tasks", msgs(got.Tasks), msgs(want.Tasks)},
		{"workflows", msgs(got.Workflows), msgs(want.Workflows)},
		{"launch plans", msgs(got.LaunchPlans), msgs(want.LaunchPlans)},
	} {
		if len(c.got) != len(c.want) {
			t.Fatalf("%s: %d, want %d", c.name, len(c.got), len(c.want))
		}
		for i := range c.got {
			if !proto.Equal(c.got[i], c.want[i]) {
				t.Errorf("%s[%d] differs:\n%v\nwant\n%v", c.name, i, c.got[i], c.want[i])
			}
		}
	}
}

func msgs[M proto.Message](in []M) []proto.Message {
	out := make([]proto.Message, len(in))
	for i, m := range in {
		out[i] = m
	}
	return out
}
