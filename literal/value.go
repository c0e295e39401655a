package literal

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/field"
)

// Value converts a literal to a Go value that encoding/json can marshal,
// for showing inputs and outputs: integers as int64, floats as float64 (NaN
// and infinities as the strings "NaN", "+Inf" and "-Inf"), strings, booleans,
// datetimes as RFC 3339 strings in UTC, durations in Go syntax ("1h30m0s"),
// files, directories, structured datasets and offloaded literals as their
// URI, collections as []any, maps as map[string]any, none as nil, unions as
// their value, structs as map[string]any and binary values as
// {"tag": ..., "base64": ...}. A nil or empty literal is an error.
func Value(l *core.Literal) (any, error) {
	return value(l, 0)
}

func value(l *core.Literal, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, errorf("literal nested deeper than %d levels", MaxDepth)
	}
	switch v := l.GetValue().(type) {
	case *core.Literal_Scalar:
		return scalarValue(v.Scalar, depth)
	case *core.Literal_Collection:
		out := make([]any, len(v.Collection.GetLiterals()))
		for i, e := range v.Collection.GetLiterals() {
			x, err := value(e, depth+1)
			if err != nil {
				return nil, at(fmt.Sprintf("[%d]", i), err)
			}
			out[i] = x
		}
		return out, nil
	case *core.Literal_Map:
		out := make(map[string]any, len(v.Map.GetLiterals()))
		for k, e := range v.Map.GetLiterals() {
			x, err := value(e, depth+1)
			if err != nil {
				return nil, at("["+k+"]", err)
			}
			out[k] = x
		}
		return out, nil
	case *core.Literal_OffloadedMetadata:
		return v.OffloadedMetadata.GetUri(), nil
	}
	return nil, errorf("empty literal")
}

func scalarValue(s *core.Scalar, depth int) (any, error) {
	switch v := s.GetValue().(type) {
	case *core.Scalar_Primitive:
		switch p := v.Primitive.GetValue().(type) {
		case *core.Primitive_Integer:
			return p.Integer, nil
		case *core.Primitive_FloatValue:
			switch f := p.FloatValue; {
			case math.IsNaN(f):
				return "NaN", nil
			case math.IsInf(f, 1):
				return "+Inf", nil
			case math.IsInf(f, -1):
				return "-Inf", nil
			default:
				return f, nil
			}
		case *core.Primitive_StringValue:
			return p.StringValue, nil
		case *core.Primitive_Boolean:
			return p.Boolean, nil
		case *core.Primitive_Datetime:
			if err := p.Datetime.CheckValid(); err != nil {
				return nil, errorf("invalid datetime: %v", err)
			}
			return p.Datetime.AsTime().UTC().Format(time.RFC3339Nano), nil
		case *core.Primitive_Duration:
			if err := p.Duration.CheckValid(); err != nil {
				return nil, errorf("invalid duration: %v", err)
			}
			return p.Duration.AsDuration().String(), nil
		}
		return nil, errorf("empty primitive")
	case *core.Scalar_Blob:
		return v.Blob.GetUri(), nil
	case *core.Scalar_StructuredDataset:
		return v.StructuredDataset.GetUri(), nil
	case *core.Scalar_Schema:
		return v.Schema.GetUri(), nil
	case *core.Scalar_NoneType:
		return nil, nil
	case *core.Scalar_Union:
		return value(v.Union.GetValue(), depth+1)
	case *core.Scalar_Generic:
		return v.Generic.AsMap(), nil
	case *core.Scalar_Binary:
		return map[string]any{"tag": v.Binary.GetTag(), "base64": base64.StdEncoding.EncodeToString(v.Binary.GetValue())}, nil
	case *core.Scalar_Error:
		return nil, errorf("error literal from node %s: %s", v.Error.GetFailedNodeId(), v.Error.GetMessage())
	}
	return nil, errorf("empty scalar")
}

// TypeString renders t in the syntax of flytedask's task types: integer,
// float, string, boolean, datetime, duration, file, directory, list[T],
// map[T], plus enum{a,b}, union[A,B], none, struct, binary,
// structured_dataset and schema for types flytedask does not author.
func TypeString(t *core.LiteralType) string {
	var b strings.Builder
	typeString(&b, t, 0)
	return b.String()
}

