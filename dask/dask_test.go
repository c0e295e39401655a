package dask_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

// flytekitFull is the configuration of flytekit's test_dask_task_get_custom.
var flytekitFull = dask.Config{
	Scheduler: dask.Scheduler{
		Image:    "scheduler:latest",
		Requests: resources.Spec{CPU: "1"},
		Limits:   resources.Spec{CPU: "2"},
	},
	Workers: dask.WorkerGroup{
		NumberOfWorkers: 123,
		Image:           "dask_cluster:latest",
		Requests:        resources.Spec{CPU: "3"},
		Limits:          resources.Spec{CPU: "4"},
	},
}

func customJSON(t *testing.T, c dask.Config) any {
	t.Helper()
	s, err := c.Custom()
	require.NoError(t, err)
	b, err := protojson.Marshal(s)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func readJSON(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// TestFlytekitParity compares Custom with the dicts flytekit's own tests
// expect (plugins/flytekit-dask/tests/test_task.py), as JSON values.
func TestFlytekitParity(t *testing.T) {
	assert.Equal(t, readJSON(t, "flytekit_default.json"), customJSON(t, dask.Config{}))
	assert.Equal(t, readJSON(t, "flytekit_full.json"), customJSON(t, flytekitFull))
}

// TestCustomMatchesProto pins the hand-built Struct to protojson of the
// DaskJob message, which is what flytekit's MessageToDict produces.
func TestCustomMatchesProto(t *testing.T) {
	for name, c := range map[string]dask.Config{
		"default": {},
		"full":    flytekitFull,
		"all resources": {Workers: dask.WorkerGroup{
			NumberOfWorkers: 7,
			// Set in reverse order: the output order must not depend on it.
			Requests: resources.Spec{EphemeralStorage: "10Gi", GPU: "1", Mem: "2Gi", CPU: "1"},
			Limits:   resources.Spec{Mem: "2Gi"},
		}},
		"zero quantity": {Scheduler: dask.Scheduler{Limits: resources.Spec{CPU: "0"}}},
	} {
		t.Run(name, func(t *testing.T) {
			job, err := c.Proto()
			require.NoError(t, err)
			b, err := protojson.Marshal(job)
			require.NoError(t, err)
			var want any
			require.NoError(t, json.Unmarshal(b, &want))
			got := customJSON(t, c)
			// protojson drops empty sub-messages' fields but keeps set messages,
			// exactly like MessageToDict: resources {} must be present in both.
			assert.Equal(t, want, got)
			m := got.(map[string]any)
			assert.Contains(t, m["scheduler"], "resources")
			assert.Contains(t, m["workers"], "resources")
		})
	}
}

func TestResourceEntryOrder(t *testing.T) {
	c := dask.Config{Workers: dask.WorkerGroup{Requests: resources.Spec{EphemeralStorage: "10Gi", GPU: "1", Mem: "2Gi", CPU: "1"}}}
	got := customJSON(t, c).(map[string]any)["workers"].(map[string]any)["resources"].(map[string]any)
	assert.Equal(t, map[string]any{"requests": []any{
		map[string]any{"name": "CPU", "value": "1"},
		map[string]any{"name": "MEMORY", "value": "2Gi"},
		map[string]any{"name": "GPU", "value": "1"},
		map[string]any{"name": "EPHEMERAL_STORAGE", "value": "10Gi"},
	}}, got, "only requests were set, so there is no limits key")
}

func TestValidate(t *testing.T) {
	type want struct {
		typ  field.ErrorType
		path string
	}
	tests := []struct {
		name string
		cfg  dask.Config
		want []want
	}{
		{"zero value is valid", dask.Config{}, nil},
		{"flytekit full example is valid", flytekitFull, nil},
		{"negative workers", dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: -2}},
			[]want{{field.ErrorTypeInvalid, "dask.workers.number_of_workers"}}},
		{"too many workers", dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: overMax}},
			[]want{{field.ErrorTypeInvalid, "dask.workers.number_of_workers"}}},
		{"max workers fit uint32", dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: overMax - 1}}, nil},
		{"every problem at once", dask.Config{
			Scheduler: dask.Scheduler{Image: "Bad Image", Requests: resources.Spec{CPU: "abc"}},
			Workers: dask.WorkerGroup{
				NumberOfWorkers: -1,
				Image:           "{{.image.default.fqn}}:v1",
				Requests:        resources.Spec{Mem: "4Gi", GPU: "1"},
				Limits:          resources.Spec{Mem: "2gi", GPU: "2", CPU: "-1"},
			},
		}, []want{
			{field.ErrorTypeInvalid, "dask.scheduler.image"},
			{field.ErrorTypeInvalid, "dask.scheduler.requests.cpu"},
			{field.ErrorTypeInvalid, "dask.workers.number_of_workers"},
			{field.ErrorTypeInvalid, "dask.workers.image"},
			{field.ErrorTypeInvalid, "dask.workers.limits.cpu"},
			{field.ErrorTypeInvalid, "dask.workers.limits.mem"},
			{field.ErrorTypeInvalid, "dask.workers.requests.gpu"},
		}},
		{"request above limit, exactly", dask.Config{Workers: dask.WorkerGroup{
			Requests: resources.Spec{CPU: "2500m"}, Limits: resources.Spec{CPU: "2100m"}}},
			[]want{{field.ErrorTypeInvalid, "dask.workers.requests.cpu"}}},
		{"fractional gpu", dask.Config{Workers: dask.WorkerGroup{Limits: resources.Spec{GPU: "0.5"}}},
			[]want{{field.ErrorTypeInvalid, "dask.workers.limits.gpu"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !is64 && (tt.cfg.Workers.NumberOfWorkers == overMax || tt.cfg.Workers.NumberOfWorkers == overMax-1) {
				t.Skip("int cannot hold these worker counts on 32-bit platforms")
			}
			errs := tt.cfg.Validate(field.NewPath("dask"))
			var got []want
			for _, e := range errs {
				got = append(got, want{e.Type, e.Field})
			}
			assert.Equal(t, tt.want, got, "errors: %v", errs)
		})
	}
}

