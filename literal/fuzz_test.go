package literal_test

import (
	"encoding/json"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/literal"
)

// FuzzParse checks that Parse never panics on any text for any of the types
// flytedask authors, that a failure is a *literal.Error, and that every
// literal it returns displays as JSON through Value and parses back by Of to
// an equal value.
func FuzzParse(f *testing.F) {
	types := []*core.LiteralType{integer, float, str, boolean, datetime, duration, file, dir, enum,
		list(integer), mapOf(list(str)), list(mapOf(datetime)), mapOf(duration), list(list(list(float)))}
	for _, seed := range []string{"3", "-0", "3.5", "1e400", "NaN", "true", "2026-01-02T03:04:05Z", "1h", "s3://b/k",
		"[1, 2]", "{a: [x]}", `[{"a": "2026-01-02T03:04:05+01:00"}]`, "[&a [1], *a]", "{a: 1, a: 2}", "[[[[[[[[", "", "~",
		"{? [a]: 1}", "!!binary aGk=", "[1, {}]", "9223372036854775808"} {
		for i := range types {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, ti uint8, s string) {
		typ := types[int(ti)%len(types)]
		l, err := literal.Parse(typ, s)
		if err != nil {
			if _, ok := err.(*literal.Error); !ok {
				t.Fatalf("Parse(%s, %q): error %T %v, want *literal.Error", literal.TypeString(typ), s, err, err)
			}
			return
		}
		v, err := literal.Value(l)
		if err != nil {
			t.Fatalf("Value of Parse(%s, %q): %v", literal.TypeString(typ), s, err)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("Value of Parse(%s, %q) is not JSON: %v", literal.TypeString(typ), s, err)
		}
		if _, err := literal.Of(typ, roundTrip(v)); err != nil {
			t.Fatalf("Of(%s, Value(Parse(%q))): %v", literal.TypeString(typ), s, err)
		}
	})
}