func typeString(b *strings.Builder, t *core.LiteralType, depth int) {
	if depth > MaxDepth {
		b.WriteString("...")
		return
	}
	switch tt := t.GetType().(type) {
	case *core.LiteralType_Simple:
		switch tt.Simple {
		case core.SimpleType_INTEGER:
			b.WriteString("integer")
		case core.SimpleType_FLOAT:
			b.WriteString("float")
		case core.SimpleType_STRING:
			b.WriteString("string")
		case core.SimpleType_BOOLEAN:
			b.WriteString("boolean")
		case core.SimpleType_DATETIME:
			b.WriteString("datetime")
		case core.SimpleType_DURATION:
			b.WriteString("duration")
		default:
			b.WriteString(strings.ToLower(tt.Simple.String()))
		}
	case *core.LiteralType_Blob:
		if tt.Blob.GetDimensionality() == core.BlobType_MULTIPART {
			b.WriteString("directory")
		} else {
			b.WriteString("file")
		}
	case *core.LiteralType_CollectionType:
		b.WriteString("list[")
		typeString(b, tt.CollectionType, depth+1)
		b.WriteString("]")
	case *core.LiteralType_MapValueType:
		b.WriteString("map[")
		typeString(b, tt.MapValueType, depth+1)
		b.WriteString("]")
	case *core.LiteralType_EnumType:
		b.WriteString("enum{" + strings.Join(tt.EnumType.GetValues(), ",") + "}")
	case *core.LiteralType_UnionType:
		b.WriteString("union[")
		for i, v := range tt.UnionType.GetVariants() {
			if i > 0 {
				b.WriteString(",")
			}
			typeString(b, v, depth+1)
		}
		b.WriteString("]")
	case *core.LiteralType_StructuredDatasetType:
		b.WriteString("structured_dataset")
	case *core.LiteralType_Schema:
		b.WriteString("schema")
	default:
		b.WriteString("<no type>")
	}
}

// Map converts values, keyed by input name, to a LiteralMap by the declared
// variables (a task's or workflow's interface inputs). Every problem is
// reported at once in a *field.ValidationError, sorted by input name, with
// the path p[NAME] (p[NAME][2] for an element), e.g.
// fixed_inputs[n]: want integer, got the string "3.5". A name that is not
// declared is an error naming the declared ones. Values not given are not
// added: whether an input is required is the caller's business.
func Map(p *field.Path, vars map[string]*core.Variable, values map[string]any) (*core.LiteralMap, error) {
	return convertMap(p, vars, values, Of)
}

// ParseMap is Map for command-line text: each value is read by Parse.
func ParseMap(p *field.Path, vars map[string]*core.Variable, texts map[string]string) (*core.LiteralMap, error) {
	return convertMap(p, vars, texts, Parse)
}

func convertMap[V any](p *field.Path, vars map[string]*core.Variable, values map[string]V, conv func(*core.LiteralType, V) (*core.Literal, error)) (*core.LiteralMap, error) {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &core.LiteralMap{Literals: make(map[string]*core.Literal, len(values))}
	var errs field.ErrorList
	for _, n := range names {
		ip := p.Key(n)
		v, ok := vars[n]
		if !ok {
			errs = append(errs, field.NotSupported(ip, n, Names(vars)))
			errs[len(errs)-1].Detail = unknownInput(n, vars)
			continue
		}
		l, err := conv(v.GetType(), values[n])
		if err != nil {
			fe := field.Invalid(ip, values[n], err.Error())
			if le, ok := err.(*Error); ok {
				fe.Field = ip.Join(le.Path)
				fe.Detail = le.Msg
			}
			if !strings.Contains(fe.Detail, TypeString(v.GetType())) {
				fe.Detail = fmt.Sprintf("input %s is %s: %s", n, TypeString(v.GetType()), fe.Detail)
			}
			errs = append(errs, fe)
			continue
		}
		out.Literals[n] = l
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Names returns the variable names of vars, sorted.
func Names(vars map[string]*core.Variable) []string {
	out := make([]string, 0, len(vars))
	for n := range vars {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func unknownInput(n string, vars map[string]*core.Variable) string {
	if len(vars) == 0 {
		return fmt.Sprintf("unknown input %q: the task has no inputs", n)
	}
	parts := make([]string, 0, len(vars))
	for _, name := range Names(vars) {
		parts = append(parts, name+" ("+TypeString(vars[name].GetType())+")")
	}
	return fmt.Sprintf("unknown input %q: the inputs are %s", n, strings.Join(parts, ", "))
}
