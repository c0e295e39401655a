package literal_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/literal"
)

func simple(s core.SimpleType) *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: s}}
}

var (
	integer  = simple(core.SimpleType_INTEGER)
	float    = simple(core.SimpleType_FLOAT)
	str      = simple(core.SimpleType_STRING)
	boolean  = simple(core.SimpleType_BOOLEAN)
	datetime = simple(core.SimpleType_DATETIME)
	duration = simple(core.SimpleType_DURATION)
	file     = &core.LiteralType{Type: &core.LiteralType_Blob{Blob: &core.BlobType{Format: "csv"}}}
	dir      = &core.LiteralType{Type: &core.LiteralType_Blob{Blob: &core.BlobType{Dimensionality: core.BlobType_MULTIPART}}}
	enum     = &core.LiteralType{Type: &core.LiteralType_EnumType{EnumType: &core.EnumType{Values: []string{"red", "green"}}}}
)

func list(t *core.LiteralType) *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_CollectionType{CollectionType: t}}
}

func mapOf(t *core.LiteralType) *core.LiteralType {
	return &core.LiteralType{Type: &core.LiteralType_MapValueType{MapValueType: t}}
}

// js renders a literal as compact protojson, for comparing with the JSON
// flytekit's literals have (models/literals.py; flyteidl literals.proto).
func js(t *testing.T, l *core.Literal) string {
	t.Helper()
	b, err := protojson.MarshalOptions{}.Marshal(l)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return string(out)
}