func TestWorkerCountMessage(t *testing.T) {
	errs := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: -3}}.Validate(nil)
	require.Len(t, errs, 1)
	assert.Equal(t, "workers.number_of_workers: Each worker group needs to have at least one worker, but -3 have been specified.", errs[0].Error())

	_, err := dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: -3}}.Custom()
	var verr *field.ValidationError
	require.True(t, errors.As(err, &verr))
	var fe *field.Error
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, "workers.number_of_workers", fe.Field)
}

func TestWarnings(t *testing.T) {
	codes := func(c dask.Config) []string {
		var out []string
		for _, w := range c.Warnings(field.NewPath("dask")) {
			out = append(out, w.Field+" "+w.Code)
		}
		return out
	}
	assert.Equal(t, []string{"dask.workers.limits workers-no-limits"}, codes(dask.Config{}))
	assert.Nil(t, codes(dask.Config{Workers: dask.WorkerGroup{
		Requests: resources.Spec{CPU: "2", Mem: "8Gi"}, Limits: resources.Spec{CPU: "2", Mem: "8Gi"}}}))
	assert.Equal(t, []string{
		"dask.workers.limits.mem workers-partial-limits",
		"dask.workers.limits.cpu workers-fractional-cpu",
		"dask.workers.requests.cpu workers-request-not-limit",
	}, codes(dask.Config{Workers: dask.WorkerGroup{Requests: resources.Spec{CPU: "1"}, Limits: resources.Spec{CPU: "1500m"}}}))
	// The backend copies a missing limit from its request: requests alone
	// give limits, so only the fractional cpu is worth a warning.
	assert.Equal(t, []string{"dask.workers.requests.cpu workers-fractional-cpu"},
		codes(dask.Config{Workers: dask.WorkerGroup{Requests: resources.Spec{CPU: "1500m", Mem: "4Gi"}}}))
	assert.Equal(t, []string{"dask.workers.limits.cpu workers-partial-limits"},
		codes(dask.Config{Workers: dask.WorkerGroup{Requests: resources.Spec{Mem: "4Gi"}}}))
	assert.Equal(t, []string{"dask.workers.limits.gpu workers-gpu"},
		codes(dask.Config{Workers: dask.WorkerGroup{Limits: resources.Spec{CPU: "1", Mem: "1Gi", GPU: "1"}}}))
}

func TestFromCustomRoundTrip(t *testing.T) {
	for _, c := range []dask.Config{{}, flytekitFull} {
		s, err := c.Custom()
		require.NoError(t, err)
		got, errs := dask.FromCustom(field.NewPath("custom"), s)
		require.Empty(t, errs)
		want := c
		want.Workers.NumberOfWorkers = c.Workers.Replicas()
		assert.Equal(t, want, got)
	}
	_, errs := dask.FromCustom(field.NewPath("custom"), nil)
	require.Len(t, errs, 1)
	assert.Equal(t, "custom", errs[0].Field)
}

func TestConfigJSONOmitsUnset(t *testing.T) {
	b, err := json.Marshal(dask.Config{Workers: dask.WorkerGroup{NumberOfWorkers: 2, Limits: resources.Spec{CPU: "1"}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"scheduler":{},"workers":{"number_of_workers":2,"limits":{"cpu":"1"}}}`, string(b))
}
