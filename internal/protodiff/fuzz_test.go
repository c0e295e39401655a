package protodiff_test

import (
	"math"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/internal/protodiff"
)

// hasNaN reports whether a Struct-bearing template contains a NaN number (NaN != NaN for proto.Equal,
// while the rendering of both sides is the same).
func hasNaN(m proto.Message) bool {
	found := false
	var walk func(v *structpb.Value)
	walk = func(v *structpb.Value) {
		switch k := v.GetKind().(type) {
		case *structpb.Value_NumberValue:
			found = found || math.IsNaN(k.NumberValue)
		case *structpb.Value_StructValue:
			for _, f := range k.StructValue.GetFields() {
				walk(f)
			}
		case *structpb.Value_ListValue:
			for _, e := range k.ListValue.GetValues() {
				walk(e)
			}
		}
	}
	if tt, ok := m.(*core.TaskTemplate); ok {
		for _, f := range tt.GetCustom().GetFields() {
			walk(f)
		}
	}
	return found
}

// FuzzDiff decodes two TaskTemplates from arbitrary bytes and checks that Diff never panics, is
// deterministic, finds nothing between a message and its clone, reports no difference only for
// messages proto.Equal considers equal, and reports paths that resolve in the messages' protojson.
func FuzzDiff(f *testing.F) {
	tt := base(f)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(v2(tt))
	if err != nil {
		f.Fatal(err)
	}
	tt.GetContainer().Args[1] = "-c"
	b2, err := proto.MarshalOptions{Deterministic: true}.Marshal(v2(tt))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, b2)
	f.Add(b, b)
	f.Add([]byte{}, b)
	f.Fuzz(func(t *testing.T, x, y []byte) {
		a, c := &core.TaskTemplate{}, &core.TaskTemplate{}
		if proto.Unmarshal(x, v2(a)) != nil || proto.Unmarshal(y, v2(c)) != nil {
			return
		}
		ma, mc := v2(a), v2(c)
		if d := protodiff.Diff(ma, proto.Clone(ma)); len(d) != 0 {
			t.Fatalf("diff against own clone: %v", d)
		}
		d1, d2 := protodiff.Diff(ma, mc), protodiff.Diff(ma, mc)
		if len(d1) != len(d2) {
			t.Fatal("not deterministic")
		}
		for i := range d1 {
			if d1[i] != d2[i] {
				t.Fatal("not deterministic")
			}
		}
		if len(d1) == 0 && !proto.Equal(ma, mc) && !hasNaN(ma) && !hasNaN(mc) {
			t.Fatal("no difference reported for unequal messages")
		}
		if bad := unresolved(ma, mc, d1); len(bad) > 0 {
			t.Fatalf("paths that do not resolve in protojson: %v", bad)
		}
	})
}