func TestOf(t *testing.T) {
	when := time.Date(2026, 1, 2, 4, 4, 5, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name string
		t    *core.LiteralType
		v    any
		want string
	}{
		{"int", integer, 3, `{"scalar":{"primitive":{"integer":"3"}}}`},
		{"int8", integer, int8(-8), `{"scalar":{"primitive":{"integer":"-8"}}}`},
		{"uint32", integer, uint32(4000000000), `{"scalar":{"primitive":{"integer":"4000000000"}}}`},
		{"int64 max", integer, int64(math.MaxInt64), `{"scalar":{"primitive":{"integer":"9223372036854775807"}}}`},
		{"uint64 max int", integer, uint64(math.MaxInt64), `{"scalar":{"primitive":{"integer":"9223372036854775807"}}}`},
		{"json number", integer, json.Number("42"), `{"scalar":{"primitive":{"integer":"42"}}}`},
		{"float", float, 2.5, `{"scalar":{"primitive":{"floatValue":2.5}}}`},
		{"float32", float, float32(0.5), `{"scalar":{"primitive":{"floatValue":0.5}}}`},
		{"float from int", float, 2, `{"scalar":{"primitive":{"floatValue":2}}}`},
		{"string", str, "héllo", `{"scalar":{"primitive":{"stringValue":"héllo"}}}`},
		{"empty string", str, "", `{"scalar":{"primitive":{"stringValue":""}}}`},
		{"bool", boolean, true, `{"scalar":{"primitive":{"boolean":true}}}`},
		// flytekit converts datetimes to UTC (DatetimeTransformer.to_literal).
		{"time", datetime, when, `{"scalar":{"primitive":{"datetime":"2026-01-02T03:04:05Z"}}}`},
		{"rfc3339", datetime, "2026-01-02T03:04:05.5+01:00", `{"scalar":{"primitive":{"datetime":"2026-01-02T02:04:05.500Z"}}}`},
		{"duration", duration, 90 * time.Minute, `{"scalar":{"primitive":{"duration":"5400s"}}}`},
		{"duration text", duration, "1h30m", `{"scalar":{"primitive":{"duration":"5400s"}}}`},
		// format and dimensionality from the declared type, as flytekit's FlyteFile/FlyteDirectory transformers.
		{"file", file, "s3://b/k.csv", `{"scalar":{"blob":{"metadata":{"type":{"format":"csv"}},"uri":"s3://b/k.csv"}}}`},
		{"dir", dir, "gs://b/p/", `{"scalar":{"blob":{"metadata":{"type":{"dimensionality":"MULTIPART"}},"uri":"gs://b/p/"}}}`},
		{"enum", enum, "green", `{"scalar":{"primitive":{"stringValue":"green"}}}`},
		{"list", list(integer), []int{1, 2}, `{"collection":{"literals":[{"scalar":{"primitive":{"integer":"1"}}},{"scalar":{"primitive":{"integer":"2"}}}]}}`},
		{"list any", list(str), []any{"a"}, `{"collection":{"literals":[{"scalar":{"primitive":{"stringValue":"a"}}}]}}`},
		{"array", list(boolean), [1]bool{true}, `{"collection":{"literals":[{"scalar":{"primitive":{"boolean":true}}}]}}`},
		{"empty list", list(integer), []int{}, `{"collection":{}}`},
		{"map", mapOf(float), map[string]float64{"a": 1}, `{"map":{"literals":{"a":{"scalar":{"primitive":{"floatValue":1}}}}}}`},
		{"nested", mapOf(list(integer)), map[string]any{"a": []any{int64(1)}}, `{"map":{"literals":{"a":{"collection":{"literals":[{"scalar":{"primitive":{"integer":"1"}}}]}}}}}`},
		{"none", simple(core.SimpleType_NONE), nil, `{"scalar":{"noneType":{}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := literal.Of(tc.t, tc.v)
			require.NoError(t, err)
			assert.Equal(t, tc.want, js(t, l))
		})
	}
}

func TestOfErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    *core.LiteralType
		v    any
		want string
	}{
		{"string for int", integer, "3", `want integer, got the string "3"`},
		{"float for int", integer, 3.0, `want integer, got the float 3`},
		{"uint64 overflow", integer, uint64(math.MaxUint64), `integer 18446744073709551615 is out of range: Flyte integers are 64-bit signed (at most 9223372036854775807)`},
		{"json number overflow", integer, json.Number("99999999999999999999"), `integer 99999999999999999999 is out of range`},
		{"json float for int", integer, json.Number("3.5"), `want integer, got the number 3.5`},
		{"nan", float, math.NaN(), `want a finite float, got NaN`},
		{"inf", float, math.Inf(-1), `want a finite float, got -Inf`},
		{"int for string", str, 1, `want string, got the integer 1`},
		{"string for bool", boolean, "yes", `want boolean (true or false), got the string "yes"`},
		{"bad datetime", datetime, "2026-01-02", `want datetime (RFC 3339 with a time zone, e.g. 2026-01-02T03:04:05Z), got the string "2026-01-02"`},
		{"datetime range", datetime, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `datetime 10000-01-01T00:00:00Z is out of range`},
		{"int for datetime", datetime, 5, `want datetime (RFC 3339, e.g. 2026-01-02T03:04:05Z), got the integer 5`},
		{"bad duration", duration, "2 days", `want duration (Go duration syntax, e.g. 90s, 45m or 1h30m), got the string "2 days"`},
		{"local file", file, "./data.csv", `want a file URI such as s3://bucket/data.csv, got the string "./data.csv": local paths are not uploaded`},
		{"no scheme", dir, "://x", `want a directory URI`},
		{"int for file", file, 3, `want file (a URI such as s3://bucket/key), got the integer 3`},
		{"enum", enum, "blue", `want one of red, green, got "blue"`},
		{"scalar for list", list(integer), 3, `want list[integer] (a list), got the integer 3`},
		{"nil for list", list(integer), nil, `want list[integer] (a list), got nothing (null)`},
		{"element", list(integer), []any{1, "x"}, `[1]: want integer, got the string "x"`},
		{"map key", mapOf(list(integer)), map[string][]any{"b": {1}, "a": {2.5}}, `[a][0]: want integer, got the float 2.5`},
		{"int keys", mapOf(integer), map[int]int{1: 1}, `want map[integer] (a mapping with string keys), got a mapping`},
		{"struct", integer, struct{}{}, `want integer, got a Go struct {}`},
		{"union", &core.LiteralType{Type: &core.LiteralType_UnionType{UnionType: &core.UnionType{Variants: []*core.LiteralType{integer, str}}}}, 1,
			`inputs of type union[integer,string] are not supported`},
		{"no type", nil, 1, `no type declared`},
		{"none", simple(core.SimpleType_NONE), 1, `want none (nothing), got the integer 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := literal.Of(tc.t, tc.v)
			require.Error(t, err)
			assert.Nil(t, l)
			assert.Contains(t, err.Error(), tc.want)
			var le *literal.Error
			assert.True(t, errors.As(err, &le))
		})
	}
}

func TestDeepTypeDoesNotRecurseForever(t *testing.T) {
	deep := integer
	for i := 0; i < 1000; i++ {
		deep = list(deep)
	}
	var v any = []any{}
	_, err := literal.Of(deep, v)
	require.NoError(t, err, "an empty list needs no element type")
	v = []any{[]any{[]any{}}}
	for i := 0; i < 100; i++ {
		v = []any{v}
	}
	_, err = literal.Of(deep, v)
	require.ErrorContains(t, err, "nested deeper than 32 levels")
	_, err = literal.Parse(deep, strings.Repeat("[", 100)+strings.Repeat("]", 100))
	require.ErrorContains(t, err, "nested deeper than 32 levels")
	assert.Contains(t, literal.TypeString(deep), "[list[...]]]")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    *core.LiteralType
		s    string
		want string
	}{
		{"int", integer, "-12", `{"scalar":{"primitive":{"integer":"-12"}}}`},
		{"int space", integer, " 7 ", `{"scalar":{"primitive":{"integer":"7"}}}`},
		{"float", float, "1e-3", `{"scalar":{"primitive":{"floatValue":0.001}}}`},
		{"float int", float, "3", `{"scalar":{"primitive":{"floatValue":3}}}`},
		{"string", str, " a b ", `{"scalar":{"primitive":{"stringValue":" a b "}}}`},
		{"bool", boolean, "True", `{"scalar":{"primitive":{"boolean":true}}}`},
		{"datetime", datetime, "2026-01-02T03:04:05Z", `{"scalar":{"primitive":{"datetime":"2026-01-02T03:04:05Z"}}}`},
		{"duration", duration, "2h45m", `{"scalar":{"primitive":{"duration":"9900s"}}}`},
		{"file", file, "s3://b/k.csv", `{"scalar":{"blob":{"metadata":{"type":{"format":"csv"}},"uri":"s3://b/k.csv"}}}`},
		{"json list", list(integer), "[1, 2]", `{"collection":{"literals":[{"scalar":{"primitive":{"integer":"1"}}},{"scalar":{"primitive":{"integer":"2"}}}]}}`},
		{"quoted ints", list(integer), `["1"]`, `{"collection":{"literals":[{"scalar":{"primitive":{"integer":"1"}}}]}}`},
		{"yaml strings", list(str), "[a, 2]", `{"collection":{"literals":[{"scalar":{"primitive":{"stringValue":"a"}}},{"scalar":{"primitive":{"stringValue":"2"}}}]}}`},
		{"yaml map", mapOf(integer), "{a: 1}", `{"map":{"literals":{"a":{"scalar":{"primitive":{"integer":"1"}}}}}}`},
		{"json map", mapOf(list(datetime)), `{"a": ["2026-01-02T03:04:05Z"]}`, `{"map":{"literals":{"a":{"collection":{"literals":[{"scalar":{"primitive":{"datetime":"2026-01-02T03:04:05Z"}}}]}}}}}`},
		{"list of files", list(dir), "[s3://a/b/]", `{"collection":{"literals":[{"scalar":{"blob":{"metadata":{"type":{"dimensionality":"MULTIPART"}},"uri":"s3://a/b/"}}}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := literal.Parse(tc.t, tc.s)
			require.NoError(t, err)
			assert.Equal(t, tc.want, js(t, l))
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    *core.LiteralType
		s    string
		want string
	}{
		{"float for int", integer, "3.5", `want integer, got "3.5"`},
		{"overflow", integer, "9223372036854775808", `integer 9223372036854775808 is out of range: Flyte integers are 64-bit signed`},
		{"nan", float, "NaN", `want a finite float, got "NaN"`},
		{"bool", boolean, "yes", `want boolean (true or false), got "yes"`},
		{"list scalar", list(integer), "3", `want list[integer] (a list, e.g. [1, 2]), got "3"`},
		{"list syntax", list(integer), "[1, 2", `want list[integer] as JSON or YAML flow text (e.g. [1, 2]), got "[1, 2"`},
		{"empty", mapOf(integer), "", `want map[integer] as JSON or YAML flow text (e.g. {a: 1, b: 2}), got nothing`},
		{"element", list(integer), "[1, x]", `[1]: want integer, got "x"`},
		{"null element", list(integer), "[1, null]", `[1]: want integer, got null`},
		{"map list", mapOf(integer), "[1]", `want map[integer] (a mapping, e.g. {a: 1, b: 2}), got a list`},
		{"dup key", mapOf(integer), "{a: 1, a: 2}", `a`},
		{"nested key", mapOf(integer), "{[a]: 1}", `mapping keys must be strings`},
		{"alias bomb", list(list(list(list(list(list(integer)))))), aliasBomb(6), `the value has more than 100000 elements`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := literal.Parse(tc.t, tc.s)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// aliasBomb returns a list nested depth levels deep, each level ten uses of
// an alias of its first element: 10^depth elements in a few hundred bytes.
func aliasBomb(depth int) string {
	s := "1"
	for i := 0; i < depth; i++ {
		a := fmt.Sprintf("a%d", i)
		s = "[&" + a + " " + s + strings.Repeat(", *"+a, 9) + "]"
	}
	return s
}

func TestValueRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		t    *core.LiteralType
		text string
		want string // JSON of Value
	}{
		{integer, "3", `3`},
		{float, "2.5", `2.5`},
		{str, "x", `"x"`},
		{boolean, "false", `false`},
		{datetime, "2026-01-02T04:04:05+01:00", `"2026-01-02T03:04:05Z"`},
		{duration, "90m", `"1h30m0s"`},
		{file, "s3://b/k", `"s3://b/k"`},
		{list(mapOf(integer)), "[{a: 1}, {}]", `[{"a":1},{}]`},
	} {
		l, err := literal.Parse(tc.t, tc.text)
		require.NoError(t, err)
		v, err := literal.Value(l)
		require.NoError(t, err)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b), tc.text)
		// The Value goes back through Of to the same literal (datetimes and durations as text).
		back, err := literal.Of(tc.t, roundTrip(v))
		require.NoError(t, err, tc.text)
		assert.True(t, proto.Equal(l, back), tc.text)
	}
}

// roundTrip turns a Value into the Go values Of takes (json.Number for integers, as a JSON
// decoder with UseNumber gives them).
func roundTrip(v any) any {
	switch x := v.(type) {
	case int64:
		return json.Number(json.Number(strings.TrimSpace(jsonText(x))))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = roundTrip(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = roundTrip(e)
		}
		return out
	}
	return v
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestValueOfOtherLiterals(t *testing.T) {
	nan := &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_FloatValue{FloatValue: math.NaN()}}}}}}
	v, err := literal.Value(nan)
	require.NoError(t, err)
	assert.Equal(t, "NaN", v)
	union := &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Union{Union: &core.Union{Value: nan}}}}}
	v, err = literal.Value(union)
	require.NoError(t, err)
	assert.Equal(t, "NaN", v)
	bin := &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Binary{Binary: &core.Binary{Tag: "msgpack", Value: []byte{1}}}}}}
	v, err = literal.Value(bin)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"tag": "msgpack", "base64": "AQ=="}, v)
	_, err = literal.Value(nil)
	assert.EqualError(t, err, "empty literal")
	_, err = literal.Value(&core.Literal{Value: &core.Literal_Collection{Collection: &core.LiteralCollection{Literals: []*core.Literal{{}}}}})
	assert.EqualError(t, err, "[0]: empty literal")
}

