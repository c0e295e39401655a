package explain

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// This file reproduces, for the message shapes a Dask custom can hold, what the backend does to turn
// TaskTemplate.custom into a plugins.DaskJob: flytestdlib's utils.UnmarshalStructToPb (v1.16.8 and
// v1.1.x alike) writes the Struct with github.com/golang/protobuf v1.5.4's jsonpb.Marshaler and reads
// the text back with jsonpb.Unmarshaler{AllowUnknownFields: true}, whose decoder is its own (not
// protojson's): every scalar goes through encoding/json, so a number with a fraction or an exponent
// is refused for an integer field, "1" (quoted) is accepted, and the error texts are encoding/json's.
// golang/protobuf is deprecated and must not enter this module, so the two steps are written here
// from its source; explain/internal/backendverify proves them against the real plugin.

// jsonpbStruct writes s as jsonpb.Marshaler{}.MarshalToString does: keys sorted, each key and
// string written by encoding/json, numbers by encoding/json except the non-finite ones, which are
// written as the strings "NaN", "Infinity" and "-Infinity".
func jsonpbStruct(s *structpb.Struct) (string, error) {
	var b []byte
	var err error
	b, err = appendStruct(b, s)
	return string(b), err
}

func appendStruct(b []byte, s *structpb.Struct) ([]byte, error) {
	keys := make([]string, 0, len(s.GetFields()))
	for k := range s.GetFields() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k) // a string always marshals
		b = append(b, kb...)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, s.GetFields()[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v *structpb.Value) ([]byte, error) {
	switch k := v.GetKind().(type) {
	case *structpb.Value_NullValue:
		return append(b, "null"...), nil
	case *structpb.Value_BoolValue:
		if k.BoolValue {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case *structpb.Value_NumberValue:
		f := k.NumberValue
		switch {
		case math.IsInf(f, +1):
			return append(b, `"Infinity"`...), nil
		case math.IsInf(f, -1):
			return append(b, `"-Infinity"`...), nil
		case math.IsNaN(f):
			return append(b, `"NaN"`...), nil
		}
		nb, _ := json.Marshal(f) // finite floats always marshal
		return append(b, nb...), nil
	case *structpb.Value_StringValue:
		sb, _ := json.Marshal(k.StringValue)
		return append(b, sb...), nil
	case *structpb.Value_StructValue:
		if k.StructValue == nil {
			return append(b, "{}"...), nil
		}
		return appendStruct(b, k.StructValue)
	case *structpb.Value_ListValue:
		b = append(b, '[')
		for i, e := range k.ListValue.GetValues() {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	default:
		return nil, errors.New("nil Value")
	}
}

// jsonpbUnmarshal reads text into m as jsonpb.Unmarshaler{AllowUnknownFields: true}.Unmarshal does
// for messages made of strings, integers, enums, messages and lists of them (a plugins.DaskJob): a
// top-level null is a no-op; each field is looked up by its proto name, then by its JSON name (which
// wins); null fields and unknown keys are skipped.
func jsonpbUnmarshal(text []byte, m protoreflect.Message) error {
	if string(text) == "null" {
		return nil
	}
	return jsonpbMessage(m, text)
}

func jsonpbMessage(m protoreflect.Message, in []byte) error {
	if string(in) == "null" {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(in, &obj); err != nil {
		return err
	}
	fds := m.Descriptor().Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		var raw json.RawMessage
		if v, ok := obj[string(fd.Name())]; ok {
			raw = v
		}
		if v, ok := obj[fd.JSONName()]; ok {
			raw = v
		}
		if raw == nil || string(raw) == "null" {
			continue
		}
		v := m.NewField(fd)
		if fd.IsList() {
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return err
			}
			l := v.List()
			for _, e := range elems {
				ev, err := jsonpbSingular(l.NewElement(), e, fd)
				if err != nil {
					return err
				}
				l.Append(ev)
			}
		} else {
			var err error
			if v, err = jsonpbSingular(v, raw, fd); err != nil {
				return err
			}
		}
		m.Set(fd, v)
	}
	return nil
}

func jsonpbSingular(v protoreflect.Value, in []byte, fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		var s string
		err := json.Unmarshal(in, &s)
		return protoreflect.ValueOfString(s), err
	case protoreflect.Uint32Kind:
		var n uint32
		err := json.Unmarshal(trimQuote(in), &n)
		return protoreflect.ValueOfUint32(n), err
	case protoreflect.EnumKind:
		if len(in) >= 2 && in[0] == '"' && in[len(in)-1] == '"' {
			vd := fd.Enum().Values().ByName(protoreflect.Name(trimQuote(in)))
			if vd == nil {
				return v, fmt.Errorf("unknown value %q for enum %s", in, fd.Enum().FullName())
			}
			return protoreflect.ValueOfEnum(vd.Number()), nil
		}
		var n protoreflect.EnumNumber
		err := json.Unmarshal(in, &n)
		return protoreflect.ValueOfEnum(n), err
	case protoreflect.MessageKind:
		return v, jsonpbMessage(v.Message(), in)
	default:
		// DaskJob holds no other kind; a new one must be added here, mirroring jsonpb.
		return v, fmt.Errorf("explain: field %s of kind %v is not decoded", fd.FullName(), fd.Kind())
	}
}

func trimQuote(in []byte) []byte {
	if len(in) >= 2 && in[0] == '"' && in[len(in)-1] == '"' {
		in = in[1 : len(in)-1]
	}
	return in
}
