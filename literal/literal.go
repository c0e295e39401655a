// Package literal converts Go values and command-line text to Flyte literals
// (core.Literal) by a declared type (core.LiteralType), and literals back to
// JSON-able Go values. It is the one conversion flytedask uses for launch
// plan inputs (package launchplan) and for the inputs of `flytedask run`.
//
// The encoding is the one flytekit and flytectl write (flytekit
// models/literals.py, flyteidl clients/go/coreutils/literals.go
// MakeLiteralForType):
//
//	type                     literal                          Go values (Of)                     text (Parse)
//	integer                  scalar.primitive.integer         int, int8..int64, uint..uint64     -12
//	float                    scalar.primitive.float_value     float32, float64, any integer      2.5, 1e-3
//	string                   scalar.primitive.string_value    string                             any text
//	boolean                  scalar.primitive.boolean         bool                               true, false
//	datetime                 scalar.primitive.datetime (UTC)  time.Time, RFC 3339 string         2026-01-02T03:04:05Z
//	duration                 scalar.primitive.duration        time.Duration, Go duration string  1h30m
//	file (blob SINGLE)       scalar.blob{uri, metadata.type}  URI string                         s3://bucket/key.csv
//	directory (MULTIPART)    scalar.blob{uri, metadata.type}  URI string                         s3://bucket/prefix/
//	list[T]                  collection                       slice or array of T values         [1, 2] (JSON or YAML flow)
//	map[T]                   map                              map with string keys               {a: 1, b: 2}
//	enum                     scalar.primitive.string_value    string, one of the values          one of the values
//	none                     scalar.none_type                 nil                                (any text)
//
// A blob's format and dimensionality are taken from the declared type, as
// flytekit does. Files are referred to by URI: local paths are refused,
// since nothing here uploads them. Datetimes are stored in UTC, as flytekit
// converts them. Floats must be finite: NaN and infinities cannot be carried
// by FlyteAdmin's JSON APIs and the console. Unions, structs, structured
// datasets and schemas are not supported for input (Of and Parse say so);
// Value displays them.
//
// Errors name the type and what fits it (`want integer, got the string
// "3.5"`); nothing here panics on any input, including integer overflow and
// deeply nested types.
package literal

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MaxDepth bounds the nesting of types (list[list[...]]) the conversions
// follow, so that hostile types cannot make them recurse without end.
const MaxDepth = 32

// Of converts the Go value v to a literal of type t. See the package
// documentation for the values each type takes. The error says what the
// type wants and what v is; for an element of a list or map it names the
// element ([2], [key]).
func Of(t *core.LiteralType, v any) (*core.Literal, error) {
	l, err := of(t, v, 0)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Error is a value that does not fit its type. Path locates the offending
// element inside the value ("" for the value itself, [2] or [key] or
// [key][0] for elements).
type Error struct {
	// Path is the element's location inside the value, e.g. [3] or [a][0].
	Path string
	// Msg says what the type wants and what was given.
	Msg string
}

// Error returns "PATH: MSG", or MSG for the value itself.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// at prefixes the element location elem (such as [2]) to err's path.
func at(elem string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Path: elem + e.Path, Msg: e.Msg}
	}
	return &Error{Path: elem, Msg: err.Error()}
}

func primitive(p *core.Primitive) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: p}}}}
}

