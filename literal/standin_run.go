// TEMPORARY stand-in for package literal (helper lp builds the real one). Written by helper run so
// that package execution compiles before literal lands on main; delete this file when merging lp's
// package. It covers only the simple types, with the same signatures.

package literal

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func prim(p *core.Primitive) *core.Literal {
	return &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{Value: &core.Scalar_Primitive{Primitive: p}}}}
}

// Of converts a Go value to a literal of type t.
func Of(t *core.LiteralType, v any) (*core.Literal, error) {
	switch t.GetSimple() {
	case core.SimpleType_INTEGER:
		switch x := v.(type) {
		case int:
			return prim(&core.Primitive{Value: &core.Primitive_Integer{Integer: int64(x)}}), nil
		case int64:
			return prim(&core.Primitive{Value: &core.Primitive_Integer{Integer: x}}), nil
		}
	case core.SimpleType_FLOAT:
		switch x := v.(type) {
		case float64:
			return prim(&core.Primitive{Value: &core.Primitive_FloatValue{FloatValue: x}}), nil
		case int:
			return prim(&core.Primitive{Value: &core.Primitive_FloatValue{FloatValue: float64(x)}}), nil
		}
	case core.SimpleType_STRING:
		if x, ok := v.(string); ok {
			return prim(&core.Primitive{Value: &core.Primitive_StringValue{StringValue: x}}), nil
		}
	case core.SimpleType_BOOLEAN:
		if x, ok := v.(bool); ok {
			return prim(&core.Primitive{Value: &core.Primitive_Boolean{Boolean: x}}), nil
		}
	case core.SimpleType_DATETIME:
		if x, ok := v.(time.Time); ok {
			return prim(&core.Primitive{Value: &core.Primitive_Datetime{Datetime: timestamppb.New(x)}}), nil
		}
	case core.SimpleType_DURATION:
		if x, ok := v.(time.Duration); ok {
			return prim(&core.Primitive{Value: &core.Primitive_Duration{Duration: durationpb.New(x)}}), nil
		}
	}
	if ct := t.GetCollectionType(); ct != nil {
		if xs, ok := v.([]any); ok {
			out := make([]*core.Literal, len(xs))
			for i, x := range xs {
				l, err := Of(ct, x)
				if err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
				out[i] = l
			}
			return &core.Literal{Value: &core.Literal_Collection{Collection: &core.LiteralCollection{Literals: out}}}, nil
		}
	}
	return nil, fmt.Errorf("want %s, got %T", TypeString(t), v)
}

// Parse converts a command-line string to a literal of type t.
func Parse(t *core.LiteralType, s string) (*core.Literal, error) {
	switch t.GetSimple() {
	case core.SimpleType_INTEGER:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want integer, got %q", s)
		}
		return Of(t, n)
	case core.SimpleType_FLOAT:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("want a finite float, got %q", s)
		}
		return Of(t, f)
	case core.SimpleType_STRING:
		return Of(t, s)
	case core.SimpleType_BOOLEAN:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("want boolean (true or false), got %q", s)
		}
		return Of(t, b)
	case core.SimpleType_DATETIME:
		d, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an RFC 3339 datetime", s)
		}
		return Of(t, d)
	case core.SimpleType_DURATION:
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration", s)
		}
		return Of(t, d)
	}
	if ct := t.GetCollectionType(); ct != nil {
		var xs []json.RawMessage
		if err := json.Unmarshal([]byte(s), &xs); err != nil {
			return nil, fmt.Errorf("want %s (a list, e.g. [1, 2]), got %q", TypeString(t), s)
		}
		out := make([]*core.Literal, len(xs))
		for i, x := range xs {
			str := string(x)
			if ct.GetSimple() == core.SimpleType_STRING {
				_ = json.Unmarshal(x, &str)
			}
			l, err := Parse(ct, str)
			if err != nil {
				return nil, err
			}
			out[i] = l
		}
		return &core.Literal{Value: &core.Literal_Collection{Collection: &core.LiteralCollection{Literals: out}}}, nil
	}
	return nil, fmt.Errorf("type %s is not supported", TypeString(t))
}

// Value converts a literal to a JSON-able Go value.
func Value(l *core.Literal) (any, error) {
	if c := l.GetCollection(); c != nil {
		out := make([]any, len(c.GetLiterals()))
		for i, x := range c.GetLiterals() {
			v, err := Value(x)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	p := l.GetScalar().GetPrimitive()
	switch x := p.GetValue().(type) {
	case *core.Primitive_Integer:
		return x.Integer, nil
	case *core.Primitive_FloatValue:
		return x.FloatValue, nil
	case *core.Primitive_StringValue:
		return x.StringValue, nil
	case *core.Primitive_Boolean:
		return x.Boolean, nil
	case *core.Primitive_Datetime:
		return x.Datetime.AsTime().UTC().Format(time.RFC3339Nano), nil
	case *core.Primitive_Duration:
		return x.Duration.AsDuration().String(), nil
	}
	if b := l.GetScalar().GetBlob(); b != nil {
		return b.GetUri(), nil
	}
	return nil, fmt.Errorf("unsupported literal")
}

// TypeString names a literal type (integer, list[integer], ...).
func TypeString(t *core.LiteralType) string {
	switch t.GetSimple() {
	case core.SimpleType_INTEGER:
		return "integer"
	case core.SimpleType_FLOAT:
		return "float"
	case core.SimpleType_STRING:
		return "string"
	case core.SimpleType_BOOLEAN:
		return "boolean"
	case core.SimpleType_DATETIME:
		return "datetime"
	case core.SimpleType_DURATION:
		return "duration"
	}
	if ct := t.GetCollectionType(); ct != nil {
		return "list[" + TypeString(ct) + "]"
	}
	if mt := t.GetMapValueType(); mt != nil {
		return "map[" + TypeString(mt) + "]"
	}
	return strings.ToLower(fmt.Sprint(t))
}
