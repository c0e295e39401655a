package literal

import (
	"math"
	"strconv"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	yaml "go.yaml.in/yaml/v3"
)

// MaxTextSize is the longest text Parse accepts for a list or a map (1 MiB).
const MaxTextSize = 1 << 20

// Parse converts command-line text to a literal of type t, as `flytedask run
// -i NAME=VALUE` gives it: integers in decimal, floats in Go/JSON syntax,
// booleans as true or false, datetimes in RFC 3339, durations in Go syntax,
// files and directories as URIs, and lists and maps as JSON or YAML flow
// text ([1, 2], {a: 1}), whose scalar elements are read by the element type
// the same way (so ["1", 2] is a list[integer] and [a, b] a list[string]).
// A string input takes the text as it is.
func Parse(t *core.LiteralType, s string) (*core.Literal, error) {
	return parse(t, s, 0)
}

func parse(t *core.LiteralType, s string, depth int) (*core.Literal, error) {
	if depth > MaxDepth {
		return nil, errorf("type nested deeper than %d levels", MaxDepth)
	}
	switch tt := t.GetType().(type) {
	case *core.LiteralType_Simple:
		switch tt.Simple {
		case core.SimpleType_INTEGER:
			i, ok, err := intText(strings.TrimSpace(s))
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errorf("want integer, got %q", clip(s))
			}
			return Of(t, i)
		case core.SimpleType_FLOAT:
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, errorf("want a finite float, got %q", clip(s))
			}
			return Of(t, f)
		case core.SimpleType_BOOLEAN:
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true":
				return Of(t, true)
			case "false":
				return Of(t, false)
			}
			return nil, errorf("want boolean (true or false), got %q", clip(s))
		case core.SimpleType_NONE:
			return Of(t, nil)
		}
		return Of(t, s) // string, datetime, duration: their text forms
	case *core.LiteralType_Blob, *core.LiteralType_EnumType:
		return Of(t, s)
	case *core.LiteralType_CollectionType, *core.LiteralType_MapValueType:
		if len(s) > MaxTextSize {
			return nil, errorf("the text of a %s is longer than %d bytes", TypeString(t), MaxTextSize)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
			return nil, errorf("want %s as JSON or YAML flow text (%s), got %q: %s", TypeString(t), example(t), clip(s), strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if len(doc.Content) == 0 {
			return nil, errorf("want %s as JSON or YAML flow text (%s), got nothing", TypeString(t), example(t))
		}
		budget := maxNodes
		return node(t, doc.Content[0], depth, &budget)
	}
	return Of(t, s) // reports the unsupported type
}

// maxNodes bounds the YAML nodes Parse visits, counting every use of an
// alias, so a few bytes of aliases cannot make it do unbounded work.
const maxNodes = 100_000

func example(t *core.LiteralType) string {
	if t.GetCollectionType() != nil {
		return "e.g. [1, 2]"
	}
	return "e.g. {a: 1, b: 2}"
}

// node converts a YAML node of Parse's text by t.
func node(t *core.LiteralType, n *yaml.Node, depth int, budget *int) (*core.Literal, error) {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 64 {
			return nil, errorf("YAML aliases nested too deeply")
		}
		n = n.Alias
	}
	*budget--
	if *budget < 0 {
		return nil, errorf("the value has more than %d elements", maxNodes)
	}
	if depth > MaxDepth {
		return nil, errorf("type nested deeper than %d levels", MaxDepth)
	}
	switch tt := t.GetType().(type) {
	case *core.LiteralType_CollectionType:
		if n.Kind != yaml.SequenceNode {
			return nil, errorf("want %s (a list, %s), got %s", TypeString(t), example(t), nodeText(n))
		}
		out := make([]*core.Literal, len(n.Content))
		for i, item := range n.Content {
			l, err := node(tt.CollectionType, item, depth+1, budget)
			if err != nil {
				return nil, at("["+strconv.Itoa(i)+"]", err)
			}
			out[i] = l
		}
		return &core.Literal{Value: &core.Literal_Collection{Collection: &core.LiteralCollection{Literals: out}}}, nil
	case *core.LiteralType_MapValueType:
		if n.Kind != yaml.MappingNode {
			return nil, errorf("want %s (a mapping, %s), got %s", TypeString(t), example(t), nodeText(n))
		}
		out := make(map[string]*core.Literal, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, errorf("mapping keys must be strings, got %s", nodeText(k))
			}
			if _, dup := out[k.Value]; dup {
				return nil, errorf("duplicate key %q", k.Value)
			}
			l, err := node(tt.MapValueType, n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, at("["+k.Value+"]", err)
			}
			out[k.Value] = l
		}
		return &core.Literal{Value: &core.Literal_Map{Map: &core.LiteralMap{Literals: out}}}, nil
	}
	if n.Kind != yaml.ScalarNode {
		return nil, errorf("want %s, got %s", TypeString(t), nodeText(n))
	}
	if n.ShortTag() == "!!null" && t.GetSimple() != core.SimpleType_NONE && t.GetSimple() != core.SimpleType_STRING {
		return nil, errorf("want %s, got null", TypeString(t))
	}
	return parse(t, n.Value, depth)
}

func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return strconv.Quote(clip(n.Value))
}