func of(t *core.LiteralType, v any, depth int) (*core.Literal, error) {
	if depth > MaxDepth {
		return nil, errorf("type nested deeper than %d levels", MaxDepth)
	}
	if t == nil || t.GetType() == nil {
		return nil, errorf("no type declared")
	}
	switch tt := t.GetType().(type) {
	case *core.LiteralType_Simple:
		return simple(t, tt.Simple, v)
	case *core.LiteralType_Blob:
		uri, ok := v.(string)
		if !ok {
			return nil, errorf("want %s (a URI such as s3://bucket/key), got %s", TypeString(t), describe(v))
		}
		return blob(tt.Blob, uri)
	case *core.LiteralType_EnumType:
		s, ok := v.(string)
		if !ok {
			return nil, errorf("want %s, got %s", TypeString(t), describe(v))
		}
		return enum(tt.EnumType, s)
	case *core.LiteralType_CollectionType:
		rv := reflect.ValueOf(v)
		if v == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
			return nil, errorf("want %s (a list), got %s", TypeString(t), describe(v))
		}
		out := make([]*core.Literal, rv.Len())
		for i := range out {
			l, err := of(tt.CollectionType, rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, at("["+strconv.Itoa(i)+"]", err)
			}
			out[i] = l
		}
		return &core.Literal{Value: &core.Literal_Collection{Collection: &core.LiteralCollection{Literals: out}}}, nil
	case *core.LiteralType_MapValueType:
		rv := reflect.ValueOf(v)
		if v == nil || rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
			return nil, errorf("want %s (a mapping with string keys), got %s", TypeString(t), describe(v))
		}
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys) // the first error is the same on every run
		out := make(map[string]*core.Literal, len(keys))
		for _, k := range keys {
			l, err := of(tt.MapValueType, rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface(), depth+1)
			if err != nil {
				return nil, at("["+k+"]", err)
			}
			out[k] = l
		}
		return &core.Literal{Value: &core.Literal_Map{Map: &core.LiteralMap{Literals: out}}}, nil
	}
	return nil, errorf("inputs of type %s are not supported: use integer, float, string, boolean, datetime, duration, file, directory, enum, list[T] or map[T]", TypeString(t))
}

func simple(t *core.LiteralType, s core.SimpleType, v any) (*core.Literal, error) {
	want := func(hint string) error {
		return errorf("want %s%s, got %s", TypeString(t), hint, describe(v))
	}
	switch s {
	case core.SimpleType_INTEGER:
		i, ok, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, want("")
		}
		return primitive(&core.Primitive{Value: &core.Primitive_Integer{Integer: i}}), nil
	case core.SimpleType_FLOAT:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case json.Number:
			var err error
			if f, err = strconv.ParseFloat(string(x), 64); err != nil {
				return nil, want("")
			}
		default:
			i, ok, err := toInt64(v)
			if err != nil || !ok {
				return nil, want("")
			}
			f = float64(i)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errorf("want a finite float, got %v: NaN and infinities cannot be carried by FlyteAdmin's JSON APIs", f)
		}
		return primitive(&core.Primitive{Value: &core.Primitive_FloatValue{FloatValue: f}}), nil
	case core.SimpleType_STRING:
		str, ok := v.(string)
		if !ok {
			return nil, want("")
		}
		return primitive(&core.Primitive{Value: &core.Primitive_StringValue{StringValue: str}}), nil
	case core.SimpleType_BOOLEAN:
		b, ok := v.(bool)
		if !ok {
			return nil, want(" (true or false)")
		}
		return primitive(&core.Primitive{Value: &core.Primitive_Boolean{Boolean: b}}), nil
	case core.SimpleType_DATETIME:
		var tm time.Time
		switch x := v.(type) {
		case time.Time:
			tm = x
		case *time.Time:
			if x == nil {
				return nil, want(" (RFC 3339, e.g. 2026-01-02T03:04:05Z)")
			}
			tm = *x
		case string:
			var err error
			if tm, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(x)); err != nil {
				return nil, want(" (RFC 3339 with a time zone, e.g. 2026-01-02T03:04:05Z)")
			}
		default:
			return nil, want(" (RFC 3339, e.g. 2026-01-02T03:04:05Z)")
		}
		ts := timestamppb.New(tm.UTC())
		if err := ts.CheckValid(); err != nil {
			return nil, errorf("datetime %s is out of range: use a year from 1 to 9999", tm.Format(time.RFC3339Nano))
		}
		return primitive(&core.Primitive{Value: &core.Primitive_Datetime{Datetime: ts}}), nil
	case core.SimpleType_DURATION:
		var d time.Duration
		switch x := v.(type) {
		case time.Duration:
			d = x
		case string:
			var err error
			if d, err = time.ParseDuration(strings.TrimSpace(x)); err != nil {
				return nil, want(" (Go duration syntax, e.g. 90s, 45m or 1h30m)")
			}
		default:
			return nil, want(" (Go duration syntax, e.g. 90s, 45m or 1h30m)")
		}
		return primitive(&core.Primitive{Value: &core.Primitive_Duration{Duration: durationpb.New(d)}}), nil
	case core.SimpleType_NONE:
		if v != nil {
			return nil, want(" (nothing)")
		}
		return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_NoneType{NoneType: &core.Void{}}}}}, nil
	}
	return nil, errorf("inputs of type %s are not supported: use integer, float, string, boolean, datetime, duration, file, directory, enum, list[T] or map[T]", TypeString(t))
}

