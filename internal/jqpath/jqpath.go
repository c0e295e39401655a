// Package jqpath resolves the field paths flytedask reports for protos (task.ValidateSpec's errors,
// register's field differences) in the JSON that `flytedask inspect` prints, so tests can check
// that every reported path names a real value. The syntax is jq's without the leading dot:
// name, name.sub, list[3], obj["key with spaces"].
package jqpath

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Steps splits path into object keys (string) and list indexes (int).
func Steps(path string) ([]any, error) {
	var steps []any
	for i := 0; i < len(path); {
		switch c := path[i]; {
		case c == '.':
			if i == 0 {
				return nil, fmt.Errorf("path %q starts with '.'", path)
			}
			i++
		case c == '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", path)
			}
			in := path[i+1 : i+end]
			if strings.HasPrefix(in, `"`) {
				k, err := strconv.Unquote(in)
				if err != nil {
					return nil, fmt.Errorf("path %q: %w", path, err)
				}
				steps = append(steps, k)
			} else {
				n, err := strconv.Atoi(in)
				if err != nil {
					return nil, fmt.Errorf("path %q: index %q is neither a number nor a quoted key", path, in)
				}
				steps = append(steps, n)
			}
			i += end + 1
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			steps = append(steps, path[i:j])
			i = j
		}
	}
	return steps, nil
}

// Lookup returns the value at path in doc (decoded JSON: map[string]any, []any, scalars).
func Lookup(doc any, path string) (any, error) {
	steps, err := Steps(path)
	if err != nil {
		return nil, err
	}
	cur := doc
	for k, s := range steps {
		switch s := s.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an object at step %d (%q)", path, k, s)
			}
			if cur, ok = m[s]; !ok {
				return nil, fmt.Errorf("%s: no key %q at step %d", path, s, k)
			}
		case int:
			l, ok := cur.([]any)
			if !ok || s < 0 || s >= len(l) {
				return nil, fmt.Errorf("%s: no element %d at step %d", path, s, k)
			}
			cur = l[s]
		}
	}
	return cur, nil
}

// LookupProto returns the value at path in the protojson form of m.
func LookupProto(m proto.Message, path string) (any, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return Lookup(doc, path)
}
