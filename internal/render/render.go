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
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	"github.com/flytedask/flytedask/bundle"
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

// Entities renders the tasks, workflows and launch plans of e in format f.
// Tasks alone render exactly as Specs does (an array); with workflows or
// launch plans the output is an object with the keys "tasks", "workflows"
// and "launchPlans" (each an array in e's order, present even when empty).
func Entities(f Format, e bundle.Entities) ([]byte, error) {
	if len(e.Workflows)+len(e.LaunchPlans) == 0 {
		return Specs(f, e.Tasks)
	}
	list := func(what string, n int, m func(int) proto.Message) ([]json.RawMessage, error) {
		items := make([]json.RawMessage, n)
		for i := range items {
			raw, err := protojson.Marshal(m(i))
			if err != nil {
				return nil, fmt.Errorf("render: %s %d: %w", what, i, err)
			}
			items[i] = raw
		}
		return items, nil
	}
	tasks, err := list("task", len(e.Tasks), func(i int) proto.Message { return e.Tasks[i] })
	if err != nil {
		return nil, err
	}
	wfs, err := list("workflow", len(e.Workflows), func(i int) proto.Message { return e.Workflows[i] })
	if err != nil {
		return nil, err
	}
	lps, err := list("launch plan", len(e.LaunchPlans), func(i int) proto.Message { return e.LaunchPlans[i] })
	if err != nil {
		return nil, err
	}
	// A struct keeps the keys in this order (tasks, workflows, launch plans).
	obj := struct {
		Tasks       []json.RawMessage `json:"tasks"`
		Workflows   []json.RawMessage `json:"workflows"`
		LaunchPlans []json.RawMessage `json:"launchPlans"`
	}{tasks, wfs, lps}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(obj); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	switch f {
	case JSON:
		return buf.Bytes(), nil
	case YAML:
		y, err := yaml.JSONToYAML(buf.Bytes())
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		return y, nil
	}
	return nil, fmt.Errorf("render: unknown format %q: use json or yaml", f)
}
