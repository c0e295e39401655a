package daskhook_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/internal/daskhook"
	"github.com/flytedask/flytedask/resources"
)

// Custom with dask's own builder (or nil) is dask.Config.Custom; with another builder, the
// roles' "resources" values are that builder's.
func TestCustom(t *testing.T) {
	c := dask.Config{
		Scheduler: dask.Scheduler{Image: "ghcr.io/acme/s:1", Limits: resources.Spec{CPU: "1"}},
		Workers:   dask.WorkerGroup{NumberOfWorkers: 3, Requests: resources.Spec{Mem: "4Gi"}},
	}
	want, err := c.Custom()
	if err != nil {
		t.Fatal(err)
	}
	for name, rv := range map[string]daskhook.ResourcesValue{"nil": nil, "dask's": daskhook.Resources} {
		got, err := daskhook.Custom(c, rv)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s builder:\n%v\nwant\n%v", name, got, want)
		}
	}
	marker := structpb.NewStringValue("marker")
	got, err := daskhook.Custom(c, func(_, _ resources.Spec) *structpb.Value { return marker })
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"scheduler", "workers"} {
		if got.Fields[role].GetStructValue().Fields["resources"] != marker {
			t.Errorf("%s: resources value not from the given builder", role)
		}
	}
	if _, err := daskhook.Custom(dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: -1}}, nil); err == nil {
		t.Error("an invalid worker count built")
	}
}