// toInt64 converts Go integers (and json.Number holding an integer) to
// int64. ok is false for values that are not integers; err is set for
// integers that do not fit in 64 bits.
func toInt64(v any) (i int64, ok bool, err error) {
	switch x := v.(type) {
	case int:
		return int64(x), true, nil
	case int8:
		return int64(x), true, nil
	case int16:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case int64:
		return x, true, nil
	case uint8:
		return int64(x), true, nil
	case uint16:
		return int64(x), true, nil
	case uint32:
		return int64(x), true, nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, false, errorf("integer %d is out of range: Flyte integers are 64-bit signed (at most %d)", x, int64(math.MaxInt64))
		}
		return int64(x), true, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, false, errorf("integer %d is out of range: Flyte integers are 64-bit signed (at most %d)", x, int64(math.MaxInt64))
		}
		return int64(x), true, nil
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return intText(string(x))
		}
		return n, true, nil
	}
	return 0, false, nil
}

// intText parses decimal integer text, telling overflow from non-integers.
func intText(s string) (int64, bool, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil {
		return n, true, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, false, errorf("integer %s is out of range: Flyte integers are 64-bit signed (%d to %d)", s, int64(math.MinInt64), int64(math.MaxInt64))
	}
	return 0, false, nil
}

func blob(bt *core.BlobType, uri string) (*core.Literal, error) {
	kind := "file"
	if bt.GetDimensionality() == core.BlobType_MULTIPART {
		kind = "directory"
	}
	u := strings.TrimSpace(uri)
	scheme, rest, found := strings.Cut(u, "://")
	if u == "" || !found || scheme == "" || rest == "" || !validScheme(scheme) {
		return nil, errorf("want a %s URI such as s3://bucket/%s, got %s: local paths are not uploaded, give the remote location", kind, map[string]string{"file": "data.csv", "directory": "prefix/"}[kind], describe(uri))
	}
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Blob{Blob: &core.Blob{
		Uri:      u,
		Metadata: &core.BlobMetadata{Type: &core.BlobType{Format: bt.GetFormat(), Dimensionality: bt.GetDimensionality()}},
	}}}}}, nil
}

// validScheme reports whether s is a URI scheme (RFC 3986: a letter, then
// letters, digits, '+', '-' or '.').
func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

func enum(et *core.EnumType, s string) (*core.Literal, error) {
	for _, v := range et.GetValues() {
		if v == s {
			return primitive(&core.Primitive{Value: &core.Primitive_StringValue{StringValue: s}}), nil
		}
	}
	return nil, errorf("want one of %s, got %q", strings.Join(et.GetValues(), ", "), s)
}

// describe names a Go value's kind and value for messages: the string
// "3.5", the integer 3, the float 2.5, the boolean true, a list, a mapping.
func describe(v any) string {
	if v == nil {
		return "nothing (null)"
	}
	switch x := v.(type) {
	case string:
		return "the string " + strconv.Quote(clip(x))
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case float32, float64:
		return fmt.Sprintf("the float %v", x)
	case json.Number:
		return "the number " + clip(string(x))
	case time.Time:
		return "the time " + x.Format(time.RFC3339Nano)
	case time.Duration:
		return "the duration " + x.String()
	}
	if _, ok, err := toInt64(v); ok || err != nil {
		return fmt.Sprintf("the integer %v", v)
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map:
		return "a mapping"
	}
	return fmt.Sprintf("a Go %T", v)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
