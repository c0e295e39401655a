// Package render prints admin.TaskSpecs for people and review tools: as
// stable, indented proto JSON (protojson, camelCase field names, fields in
// proto declaration order, map keys sorted) or as YAML converted from that
// JSON (keys sorted). A list of specs is a JSON array or a YAML sequence,
// also when it holds one spec. Output is deterministic: protojson's
// deliberately unstable white space is normalised by re-indenting it
// through encoding/json.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

// Format is an output format.
type Format string

// The formats.
const (
	// JSON is indented proto JSON.
	JSON Format = "json"
	// YAML is YAML converted from the proto JSON.
	YAML Format = "yaml"
)

// Formats lists the valid formats, for flag help.
var Formats = []Format{JSON, YAML}

// ParseFormat returns the Format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: use json or yaml", s)
}

// SpecsJSON renders specs as an indented JSON array (two spaces) ending in
// a newline.
func SpecsJSON(specs []*admin.TaskSpec) ([]byte, error) {
	items := make([]json.RawMessage, len(specs))
	for i, s := range specs {
		raw, err := protojson.Marshal(s)
		if err != nil {
			return nil, fmt.Errorf("render: task %d: %w", i, err)
		}
		items[i] = raw
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(items); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return buf.Bytes(), nil
}

// SpecsYAML renders specs as a YAML sequence.
func SpecsYAML(specs []*admin.TaskSpec) ([]byte, error) {
	j, err := SpecsJSON(specs)
	if err != nil {
		return nil, err
	}
	y, err := yaml.JSONToYAML(j)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return y, nil
}

// Specs renders specs in format f.
func Specs(f Format, specs []*admin.TaskSpec) ([]byte, error) {
	switch f {
	case JSON:
		return SpecsJSON(specs)
	case YAML:
		return SpecsYAML(specs)
	}
	return nil, fmt.Errorf("render: unknown format %q: use json or yaml", f)
}
