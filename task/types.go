package task

import (
	"fmt"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

// Type is the Flyte type of an input or output. The zero Type is invalid;
// use the predefined types, ListOf, MapOf or ParseType.
//
// Type is comparable: two Types are == when they describe the same type
// (ListOf(Integer) == ListOf(Integer)), so Variables compare by value too.
type Type struct {
	// kinds holds the kind of t, then the kind of its element, and so on:
	// list[map[integer]] is {kindList, kindMap, kindInteger}. A string, so
	// that == compares the whole type.
	kinds string
}

type kind uint8

const (
	kindInvalid kind = iota
	kindInteger
	kindFloat
	kindString
	kindBoolean
	kindDatetime
	kindDuration
	kindFile
	kindDirectory
	kindList
	kindMap
)

var kindNames = [...]string{
	kindInteger:   "integer",
	kindFloat:     "float",
	kindString:    "string",
	kindBoolean:   "boolean",
	kindDatetime:  "datetime",
	kindDuration:  "duration",
	kindFile:      "file",
	kindDirectory: "directory",
}

// The scalar types, named as in the flytedask spec (Python: int, float, str,
// bool, datetime, timedelta, FlyteFile, FlyteDirectory).
// They are variables because Go has no struct constants; reassigning one is
// a programming error.
var (
	Integer   = scalar(kindInteger)
	Float     = scalar(kindFloat)
	String    = scalar(kindString)
	Boolean   = scalar(kindBoolean)
	Datetime  = scalar(kindDatetime)
	Duration  = scalar(kindDuration)
	File      = scalar(kindFile)
	Directory = scalar(kindDirectory)
)

func scalar(k kind) Type { return Type{kinds: string(rune(k))} }

// kind returns the outermost kind of t (kindInvalid for the zero Type).
func (t Type) kind() kind {
	if t.kinds == "" {
		return kindInvalid
	}
	return kind(t.kinds[0])
}

// elem returns the element type of a list or map type.
func (t Type) elem() Type { return Type{kinds: t.kinds[1:]} }

// wrap returns the container type k of elem; the zero elem stays zero.
func wrap(k kind, elem Type) Type {
	if elem.IsZero() {
		return Type{}
	}
	return Type{kinds: string(rune(k)) + elem.kinds}
}

// ListOf returns the type list[elem] (Python List[elem]); the zero Type for a
// zero elem.
func ListOf(elem Type) Type { return wrap(kindList, elem) }

// MapOf returns the type map[elem]: string keys to elem values (Python
// Dict[str, elem]); the zero Type for a zero elem.
func MapOf(elem Type) Type { return wrap(kindMap, elem) }

// IsZero reports whether t is the zero (invalid) Type.
func (t Type) IsZero() bool { return t.kinds == "" }

// String renders t in the spec syntax, e.g. list[map[file]].
func (t Type) String() string {
	switch k := t.kind(); k {
	case kindList:
		return "list[" + t.elem().String() + "]"
	case kindMap:
		return "map[" + t.elem().String() + "]"
	case kindInvalid:
		return "<invalid>"
	default:
		return kindNames[k]
	}
}

// MarshalText renders t in the spec syntax, so a Variable marshals to JSON
// or YAML as {"name": "n", "type": "list[integer]"}. The zero Type cannot
// be marshalled.
func (t Type) MarshalText() ([]byte, error) {
	if t.IsZero() {
		return nil, fmt.Errorf("cannot marshal the zero (invalid) Type")
	}
	return []byte(t.String()), nil
}

// UnmarshalText parses the spec syntax with ParseType.
func (t *Type) UnmarshalText(b []byte) error {
	parsed, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}

// maxTypeDepth bounds nesting, so hostile specs cannot recurse without end.
const maxTypeDepth = 16

// ParseType parses the spec syntax: integer, float, string, boolean,
// datetime, duration, file, directory, list[T] and map[T] (map keys are
// strings). Spaces are not allowed.
func ParseType(s string) (Type, error) {
	t, rest, err := parseType(s, 0)
	if err != nil {
		return Type{}, err
	}
	if rest != "" {
		return Type{}, fmt.Errorf("unknown type %q: unexpected %q after %s", s, rest, t)
	}
	return t, nil
}

func parseType(s string, depth int) (Type, string, error) {
	if depth > maxTypeDepth {
		return Type{}, "", fmt.Errorf("type nested deeper than %d levels", maxTypeDepth)
	}
	for _, outer := range [...]struct {
		prefix string
		wrap   func(Type) Type
	}{{"list[", ListOf}, {"map[", MapOf}} {
		if !strings.HasPrefix(s, outer.prefix) {
			continue
		}
		elem, rest, err := parseType(s[len(outer.prefix):], depth+1)
		if err != nil {
			return Type{}, "", err
		}
		if !strings.HasPrefix(rest, "]") {
			return Type{}, "", fmt.Errorf("unknown type %q: missing ']'", s)
		}
		return outer.wrap(elem), rest[1:], nil
	}
	end := strings.IndexByte(s, ']')
	word := s
	if end >= 0 {
		word = s[:end]
	}
	for k, name := range kindNames {
		if name != "" && name == word {
			return scalar(kind(k)), s[len(word):], nil
		}
	}
	return Type{}, "", fmt.Errorf("unknown type %q: use integer, float, string, boolean, datetime, duration, file, directory, list[T] or map[T]", word)
}

// literalType returns t as a flyteidl LiteralType, as flytekit's type engine
// writes it. It returns nil for the zero Type.
func (t Type) literalType() *core.LiteralType {
	simple := func(s core.SimpleType) *core.LiteralType {
		return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: s}}
	}
	blob := func(d core.BlobType_BlobDimensionality) *core.LiteralType {
		return &core.LiteralType{Type: &core.LiteralType_Blob{Blob: &core.BlobType{Dimensionality: d}}}
	}
	switch t.kind() {
	case kindInteger:
		return simple(core.SimpleType_INTEGER)
	case kindFloat:
		return simple(core.SimpleType_FLOAT)
	case kindString:
		return simple(core.SimpleType_STRING)
	case kindBoolean:
		return simple(core.SimpleType_BOOLEAN)
	case kindDatetime:
		return simple(core.SimpleType_DATETIME)
	case kindDuration:
		return simple(core.SimpleType_DURATION)
	case kindFile:
		return blob(core.BlobType_SINGLE)
	case kindDirectory:
		return blob(core.BlobType_MULTIPART)
	case kindList:
		return &core.LiteralType{Type: &core.LiteralType_CollectionType{CollectionType: t.elem().literalType()}}
	case kindMap:
		return &core.LiteralType{Type: &core.LiteralType_MapValueType{MapValueType: t.elem().literalType()}}
	}
	return nil
}

// Variable is one named input or output of a task.
type Variable struct {
	// Name of the variable; a Python identifier. Unnamed Python outputs are o0, o1, ...
	Name string `json:"name"`
	// Type of the variable.
	Type Type `json:"type"`
	// Description is optional; like flytekit, an empty one is written as the name.
	Description string `json:"description,omitempty"`
}
