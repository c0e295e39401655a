package resources_test

import (
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

func names(entries []*core.Resources_ResourceEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name.String()+"="+e.Value)
	}
	return out
}

func TestOrders(t *testing.T) {
	all := resources.Spec{EphemeralStorage: "10Gi", GPU: "1", Mem: "2Gi", CPU: "1"}
	assert.Equal(t, []string{"CPU=1", "MEMORY=2Gi", "GPU=1", "EPHEMERAL_STORAGE=10Gi"}, names(resources.ToProto(all, resources.Spec{}).Requests))
	assert.Equal(t, []string{"EPHEMERAL_STORAGE=10Gi", "CPU=1", "GPU=1", "MEMORY=2Gi"}, names(resources.ContainerProto(resources.Spec{}, all).Limits))

	empty := resources.ToProto(resources.Spec{}, resources.Spec{})
	require.NotNil(t, empty, "an empty Resources message, never nil")
	assert.Nil(t, empty.Requests)
	assert.Nil(t, empty.Limits)

	// "0" is a set value: flytekit tests presence, not truthiness.
	assert.Equal(t, []string{"CPU=0"}, names(resources.ToProto(resources.Spec{CPU: "0"}, resources.Spec{}).Requests))
}

func TestFromProto(t *testing.T) {
	r := &core.Resources{
		Requests: []*core.Resources_ResourceEntry{{Name: core.Resources_CPU, Value: "1"}, {Name: core.Resources_CPU, Value: "2"}},
		Limits:   []*core.Resources_ResourceEntry{{Name: core.Resources_STORAGE, Value: "1Gi"}, {Name: core.Resources_MEMORY, Value: "1Gi"}},
	}
	req, lim, errs := resources.FromProto(field.NewPath("custom", "workers", "resources"), r)
	assert.Equal(t, resources.Spec{CPU: "1"}, req)
	assert.Equal(t, resources.Spec{Mem: "1Gi"}, lim)
	require.Len(t, errs, 2)
	assert.Equal(t, field.ErrorTypeDuplicate, errs[0].Type)
	assert.Equal(t, "custom.workers.resources.requests[1].name", errs[0].Field)
	assert.Equal(t, field.ErrorTypeNotSupported, errs[1].Type)
	assert.Equal(t, "custom.workers.resources.limits[0].name", errs[1].Field)

	// Round trip.
	in := resources.Spec{CPU: "1", Mem: "2Gi", GPU: "1", EphemeralStorage: "3Gi"}
	req, lim, errs = resources.FromProto(nil, resources.ContainerProto(in, in))
	assert.Empty(t, errs)
	assert.Equal(t, in, req)
	assert.Equal(t, in, lim)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		req, lim resources.Spec
		want     []string // "type path"
	}{
		{"empty", resources.Spec{}, resources.Spec{}, nil},
		{"valid", resources.Spec{CPU: "500m", Mem: "1.5Gi", GPU: "1", EphemeralStorage: "1e3"}, resources.Spec{CPU: "1", Mem: "2Gi", GPU: "1"}, nil},
		{"backend rejects these", resources.Spec{CPU: "abc", Mem: "2gi", EphemeralStorage: "1 Gi"}, resources.Spec{CPU: " "}, []string{
			"invalid requests.cpu", "invalid requests.mem", "invalid requests.ephemeral_storage", "invalid limits.cpu"}},
		{"negative", resources.Spec{Mem: "-1Gi"}, resources.Spec{}, []string{"invalid requests.mem"}},
		{"request above limit, exactly (admin misses 2500m > 2100m)", resources.Spec{CPU: "2500m"}, resources.Spec{CPU: "2100m"}, []string{"invalid requests.cpu"}},
		{"equal across units", resources.Spec{Mem: "1024Mi"}, resources.Spec{Mem: "1Gi"}, nil},
		{"memory above limit", resources.Spec{Mem: "3Gi", EphemeralStorage: "2Gi"}, resources.Spec{Mem: "2Gi", EphemeralStorage: "1Gi"}, []string{"invalid requests.mem", "invalid requests.ephemeral_storage"}},
		{"gpu not whole", resources.Spec{GPU: "500m"}, resources.Spec{GPU: "1.5"}, []string{"invalid requests.gpu", "invalid limits.gpu"}},
		{"gpu request differs from limit", resources.Spec{GPU: "1"}, resources.Spec{GPU: "2"}, []string{"invalid requests.gpu"}},
		{"zero is valid", resources.Spec{CPU: "0"}, resources.Spec{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range resources.Validate(nil, tt.req, tt.lim) {
				got = append(got, string(e.Type)+" "+e.Field)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValidateMessage(t *testing.T) {
	errs := resources.Validate(field.NewPath("dask", "workers"), resources.Spec{}, resources.Spec{Mem: "2gi"})
	require.Len(t, errs, 1)
	assert.Equal(t, `dask.workers.limits.mem: invalid quantity "2gi": must be a Kubernetes quantity matching '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', e.g. "4Gi" or "512Mi" (binary suffixes are Ki, Mi, Gi, Ti: case matters)`, errs[0].Error())
}

// FuzzValidate checks that arbitrary quantity strings never panic the
// validator and that whatever it accepts the backend's parser accepts too.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"1", "500m", "1.5Gi", "2gi", "", "-1", "1e3", "0.0000001", "9999999999999999999Ei", "+.", "1E", "1e-3m"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, req, lim string) {
		r := resources.Spec{CPU: req, Mem: req, GPU: req, EphemeralStorage: req}
		l := resources.Spec{CPU: lim, Mem: lim, GPU: lim, EphemeralStorage: lim}
		errs := resources.Validate(nil, r, l)
		bad := map[string]bool{}
		for _, e := range errs {
			bad[e.Field] = true
		}
		for _, c := range []struct{ path, v string }{{"requests.cpu", req}, {"limits.cpu", lim}} {
			if c.v != "" && !bad[c.path] {
				if _, err := resource.ParseQuantity(c.v); err != nil {
					t.Fatalf("%s %q accepted by Validate but rejected by ParseQuantity: %v", c.path, c.v, err)
				}
			}
		}
	})
}
