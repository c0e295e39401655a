package resflag_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/explain"
	"github.com/flytedask/flytedask/internal/resflag"
)

func canonical(l explain.ResourceList) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		out[k] = v.String()
	}
	return out
}

// format renders l in the form Parse accepts, names sorted, with canonical quantities.
func format(l explain.ResourceList) string {
	names := make([]string, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(l))
	for _, name := range names {
		q := l[name]
		parts = append(parts, name+"="+q.String())
	}
	return strings.Join(parts, ",")
}

func rl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"   ", map[string]string{}},
		{"cpu=1,mem=1Gi", rl("cpu", "1", "memory", "1Gi")},
		{"cpu=1000m, memory=1024Mi", rl("cpu", "1", "memory", "1Gi")},
		{" CPU = 0.5 , Mem = 1.5Gi ", rl("cpu", "500m", "memory", "1536Mi")},
		{"gpu=1,ephemeral_storage=10Gi", rl("nvidia.com/gpu", "1", "ephemeral-storage", "10Gi")},
		{"nvidia.com/gpu=2,ephemeral-storage=1G", rl("nvidia.com/gpu", "2", "ephemeral-storage", "1G")},
		{"cpu=0", rl("cpu", "0")},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := resflag.Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, canonical(got))
		})
	}
}

func TestParseResourceListErrors(t *testing.T) {
	cases := []struct {
		in, entry, reason string
		cause             error
	}{
		{"cpu", "cpu", "want name=quantity", nil},
		{"cpu=1,", "", "empty entry", nil},
		{",cpu=1", "", "empty entry", nil},
		{"disk=1", "disk=1", `unknown resource "disk" (accepted: cpu, ephemeral-storage, ephemeral_storage, gpu, mem, memory, nvidia.com/gpu)`, nil},
		{"cpu=1,cpu=2", "cpu=2", `cpu given twice (also as "cpu=1")`, nil},
		{"mem=1Gi,memory=2Gi", "memory=2Gi", "memory given twice", nil},
		{"cpu=", "cpu=", "missing quantity", nil},
		{"mem=2gi", "mem=2gi", "invalid quantity", resource.ErrFormatWrong},
		{"mem=1 Gi", "mem=1 Gi", "invalid quantity", resource.ErrFormatWrong},
		{"cpu=-1", "cpu=-1", "negative quantity", nil},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := resflag.Parse(tc.in)
			require.Error(t, err)
			assert.Nil(t, got)
			var le *resflag.Error
			require.True(t, errors.As(err, &le))
			assert.Equal(t, tc.entry, le.Entry)
			assert.Contains(t, le.Reason, tc.reason)
			assert.Contains(t, err.Error(), tc.reason)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "cpu=1,mem=1Gi", "cpu=500m", "gpu=1,ephemeral_storage=10Gi", "memory=1.5Gi", "mem=2gi", "cpu=",
		"cpu", ",", "cpu=1,cpu=2", "CPU = 1e3", "nvidia.com/gpu=1", "cpu=-1", "cpu=1e400", "mem=0.000001Ki",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		l, err := resflag.Parse(in)
		if err != nil {
			var le *resflag.Error
			if !errors.As(err, &le) {
				t.Fatalf("error %T is not a *resflag.Error: %v", err, err)
			}
			if l != nil {
				t.Fatalf("non-nil list with error")
			}
			return
		}
		// A parsed list renders to a string that parses back to equal quantities.
		back, err := resflag.Parse(format(l))
		if err != nil {
			t.Fatalf("round trip of %q via %q: %v", in, format(l), err)
		}
		if len(back) != len(l) {
			t.Fatalf("round trip of %q changed names: %v vs %v", in, l, back)
		}
		for k, v := range l {
			if w, ok := back[k]; !ok || w.Cmp(v) != 0 {
				t.Fatalf("round trip of %q changed %s: %s vs %s", in, k, v.String(), w.String())
			}
		}
	})
}

// Every name Parse accepts is a key explain.Explain accepts.
func TestParsedNamesAreExplainKeys(t *testing.T) {
	l, err := resflag.Parse("cpu=1,mem=1Gi,gpu=1,ephemeral_storage=1Gi")
	require.NoError(t, err)
	require.Len(t, l, 4)
	_, err = explain.Explain(nil, explain.Platform{DefaultRequests: l, Limits: l})
	var be *explain.BuildError
	assert.True(t, errors.As(err, &be), "the platform is accepted, the nil template is not: %v", err)
}
