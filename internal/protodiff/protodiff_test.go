package protodiff_test

import (
	"math"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/flytedask/flytedask/internal/protodiff"
)

func mustStruct(t testing.TB, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	require.NoError(t, err)
	return s
}

// base builds a representative Dask task template; every call returns a fresh value.
func base(t testing.TB) *core.TaskTemplate {
	return &core.TaskTemplate{
		Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "p", Domain: "d", Name: "pkg.job", Version: "v1"},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "0.1.0", Flavor: "go"},
			Timeout: durationpb.New(90_000_000_000),
			Tags:    map[string]string{"a": "1", "b": "2"},
		},
		Interface: &core.TypedInterface{},
		Custom: mustStruct(t, map[string]any{
			"scheduler": map[string]any{"resources": map[string]any{}},
			"workers":   map[string]any{"numberOfWorkers": 2, "resources": map[string]any{}},
		}),
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/x/dask:1",
			Args:  []string{"python", "-m", "job", "--n", "1"},
		}},
		Config: map[string]string{"x": "1"},
	}
}

func v2(m proto.Message) proto.Message { return m }

func TestDiff(t *testing.T) {
	d := func(path, old, new string) protodiff.Difference {
		return protodiff.Difference{Path: path, Old: old, New: new}
	}
	tests := []struct {
		name   string
		mutate func(*core.TaskTemplate)
		want   []protodiff.Difference
	}{
		{name: "equal", mutate: func(*core.TaskTemplate) {}, want: nil},
		{
			name:   "container arg",
			mutate: func(tt *core.TaskTemplate) { tt.GetContainer().Args[3] = "--m" },
			want:   []protodiff.Difference{d("container.args[3]", `"--n"`, `"--m"`)},
		},
		{
			name:   "list grows",
			mutate: func(tt *core.TaskTemplate) { tt.GetContainer().Args = append(tt.GetContainer().Args, "x") },
			want:   []protodiff.Difference{d("container.args[5]", "<unset>", `"x"`)},
		},
		{
			name: "struct number",
			mutate: func(tt *core.TaskTemplate) {
				tt.Custom.Fields["workers"].GetStructValue().Fields["numberOfWorkers"] = structpb.NewNumberValue(3)
			},
			want: []protodiff.Difference{d("custom.workers.numberOfWorkers", "2", "3")},
		},
		{
			name: "struct key removed and added, sorted",
			mutate: func(tt *core.TaskTemplate) {
				delete(tt.Custom.Fields, "scheduler")
				tt.Custom.Fields["app.kubernetes.io/name"] = structpb.NewStringValue("x")
			},
			want: []protodiff.Difference{
				d(`custom["app.kubernetes.io/name"]`, "<unset>", `"x"`),
				d("custom.scheduler", `{"resources":{}}`, "<unset>"),
			},
		},
		{
			name: "struct value kind change",
			mutate: func(tt *core.TaskTemplate) {
				tt.Custom.Fields["workers"].GetStructValue().Fields["numberOfWorkers"] = structpb.NewStringValue("2")
			},
			want: []protodiff.Difference{d("custom.workers.numberOfWorkers", "2", `"2"`)},
		},
		{
			name:   "enum by name",
			mutate: func(tt *core.TaskTemplate) { tt.Metadata.Runtime.Type = core.RuntimeMetadata_OTHER },
			want:   []protodiff.Difference{d("metadata.runtime.type", "FLYTE_SDK", "OTHER")},
		},
		{
			name:   "message unset",
			mutate: func(tt *core.TaskTemplate) { tt.Metadata.Runtime = nil },
			want:   []protodiff.Difference{d("metadata.runtime", `{"type":"FLYTE_SDK","version":"0.1.0","flavor":"go"}`, "<unset>")},
		},
		{
			name:   "duration leaf",
			mutate: func(tt *core.TaskTemplate) { tt.Metadata.Timeout = durationpb.New(1_500_000_000) },
			want:   []protodiff.Difference{d("metadata.timeout", `"90s"`, `"1.5s"`)},
		},
		{
			name: "map keys sorted",
			mutate: func(tt *core.TaskTemplate) {
				tt.Metadata.Tags = map[string]string{"c": "3", "b": "20", "a": "1"}
			},
			want: []protodiff.Difference{
				d("metadata.tags.b", `"2"`, `"20"`),
				d("metadata.tags.c", "<unset>", `"3"`),
			},
		},
		{
			name: "oneof switch",
			mutate: func(tt *core.TaskTemplate) {
				tt.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{}}
			},
			want: []protodiff.Difference{
				d("container", `{"image":"ghcr.io/x/dask:1","args":["python","-m","job","--n","1"]}`, "<unset>"),
				d("k8sPod", "<unset>", "{}"),
			},
		},
		{
			name:   "scalar without presence",
			mutate: func(tt *core.TaskTemplate) { tt.Type = "" },
			want:   []protodiff.Difference{d("type", `"dask"`, `""`)},
		},
		{
			name: "field order follows declaration",
			mutate: func(tt *core.TaskTemplate) {
				tt.Config["x"] = "2"
				tt.Id.Version = "v2"
				tt.Type = "python-task"
			},
			want: []protodiff.Difference{
				d("id.version", `"v1"`, `"v2"`),
				d("type", `"dask"`, `"python-task"`),
				d("config.x", `"1"`, `"2"`),
			},
		},
		{
			// protojson refuses a Value without a kind; it is not null, so it must not compare equal.
			name: "struct value without kind vs null",
			mutate: func(tt *core.TaskTemplate) {
				tt.Custom.Fields["scheduler"] = &structpb.Value{}
			},
			want: []protodiff.Difference{d("custom.scheduler", `{"resources":{}}`, "<no kind>")},
		},
		{
			name: "invalid duration shown by its fields",
			mutate: func(tt *core.TaskTemplate) {
				tt.Metadata.Timeout = &durationpb.Duration{Seconds: 90, Nanos: -5}
			},
			want: []protodiff.Difference{d("metadata.timeout", `"90s"`, `{"seconds":90,"nanos":-5}`)},
		},
		{
			name: "unknown fields",
			mutate: func(tt *core.TaskTemplate) {
				tt.ProtoReflect().SetUnknown(protoreflect.RawFields{0xf8, 0x3f, 0x01}) // field 1023, varint 1
			},
			want: []protodiff.Difference{d("<unknown fields>", "<unset>", "3 bytes")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := base(t), base(t)
			tc.mutate(b)
			got := protodiff.Diff(v2(a), v2(b))
			assert.Equal(t, tc.want, got)
			// Deterministic: the same inputs give the same output again.
			assert.Equal(t, got, protodiff.Diff(v2(a), v2(b)))
			assert.Empty(t, unresolved(a, b, got))
		})
	}
}

