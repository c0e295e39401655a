package dask_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

// The tests in this file pin items of the parity checklist
// (/work/shared/reference/dask-spec.md §5) that TestFlytekitParity covers
// only implicitly. Each test names its item.

func role(t *testing.T, c dask.Config, name string) map[string]any {
	t.Helper()
	m, ok := customJSON(t, c).(map[string]any)[name].(map[string]any)
	require.True(t, ok, "custom has no %q object", name)
	return m
}

// Checklist 3 and 14: an unset image writes no "image" key (not "", not
// null); a set image is written verbatim.
func TestChecklistImageKey(t *testing.T) {
	unset := dask.Config{Scheduler: dask.Scheduler{Image: ""}, Workers: dask.WorkerGroup{Image: ""}}
	assert.NotContains(t, role(t, unset, "scheduler"), "image")
	assert.NotContains(t, role(t, unset, "workers"), "image")

	const ref = "ghcr.io/acme/dask-app:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	set := dask.Config{Scheduler: dask.Scheduler{Image: ref}, Workers: dask.WorkerGroup{Image: "dask_cluster:latest"}}
	assert.Equal(t, ref, role(t, set, "scheduler")["image"])
	assert.Equal(t, "dask_cluster:latest", role(t, set, "workers")["image"])
}

// Checklist 4: numberOfWorkers is a Struct number_value, never a string.
func TestChecklistNumberOfWorkersIsNumber(t *testing.T) {
	for _, n := range []int{0, 1, 123, overMax - 1} {
		if n < 0 { // overMax wrapped: a 32-bit platform
			continue
		}
		s, err := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: n}}.Custom()
		require.NoError(t, err)
		v := s.GetFields()["workers"].GetStructValue().GetFields()["numberOfWorkers"]
		require.IsType(t, &structpb.Value_NumberValue{}, v.GetKind(), "n=%d", n)
		want := float64(n)
		if n == 0 {
			want = dask.DefaultNumberOfWorkers
		}
		assert.Equal(t, want, v.GetNumberValue(), "n=%d", n)
	}
}

// Checklist 5 and 6: a worker count the DaskJob cannot carry fails Custom and
// Proto (not only Validate) with a *field.ValidationError; below one worker
// the text is flytekit's ValueError.
func TestChecklistWorkerCountErrors(t *testing.T) {
	tests := []struct {
		n      int
		detail string
	}{
		{-1, "Each worker group needs to have at least one worker, but -1 have been specified."},
		{overMax, "4294967296 workers do not fit the DaskJob proto (uint32): use at most 4294967295"},
	}
	for _, tt := range tests {
		if tt.n == overMax && !is64 {
			continue
		}
		c := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: tt.n}}
		_, cerr := c.Custom()
		_, perr := c.Proto()
		for _, err := range []error{cerr, perr} {
			var fe *field.Error
			require.True(t, errors.As(err, &fe), "n=%d: %v", tt.n, err)
			assert.Equal(t, field.ErrorTypeInvalid, fe.Type)
			assert.Equal(t, "workers.number_of_workers", fe.Field)
			assert.Equal(t, tt.detail, fe.Detail)
		}
	}
}

// Checklist 5: a custom read back with numberOfWorkers 0 (what the backend
// turns into 0 replicas) is reported with flytekit's text for 0.
func TestChecklistFromCustomZeroWorkers(t *testing.T) {
	s, err := structpb.NewStruct(map[string]any{
		"scheduler": map[string]any{"resources": map[string]any{}},
		"workers":   map[string]any{"numberOfWorkers": 0, "resources": map[string]any{}},
	})
	require.NoError(t, err)
	_, errs := dask.FromCustom(field.NewPath("custom"), s)
	require.Len(t, errs, 1)
	assert.Equal(t, "custom.workers.number_of_workers: Each worker group needs to have at least one worker, but 0 have been specified.", errs[0].Error())
}

// Checklist 8, 10 and 11: "requests" and "limits" appear only when they
// have an entry; "0" is a set value and is written; nothing set still
// writes "resources": {}.
func TestChecklistResourceLists(t *testing.T) {
	entry := func(name, value string) map[string]any { return map[string]any{"name": name, "value": value} }
	tests := []struct {
		name     string
		req, lim resources.Spec
		want     map[string]any
	}{
		{"nothing set", resources.Spec{}, resources.Spec{}, map[string]any{}},
		{"only limits", resources.Spec{}, resources.Spec{Mem: "4Gi"},
			map[string]any{"limits": []any{entry("MEMORY", "4Gi")}}},
		{"only requests", resources.Spec{CPU: "1"}, resources.Spec{},
			map[string]any{"requests": []any{entry("CPU", "1")}}},
		{"zero is written", resources.Spec{CPU: "0"}, resources.Spec{GPU: "0"},
			map[string]any{"requests": []any{entry("CPU", "0")}, "limits": []any{entry("GPU", "0")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dask.Config{
				Scheduler: dask.Scheduler{Requests: tt.req, Limits: tt.lim},
				Workers:   dask.WorkerGroup{Requests: tt.req, Limits: tt.lim},
			}
			assert.Equal(t, tt.want, role(t, c, "scheduler")["resources"])
			assert.Equal(t, tt.want, role(t, c, "workers")["resources"])
		})
	}
}

// Checklist 13: only CPU, MEMORY, GPU and EPHEMERAL_STORAGE are ever
// written; never STORAGE or UNKNOWN.
func TestChecklistResourceNames(t *testing.T) {
	all := resources.Spec{CPU: "1", Mem: "1Gi", GPU: "1", EphemeralStorage: "1Gi"}
	c := dask.Config{Scheduler: dask.Scheduler{Requests: all, Limits: all}, Workers: dask.WorkerGroup{Requests: all, Limits: all}}
	var got []string
	for _, r := range []string{"scheduler", "workers"} {
		res := role(t, c, r)["resources"].(map[string]any)
		for _, list := range []string{"requests", "limits"} {
			for _, e := range res[list].([]any) {
				got = append(got, e.(map[string]any)["name"].(string))
			}
		}
	}
	require.Len(t, got, 16)
	for _, n := range got {
		assert.Contains(t, []string{"CPU", "MEMORY", "GPU", "EPHEMERAL_STORAGE"}, n)
	}
}
