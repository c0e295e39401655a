package taskhook_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

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
	got, err := taskhook.Build(&tk, s)
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
	if _, err := taskhook.Build(&tk, task.Settings{}); err != nil {
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
	_, _ = taskhook.Build(&s, 0)
}