func TestDiffRoots(t *testing.T) {
	tt := base(t)
	assert.Nil(t, protodiff.Diff(nil, nil))
	got := protodiff.Diff(nil, v2(&core.Identifier{Name: "n"}))
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: "<unset>", New: `{"name":"n"}`}}, got)
	got = protodiff.Diff(v2(tt), v2(&core.Identifier{}))
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: "<flyteidl.core.TaskTemplate>", New: "<flyteidl.core.Identifier>"}}, got)
	assert.Equal(t, "(root): <unset> -> {}", protodiff.Difference{Old: "<unset>", New: "{}"}.String())
	assert.Equal(t, "a.b[1]: 1 -> 2", protodiff.Difference{Path: "a.b[1]", Old: "1", New: "2"}.String())
}

// Messages that render alike must still be reported when they differ: a Value without a kind is
// not null, and invalid durations/timestamps (mixed signs, nanos out of range) that a normalising
// rendering would merge are shown by their fields.
func TestDiffDistinguishesLookalikes(t *testing.T) {
	noKind := &structpb.Struct{Fields: map[string]*structpb.Value{"k": {}}}
	null := &structpb.Struct{Fields: map[string]*structpb.Value{"k": structpb.NewNullValue()}}
	assert.Equal(t, []protodiff.Difference{{Path: "k", Old: "<no kind>", New: "null"}}, protodiff.Diff(noKind, null))
	assert.Nil(t, protodiff.Diff(noKind, proto.Clone(noKind)))

	assert.Equal(t, []protodiff.Difference{{Path: "", Old: `{"seconds":1,"nanos":-5}`, New: `{"seconds":-1,"nanos":5}`}},
		protodiff.Diff(&durationpb.Duration{Seconds: 1, Nanos: -5}, &durationpb.Duration{Seconds: -1, Nanos: 5}))
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: `"2s"`, New: `{"seconds":1,"nanos":1000000000}`}},
		protodiff.Diff(&durationpb.Duration{Seconds: 2}, &durationpb.Duration{Seconds: 1, Nanos: 1_000_000_000}))
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: `"1970-01-01T00:00:02Z"`, New: `{"seconds":1,"nanos":1000000000}`}},
		protodiff.Diff(&timestamppb.Timestamp{Seconds: 2}, &timestamppb.Timestamp{Seconds: 1, Nanos: 1_000_000_000}))
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: `"1970-01-01T00:00:00Z"`, New: `{"seconds":-9223372036854775808,"nanos":0}`}},
		protodiff.Diff(&timestamppb.Timestamp{}, &timestamppb.Timestamp{Seconds: math.MinInt64}))
}

func TestDiffWellKnownLeaves(t *testing.T) {
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: `"a"`, New: `"b"`}},
		protodiff.Diff(wrapperspb.String("a"), wrapperspb.String("b")))
	assert.Equal(t, []protodiff.Difference{{Path: "", Old: `"-0.25s"`, New: `"3s"`}},
		protodiff.Diff(durationpb.New(-250_000_000), durationpb.New(3_000_000_000)))
	l1, err := structpb.NewList([]any{1, "x", nil, true, map[string]any{"k": []any{}}})
	require.NoError(t, err)
	l2, err := structpb.NewList([]any{1, "y"})
	require.NoError(t, err)
	assert.Equal(t, []protodiff.Difference{
		{Path: "[1]", Old: `"x"`, New: `"y"`},
		{Path: "[2]", Old: "null", New: "<unset>"},
		{Path: "[3]", Old: "true", New: "<unset>"},
		{Path: "[4]", Old: `{"k":[]}`, New: "<unset>"},
	}, protodiff.Diff(l1, l2))
}