func TestTypeString(t *testing.T) {
	assert.Equal(t, "map[list[directory]]", literal.TypeString(mapOf(list(dir))))
	assert.Equal(t, "enum{red,green}", literal.TypeString(enum))
	assert.Equal(t, "<no type>", literal.TypeString(nil))
	assert.Equal(t, "none", literal.TypeString(simple(core.SimpleType_NONE)))
}

func TestMap(t *testing.T) {
	vars := map[string]*core.Variable{
		"n":    {Type: integer},
		"xs":   {Type: list(integer)},
		"when": {Type: datetime},
	}
	lm, err := literal.Map(field.NewPath("fixed_inputs"), vars, map[string]any{"n": 3, "when": "2026-01-02T03:04:05Z"})
	require.NoError(t, err)
	assert.Len(t, lm.Literals, 2)

	_, err = literal.Map(field.NewPath("fixed_inputs"), vars, map[string]any{"n": "3.5", "xs": []any{1, true}, "m": 1})
	var verr *field.ValidationError
	require.True(t, errors.As(err, &verr))
	var got []string
	for _, e := range verr.Errors {
		got = append(got, string(e.Type)+" "+e.Error())
	}
	assert.Equal(t, []string{
		`not-supported fixed_inputs[m]: unknown input "m": the inputs are n (integer), when (datetime), xs (list[integer])`,
		`invalid fixed_inputs[n]: want integer, got the string "3.5"`,
		`invalid fixed_inputs[xs][1]: input xs is list[integer]: want integer, got the boolean true`,
	}, got)

	_, err = literal.ParseMap(field.NewPath("inputs"), nil, map[string]string{"x": "1"})
	assert.EqualError(t, err, `validation error: inputs[x]: unknown input "x": the task has no inputs`)
	lm, err = literal.ParseMap(nil, vars, map[string]string{"xs": "[1,2]"})
	require.NoError(t, err)
	assert.Len(t, lm.Literals["xs"].GetCollection().GetLiterals(), 2)
}
