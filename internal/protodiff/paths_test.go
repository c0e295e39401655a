package protodiff_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/flytedask/flytedask/internal/jqpath"
	"github.com/flytedask/flytedask/internal/protodiff"
)

// unresolved returns the differences whose path does not resolve in the protojson form (unpopulated
// fields emitted) of the side(s) that have a value. Messages protojson cannot render (e.g. invalid
// UTF-8, a Value without a kind) are skipped.
func unresolved(a, b proto.Message, diffs []protodiff.Difference) []string {
	doc := func(m proto.Message) (any, bool) {
		raw, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(m)
		if err != nil {
			return nil, false
		}
		var v any
		return v, json.Unmarshal(raw, &v) == nil
	}
	da, oka := doc(a)
	db, okb := doc(b)
	var bad []string
	for _, d := range diffs {
		if d.Path == "" || strings.Contains(d.Path, "<unknown fields>") {
			continue
		}
		if okb && d.New != protodiff.Unset {
			if _, err := jqpath.Lookup(db, d.Path); err != nil {
				bad = append(bad, "new: "+err.Error())
			}
		}
		if oka && d.Old != protodiff.Unset {
			if _, err := jqpath.Lookup(da, d.Path); err != nil {
				bad = append(bad, "old: "+err.Error())
			}
		}
	}
	return bad
}

// Every path names the value in the protojson form of each side that has one.
func TestDiffPathsResolveInProtoJSON(t *testing.T) {
	a, b := base(t), base(t)
	b.GetContainer().Args[1] = "-c"
	b.GetContainer().Args = append(b.GetContainer().Args, "extra")
	b.Config["with-dash"] = "2"
	b.Config["x"] = "3"
	b.Metadata.Tags["a"] = "changed"
	b.Custom.Fields["workers"].GetStructValue().Fields["numberOfWorkers"].Kind = mustStruct(t, map[string]any{"n": 3}).Fields["n"].Kind
	b.Custom.Fields["scheduler"].GetStructValue().Fields["odd key"] = mustStruct(t, map[string]any{"v": "x"}).Fields["v"]
	b.Id.Version = "v2"
	diffs := protodiff.Diff(a, b)
	require.Len(t, diffs, 8)
	assert.Contains(t, diffs, protodiff.Difference{Path: `config["with-dash"]`, Old: protodiff.Unset, New: `"2"`})
	assert.Contains(t, diffs, protodiff.Difference{Path: `custom.scheduler["odd key"]`, Old: protodiff.Unset, New: `"x"`})
	assert.Empty(t, unresolved(a, b, diffs))
}

// Numeric and bool map keys are JSON object keys in protojson: ["1"], ["true"].
func TestDiffNonStringMapKeys(t *testing.T) {
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:    proto.String("maps.proto"),
		Package: proto.String("test"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("M"),
			Field: []*descriptorpb.FieldDescriptorProto{
				mapField("by_int", 1, "ByIntEntry"),
				mapField("by_bool", 2, "ByBoolEntry"),
			},
			NestedType: []*descriptorpb.DescriptorProto{
				entry("ByIntEntry", descriptorpb.FieldDescriptorProto_TYPE_INT32.Enum()),
				entry("ByBoolEntry", descriptorpb.FieldDescriptorProto_TYPE_BOOL.Enum()),
			},
		}},
	}, nil)
	require.NoError(t, err)
	md := fd.Messages().Get(0)
	mk := func(j string) proto.Message {
		m := dynamicpb.NewMessage(md)
		require.NoError(t, protojson.Unmarshal([]byte(j), m))
		return m
	}
	a, b := mk(`{"byInt":{"1":"a","7":"x"},"byBool":{"true":"t"}}`), mk(`{"byInt":{"1":"b"},"byBool":{"true":"u"}}`)
	diffs := protodiff.Diff(a, b)
	assert.Equal(t, []protodiff.Difference{
		{Path: `byInt["1"]`, Old: `"a"`, New: `"b"`},
		{Path: `byInt["7"]`, Old: `"x"`, New: protodiff.Unset},
		{Path: `byBool["true"]`, Old: `"t"`, New: `"u"`},
	}, diffs)
	assert.Empty(t, unresolved(a, b, diffs))
}

func mapField(name string, num int32, entryName string) *descriptorpb.FieldDescriptorProto {
	return &descriptorpb.FieldDescriptorProto{
		Name:     proto.String(name),
		Number:   proto.Int32(num),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum(),
		Type:     descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(),
		TypeName: proto.String(".test.M." + entryName),
	}
}

func entry(name string, key *descriptorpb.FieldDescriptorProto_Type) *descriptorpb.DescriptorProto {
	return &descriptorpb.DescriptorProto{
		Name: proto.String(name),
		Field: []*descriptorpb.FieldDescriptorProto{
			{Name: proto.String("key"), Number: proto.Int32(1), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: key},
			{Name: proto.String("value"), Number: proto.Int32(2), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()},
		},
		Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
	}
}
