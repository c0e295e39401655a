package task_test

import (
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/task"
)

// aliasCases are tasks that between them set every slice and map field of Task: a raw command with
// args, a Python task with env, secrets, inputs and outputs, and a pod-template task.
func aliasCases() map[string]func() task.Task {
	return map[string]func() task.Task{"python": full, "raw": rawTask, "args-only": argsOnlyTask, "pod-template": podTask, "flytekit-case2": flytekitCase2}
}

func rawTask() task.Task {
	raw := full()
	raw.Python = nil
	raw.Command = []string{"python", "-m", "job"}
	raw.Args = []string{"--n", "{{.inputs.n}}"}
	return raw
}

func argsOnlyTask() task.Task {
	t := rawTask()
	t.Command = nil
	t.Args = []string{"python", "-m", "job", "--n", "{{.inputs.n}}"}
	return t
}

func podTask() task.Task {
	pod := full()
	pod.PodTemplate = &task.PodTemplate{
		Labels:      map[string]string{"team": "data"},
		Annotations: map[string]string{"owner": "ml"},
		Spec: corev1.PodSpec{
			Containers:   []corev1.Container{{Name: "primary", Env: []corev1.EnvVar{{Name: "OWN", Value: "x"}}}},
			NodeSelector: map[string]string{"pool": "dask"},
		},
	}
	return pod
}

func specBytes(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	require.NoError(t, err)
	return b
}

// TestBuildDoesNotAlias pins that a built spec shares no memory with the Task: after Build, every
// string reachable through a slice or map of the Task is overwritten and every map gains a key, and
// the spec must marshal to the same bytes as before.
func TestBuildDoesNotAlias(t *testing.T) {
	for name, mk := range aliasCases() {
		t.Run(name, func(t *testing.T) {
			tk := mk()
			spec := build(t, tk)
			before := specBytes(t, spec)
			n := scribble(reflect.ValueOf(&tk).Elem(), false)
			require.Positive(t, n, "the case must reach some slice or map")
			require.Equal(t, before, specBytes(t, spec), "changing the Task after Build changed the built spec")
		})
	}
}

// scribble overwrites, in place, every settable string reachable from v through a slice or a map
// (inside says whether v is already inside one), and adds a key to every map of strings. It returns
// how many values it changed.
func scribble(v reflect.Value, inside bool) int {
	n := 0
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			n += scribble(v.Elem(), inside)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				n += scribble(v.Field(i), inside)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			n += scribble(v.Index(i), true)
		}
	case reflect.Map:
		if v.IsNil() {
			return 0
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			n += scribble(e, true)
			v.SetMapIndex(k, e)
		}
		if v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.String {
			v.SetMapIndex(reflect.ValueOf("scribbled").Convert(v.Type().Key()), reflect.ValueOf("x").Convert(v.Type().Elem()))
			n++
		}
	case reflect.String:
		if inside && v.CanSet() {
			v.SetString(v.String() + "-scribbled")
			n++
		}
	}
	return n
}

// TestBuildConcurrently builds and marshals specs from one Task in several goroutines at once; run
// under -race (make test does) it proves Build neither writes to the Task nor shares memory between
// the specs it returns.
func TestBuildConcurrently(t *testing.T) {
	for name, mk := range aliasCases() {
		t.Run(name, func(t *testing.T) {
			tk := mk()
			want := specBytes(t, build(t, tk))
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					spec, err := tk.Build(settings)
					if err != nil {
						errs <- err
						return
					}
					if got, _ := (proto.MarshalOptions{Deterministic: true}).Marshal(spec); !reflect.DeepEqual(got, want) {
						errs <- errors.New("a concurrently built spec differs")
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
