package taskhook_test

import (
	"fmt"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/internal/taskhook"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

// For a valid task the hook builds exactly what task.Task.Build builds.
func TestBuildMatchesTaskBuild(t *testing.T) {
	tk := task.Task{
		Name:        "workflows.dask_example.hello_dask",
		Image:       "ghcr.io/acme/dask-app:1.4.2",
		Python:      &task.PythonFunction{Module: "workflows.dask_example", Function: "hello_dask"},
		Limits:      resources.Spec{CPU: "2", Mem: "4Gi"},
		Environment: map[string]string{"B": "2", "A": "1"},
		Inputs:      []task.Variable{{Name: "n", Type: task.Integer}},
		Retries:     2,
	}
	s := task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"}
	want, err := tk.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := taskhook.Build(&tk, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want) {
		t.Fatalf("taskhook.Build:\n%v\ntask.Task.Build:\n%v", got, want)
	}
}

// The hook does not validate: that is the caller's promise. An invalid task that still builds
// shows it (and is why only a task Decode validated may be passed).
func TestBuildDoesNotValidate(t *testing.T) {
	tk := task.Task{Name: "bad/name", Image: "ghcr.io/acme/dask-app:1.4.2", Python: &task.PythonFunction{Module: "m", Function: "f"}}
	if _, err := tk.Build(task.Settings{}); err == nil {
		t.Fatal("task.Task.Build accepted a name with '/'")
	}
	if _, err := taskhook.Build(&tk, task.Settings{}, nil); err != nil {
		t.Fatalf("taskhook.Build validated: %v", err)
	}
}

// Types other than task.Task and task.Settings are a programming error: Build panics.
func TestBuildWrongTypesPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	var s string
	_, _ = taskhook.Build(&s, 0, nil)
}

// Customs builds each distinct Dask configuration's struct once, equal to dask.Config.Custom's,
// never memoizes an error, stops growing at its bound, and a nil Customs memoizes nothing.
func TestCustoms(t *testing.T) {
	a := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: 2, Limits: resources.Spec{Mem: "4Gi"}}}
	b := a
	b.Scheduler.Image = "ghcr.io/acme/other:1"
	m := taskhook.NewCustoms()
	first, err := m.Custom(a)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := a.Custom()
	if !proto.Equal(first, want) {
		t.Fatalf("memoized struct %v, want %v", first, want)
	}
	if again, _ := m.Custom(a); again != first {
		t.Error("an equal configuration got a new struct")
	}
	if other, _ := m.Custom(b); other == first {
		t.Error("a different configuration got the first one's struct")
	}
	bad := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: -1}}
	for range 2 {
		if _, err := m.Custom(bad); err == nil {
			t.Fatal("an invalid worker count built")
		}
	}
	for i := range 200 {
		c := a
		c.Workers.NumberOfWorkers = 10 + i
		if _, err := m.Custom(c); err != nil {
			t.Fatal(err)
		}
	}
	if configs, res := m.Sizes(); configs > 64 || res > 64 {
		t.Errorf("Customs holds %d structs and %d resources values, more than its bound", configs, res)
	}
	var none *taskhook.Customs
	x, _ := none.Custom(a)
	y, _ := none.Custom(a)
	if x == y || !proto.Equal(x, y) {
		t.Error("a nil Customs must build a new, equal struct each time")
	}
}

// Configurations that differ only in the scheduler share the workers' "resources" value, and
// every struct equals dask.Config.Custom's.
func TestCustomsShareRoleResources(t *testing.T) {
	m := taskhook.NewCustoms()
	workers := dask.WorkerGroup{NumberOfWorkers: 4, Requests: resources.Spec{CPU: "2", Mem: "8Gi"}, Limits: resources.Spec{CPU: "2", Mem: "8Gi"}}
	var first *structpb.Struct
	for i := range 5 {
		c := dask.Config{Scheduler: dask.Scheduler{Limits: resources.Spec{Mem: fmt.Sprintf("%dMi", 3000+i)}}, Workers: workers}
		got, err := m.Custom(c)
		if err != nil {
			t.Fatal(err)
		}
		want, err := c.Custom()
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Fatalf("config %d:\n%v\nwant\n%v", i, got, want)
		}
		if first == nil {
			first = got
			continue
		}
		res := func(s *structpb.Struct, role string) *structpb.Value {
			return s.Fields[role].GetStructValue().Fields["resources"]
		}
		if res(got, "workers") != res(first, "workers") {
			t.Errorf("config %d: the workers' resources value is not shared", i)
		}
		if res(got, "scheduler") == res(first, "scheduler") {
			t.Errorf("config %d: a different scheduler got the first one's resources value", i)
		}
	}
}

// Tasks built with one Customs share the struct of their common configuration, and each spec is
// what task.Task.Build builds.
func TestBuildWithCustoms(t *testing.T) {
	s := task.Settings{Project: "p", Domain: "d", Version: "v1"}
	m := taskhook.NewCustoms()
	var specs []*admin.TaskSpec
	for _, name := range []string{"m.a", "m.b"} {
		tk := task.Task{Name: name, Image: "ghcr.io/acme/dask-app:1.4.2", Python: &task.PythonFunction{Module: "m", Function: "f"},
			Dask: dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: 3}}}
		got, err := taskhook.Build(&tk, s, m)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tk.Build(s)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Fatalf("built with Customs:\n%v\ntask.Task.Build:\n%v", got, want)
		}
		specs = append(specs, got)
	}
	if specs[0].Template.Custom != specs[1].Template.Custom {
		t.Error("two tasks with one Dask configuration do not share its struct")
	}
}
