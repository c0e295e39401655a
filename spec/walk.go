package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/accelerators"
	"github.com/flytedask/flytedask/task"
)

// maxNodeVisits bounds the YAML nodes the decoder visits, counting every
// visit through an alias: anchors and aliases cannot make it do unbounded
// work.
const maxNodeVisits = 1_000_000

// errTooComplex is panicked inside the walker when the budget runs out and
// recovered by decodeFile; it never leaves the package.
type errTooComplex struct{}

// walker decodes the nodes of one file, appending problems to out.
type walker struct {
	file   string
	budget int
	out    *problems
	lines  map[string]int // rendered path -> line of its key or list item
}

// mark records the line a path is written at.
func (w *walker) mark(p *field.Path, line int) {
	if w.lines != nil {
		w.lines[p.String()] = line
	}
}

func (w *walker) fail(n *yaml.Node, p *field.Path, typ field.ErrorType, blocking bool, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	w.out.add(Problem{File: w.file, Line: line, Path: p.String(), Type: typ, Message: fmt.Sprintf(format, args...)}, blocking)
}

func (w *walker) wrongType(n *yaml.Node, p *field.Path, want string) {
	w.fail(n, p, ErrorTypeWrongType, true, "must be %s, got %s", want, describe(n))
}

// resolve follows aliases and charges one visit to the budget.
func (w *walker) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 64 {
			panic(errTooComplex{})
		}
		n = n.Alias
	}
	w.budget--
	if w.budget < 0 {
		panic(errTooComplex{})
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names a node's YAML type and value for type errors.
func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", v)
	case "!!int":
		return "the integer " + v
	case "!!float":
		return "the number " + v
	case "!!bool":
		return "the boolean " + v
	case "!!null":
		return "null"
	}
	return fmt.Sprintf("%s %q", n.ShortTag(), v)
}

// fields walks a mapping with a fixed set of keys. It reports keys that are
// unknown (with the closest valid one), repeated, merge keys (<<) and
// non-scalar keys, skips null values (a null value counts as absent), and
// calls fn with the canonical key (aliases resolved), the resolved value and
// the value's path as written.
func (w *walker) fields(n *yaml.Node, p *field.Path, valid []string, aliases map[string]string, fn func(key string, v *yaml.Node, kp *field.Path)) {
	if n.Kind != yaml.MappingNode {
		w.wrongType(n, p, "a mapping")
		return
	}
	// seen[j] is the key node of valid[j] once it has been read: a slice of the stack array for the
	// short key lists of the format (a map per mapping showed in the profile of large specs).
	var seenBuf [32]*yaml.Node
	var seen []*yaml.Node
	if len(valid) <= len(seenBuf) {
		seen = seenBuf[:len(valid)]
	} else {
		seen = make([]*yaml.Node, len(valid))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := w.resolve(n.Content[i])
		if !w.key(k, p) {
			continue
		}
		key := k.Value
		kp := p.Child(key)
		canon := key
		if a, ok := aliases[key]; ok {
			canon = a
		}
		j := indexOf(valid, canon)
		if j < 0 {
			all := append(append([]string(nil), valid...), mapKeys(aliases)...)
			if s := closest(key, all); s != "" {
				w.fail(k, kp, ErrorTypeUnknownKey, true, "unknown key %q: did you mean %s?", key, s)
			} else if home, ok := keyHomes[key]; ok {
				w.fail(k, kp, ErrorTypeUnknownKey, true, "unknown key %q here: it belongs in %s", key, home)
			} else {
				w.fail(k, kp, ErrorTypeUnknownKey, true, "unknown key %q: valid keys are %s", key, strings.Join(valid, ", "))
			}
			continue
		}
		if prev := seen[j]; prev != nil {
			if prev.Value == key {
				w.fail(k, kp, field.ErrorTypeDuplicate, true, "duplicate key %q (first at line %d)", key, prev.Line)
			} else {
				w.fail(k, kp, field.ErrorTypeDuplicate, true, "%s and %s are the same key (an alias): set only one (the other is at line %d)", key, prev.Value, prev.Line)
			}
			continue
		}
		seen[j] = k
		w.mark(kp, k.Line)
		v := w.resolve(n.Content[i+1])
		if isNull(v) {
			continue
		}
		fn(canon, v, kp)
	}
}

// key checks that a resolved mapping key is a plain scalar.
func (w *walker) key(k *yaml.Node, p *field.Path) bool {
	switch {
	case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
		w.fail(k, p, ErrorTypeUnknownKey, true, "YAML merge keys (<<) are not supported: use the defaults block to share values between tasks")
		return false
	case k.Kind != yaml.ScalarNode:
		w.fail(k, p, ErrorTypeWrongType, true, "mapping keys must be strings, got %s", describe(k))
		return false
	}
	return true
}

// indexOf returns the index of s in list, or -1.
func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// str reads a string scalar. Integers and floats are taken as written
// (version: 1.10 is "1.10"); booleans must be quoted.
func (w *walker) str(n *yaml.Node, p *field.Path) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!timestamp":
			return n.Value, true
		case "!!bool":
			w.fail(n, p, ErrorTypeWrongType, true, "must be a string, got the boolean %s: quote it (\"%s\") if you mean the text", n.Value, n.Value)
			return "", false
		}
	}
	w.wrongType(n, p, "a string")
	return "", false
}

func (w *walker) strPtr(n *yaml.Node, p *field.Path) *string {
	if s, ok := w.str(n, p); ok {
		return &s
	}
	return nil
}

// yamlIntSyntax matches the plain scalars YAML reads as integers when they
// fit in 64 bits (underscores are allowed between digits).
var yamlIntSyntax = regexp.MustCompile(`^[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)$`)

// bigInt returns the decimal digits of a plain scalar in YAML integer
// syntax that does not fit in 64 bits, as Python's str() writes the int
// (YAML reads such a scalar as a float, or in hex, octal or binary as a
// string).
func bigInt(n *yaml.Node) (string, bool) {
	if tag := n.ShortTag(); (tag != "!!float" && tag != "!!str") || !isPlainInt(n) {
		return "", false
	}
	digits := strings.ReplaceAll(n.Value, "_", "")
	base := 10 // a leading 0 is not octal in YAML 1.2
	if u := strings.TrimLeft(digits, "+-"); len(u) > 1 && u[0] == '0' && strings.ContainsRune("xob", rune(u[1])) {
		base = 0
	}
	v, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return "", false
	}
	return v.String(), true
}

// isPlainInt reports whether n is an unquoted scalar in YAML integer syntax.
func isPlainInt(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && yamlIntSyntax.MatchString(n.Value)
}

func (w *walker) integer(n *yaml.Node, p *field.Path) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var v int64
		if err := n.Decode(&v); err == nil && v >= math.MinInt && v <= math.MaxInt {
			return int(v), true
		}
		w.fail(n, p, field.ErrorTypeInvalid, true, "integer %s is out of range", n.Value)
		return 0, false
	}
	if isPlainInt(n) {
		// An integer too large for int64: YAML resolves it as a float (or,
		// in hex, octal or binary, as a string).
		w.fail(n, p, field.ErrorTypeInvalid, true, "integer %s is out of range", n.Value)
		return 0, false
	}
	w.wrongType(n, p, "an integer")
	return 0, false
}

func (w *walker) boolean(n *yaml.Node, p *field.Path) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, true
		}
	}
	w.wrongType(n, p, "true or false")
	return false, false
}

// quantity reads a resource quantity: a string as written, or a number
// written the way Python's str() writes it (2 -> "2", 0.5 -> "0.5").
func (w *walker) quantity(n *yaml.Node, p *field.Path) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		if i, ok := bigInt(n); ok {
			return i, true
		}
		switch n.ShortTag() {
		case "!!str":
			return n.Value, true
		case "!!int":
			var v any
			if err := n.Decode(&v); err == nil {
				return fmt.Sprint(v), true
			}
		case "!!float":
			var f float64
			if err := n.Decode(&f); err == nil {
				return pythonFloat(f), true
			}
		}
	}
	if n.Kind == yaml.SequenceNode {
		// flytekit's own text for a request/limit pair in a Dask resource.
		w.fail(n, p, ErrorTypeWrongType, true, "%s can not be a list or tuple: give one quantity (set requests and limits separately)", yamlText(n))
		return "", false
	}
	w.wrongType(n, p, `a quantity (a string such as "500m" or "4Gi", or a number)`)
	return "", false
}

func (w *walker) strList(n *yaml.Node, p *field.Path) *[]string {
	if n.Kind != yaml.SequenceNode {
		w.wrongType(n, p, "a list of strings, e.g. [python, -m, job]")
		return nil
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		item = w.resolve(item)
		w.mark(p.Index(i), item.Line)
		s, good := w.str(item, p.Index(i))
		ok = ok && good
		out = append(out, s)
	}
	if !ok {
		return nil
	}
	return &out
}

// mappingList walks a list of mappings (a task's secrets, a launch plan's
// notifications) into one T per item, which fn fills key by key as fields
// walks the item with valid and aliases. A value that is not a list is a
// wrong-type problem ("must be " + wantList) and gives nil; a list, even an
// empty one, gives a non-nil slice. Every item's line is marked; a null item
// is a wrong-type problem ("must be " + wantItem) and is left out; any other
// item is walked by fields (which reports one that is not a mapping).
func mappingList[T any](w *walker, n *yaml.Node, p *field.Path, wantList, wantItem string, valid []string, aliases map[string]string, fn func(t *T, key string, v *yaml.Node, kp *field.Path)) []T {
	if n.Kind != yaml.SequenceNode {
		w.wrongType(n, p, wantList)
		return nil
	}
	out := make([]T, 0, len(n.Content))
	for i, item := range n.Content {
		ip := p.Index(i)
		item = w.resolve(item)
		w.mark(ip, item.Line)
		if isNull(item) {
			w.wrongType(item, ip, wantItem)
			continue
		}
		var t T
		w.fields(item, ip, valid, aliases, func(key string, v *yaml.Node, kp *field.Path) { fn(&t, key, v, kp) })
		out = append(out, t)
	}
	return out
}

// mapEntries walks a mapping of free-form names (environment, labels,
// inputs): keys are rendered as path[KEY].
func (w *walker) mapEntries(n *yaml.Node, p *field.Path, want string, fn func(key string, v *yaml.Node, kp *field.Path)) {
	if n.Kind != yaml.MappingNode {
		w.wrongType(n, p, want)
		return
	}
	w.entries(n, p, p.Key, func(key string, v *yaml.Node, kp *field.Path) {
		fn(key, w.resolve(v), kp)
	})
}

// entries calls fn with each key of mapping n at p, its value (not
// resolved) and its path keyPath(key), after reporting non-scalar and
// repeated keys (which fn does not see) and marking the key's line.
func (w *walker) entries(n *yaml.Node, p *field.Path, keyPath func(string) *field.Path, fn func(key string, v *yaml.Node, kp *field.Path)) {
	// Keys already read: a linear search through a stack array for the few keys of most mappings,
	// a map for large ones.
	var keyBuf [16]*yaml.Node
	keys := keyBuf[:0]
	var seen map[string]int
	if len(n.Content)/2 > len(keyBuf) {
		seen = make(map[string]int, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := w.resolve(n.Content[i])
		if !w.key(k, p) {
			continue
		}
		kp := keyPath(k.Value)
		if line, ok := firstLine(keys, seen, k.Value); ok {
			w.fail(k, kp, field.ErrorTypeDuplicate, true, "duplicate key %q (first at line %d)", k.Value, line)
			continue
		}
		if seen != nil {
			seen[k.Value] = k.Line
		} else {
			keys = append(keys, k)
		}
		w.mark(kp, k.Line)
		fn(k.Value, n.Content[i+1], kp)
	}
}

// firstLine returns the line of the key key among keys (or in seen, when not nil).
func firstLine(keys []*yaml.Node, seen map[string]int, key string) (int, bool) {
	if seen != nil {
		line, ok := seen[key]
		return line, ok
	}
	for _, k := range keys {
		if k.Value == key {
			return k.Line, true
		}
	}
	return 0, false
}

func (w *walker) stringMap(n *yaml.Node, p *field.Path) map[string]string {
	out := map[string]string{}
	w.mapEntries(n, p, "a mapping of names to strings", func(key string, v *yaml.Node, kp *field.Path) {
		if isNull(v) {
			w.fail(v, kp, ErrorTypeWrongType, true, `must be a string, got null: write "" for an empty value`)
			return
		}
		if s, ok := w.str(v, kp); ok {
			out[key] = s
		}
	})
	return out
}

// types reads a mapping of variable names to types into a list sorted by name (non-nil: written,
// even when empty or wrong).
func (w *walker) types(n *yaml.Node, p *field.Path) []task.Variable {
	out := make([]task.Variable, 0, len(n.Content)/2)
	w.mapEntries(n, p, "a mapping of variable names to types, e.g. {n: integer}", func(key string, v *yaml.Node, kp *field.Path) {
		if isNull(v) || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			w.wrongType(v, kp, "a type name: integer, float, string, boolean, datetime, duration, file, directory, list[T] or map[T]")
			return
		}
		t, err := task.ParseType(v.Value)
		if err != nil {
			w.fail(v, kp, field.ErrorTypeInvalid, false, "%v", err)
			return
		}
		out = append(out, task.Variable{Name: key, Type: t})
	})
	slices.SortFunc(out, byName)
	return out
}

// keyHomes says where keys that are valid elsewhere in a spec belong, for
// unknown-key messages when no valid key here is close.
var keyHomes = map[string]string{
	"project": "the top level of the file (or use --project)", "domain": "the top level of the file (or use --domain)",
	"version": "the top level of the file (or use --version)", "tasks": "the top level of the file",
	"defaults": "the top level of the file",
	"cpu":      "requests or limits", "mem": "requests or limits", "memory": "requests or limits",
	"gpu": "requests or limits", "ephemeral_storage": "requests or limits",
	"module": "python", "function": "python",
	"scheduler": "dask", "workers": "dask", "number_of_workers": "dask.workers",
	"group": "an entry of secrets", "group_version": "an entry of secrets", "mount_requirement": "an entry of secrets",
	"serialize": "cache", "ignored_inputs": "cache", "ignore_input_vars": "cache", "cache_ignore_input_vars": "cache",
	"primary_container_name": "pod_template", "labels": "a task, pod_template or a launch plan", "annotations": "a task, pod_template or a launch plan",
	"device": "accelerator", "partition_size": "accelerator", "unpartitioned": "accelerator", "size_limit": "shared_memory (write the size itself: shared_memory: 2Gi)",
	"spec": "pod_template", "containers": "pod_template.spec",
	"launch_plans": "the top level of the file", "task": "an entry of launch_plans",
	"schedule": "an entry of launch_plans", "fixed_inputs": "an entry of launch_plans", "default_inputs": "an entry of launch_plans",
	"notifications": "an entry of launch_plans", "service_account": "an entry of launch_plans",
	"raw_output_data_prefix": "an entry of launch_plans", "max_parallelism": "an entry of launch_plans",
	"overwrite_cache": "an entry of launch_plans", "cron": "a launch plan's schedule", "fixed_rate": "a launch plan's schedule",
	"kickoff_time_input": "a launch plan's schedule", "phases": "an entry of a launch plan's notifications",
	"email": "an entry of a launch plan's notifications", "slack": "an entry of a launch plan's notifications",
	"pagerduty": "an entry of a launch plan's notifications",
}

// resourceKeys are the keys of requests and limits, in resources.Names() order (resDoc's).
var resourceKeys = [...]string{"cpu", "mem", "gpu", "ephemeral_storage"}

var resourceAliases = map[string]string{"memory": "mem"}

func (w *walker) resources(n *yaml.Node, p *field.Path) resDoc {
	var out resDoc
	w.fields(n, p, resourceKeys[:], resourceAliases, func(key string, v *yaml.Node, kp *field.Path) {
		if q, ok := w.quantity(v, kp); ok {
			out.put(indexOf(resourceKeys[:], key), q)
		}
	})
	return out
}

// taskKeys are the keys of a task, in the order of the format reference.
var taskKeys = []string{
	"name", "image", "python", "command", "args", "requests", "limits", "environment", "secrets",
	"inputs", "outputs", "retries", "timeout", "interruptible", "cache", "deprecated",
	"pod_template_name", "pod_template", "accelerator", "shared_memory", "labels", "annotations", "enable_deck",
	"short_description", "long_description", "dask",
}

// task decodes a task, or the defaults block when defaults is set.
func (w *walker) task(n *yaml.Node, p *field.Path, defaults bool) *taskDoc {
	td := &taskDoc{line: n.Line}
	w.fields(n, p, taskKeys, nil, func(key string, v *yaml.Node, kp *field.Path) {
		switch key {
		case "name":
			if defaults {
				w.fail(v, kp, ErrorTypeUnknownKey, true, "a task name cannot have a default: set name in each task")
				return
			}
			td.name = w.strPtr(v, kp)
		case "image":
			td.image = w.strPtr(v, kp)
		case "python":
			py := &pythonDoc{}
			w.fields(v, kp, []string{"module", "function"}, nil, func(key string, v *yaml.Node, kp *field.Path) {
				if key == "module" {
					py.module = w.strPtr(v, kp)
				} else {
					py.function = w.strPtr(v, kp)
				}
			})
			td.python = py
		case "command":
			td.command = w.strList(v, kp)
		case "args":
			td.args = w.strList(v, kp)
		case "requests":
			td.requests = w.resources(v, kp)
		case "limits":
			td.limits = w.resources(v, kp)
		case "environment":
			td.environment = w.stringMap(v, kp)
		case "secrets":
			td.secrets = w.secrets(v, kp)
		case "inputs":
			td.inputs = w.types(v, kp)
		case "outputs":
			td.outputs = w.types(v, kp)
		case "retries":
			if r, ok := w.integer(v, kp); ok {
				td.retries = &r
			}
		case "timeout":
			td.timeout = w.duration(v, kp)
		case "interruptible":
			if b, ok := w.boolean(v, kp); ok {
				td.interruptible = &b
			}
		case "cache":
			c := &cacheDoc{}
			w.fields(v, kp, []string{"version", "serialize", "ignored_inputs"}, cacheAliases, func(key string, v *yaml.Node, kp *field.Path) {
				switch key {
				case "version":
					c.version = w.strPtr(v, kp)
				case "ignored_inputs":
					c.ignoredInputs = w.strList(v, kp)
				default:
					if b, ok := w.boolean(v, kp); ok {
						c.serialize = &b
					}
				}
			})
			td.cache = c
		case "deprecated":
			td.deprecated = w.strPtr(v, kp)
		case "pod_template_name":
			td.podTemplateName = w.strPtr(v, kp)
		case "pod_template":
			td.podTemplate = w.podTemplate(v, kp)
		case "accelerator":
			td.accelerator = w.accelerator(v, kp)
		case "shared_memory":
			td.sharedMemory = w.sharedMemory(v, kp)
		case "labels":
			td.labels = w.stringMap(v, kp)
		case "annotations":
			td.annotations = w.stringMap(v, kp)
		case "enable_deck":
			if b, ok := w.boolean(v, kp); ok {
				td.enableDeck = &b
			}
		case "short_description":
			td.shortDescription = w.strPtr(v, kp)
		case "long_description":
			td.longDescription = w.strPtr(v, kp)
		case "dask":
			td.dask = w.dask(v, kp)
		}
	})
	return td
}

func (w *walker) duration(n *yaml.Node, p *field.Path) *time.Duration {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		w.wrongType(n, p, "a duration in Go syntax, e.g. 90s, 45m or 1h30m (a bare number has no unit)")
		return nil
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		w.fail(n, p, field.ErrorTypeInvalid, false, "invalid duration %q: use Go duration syntax, e.g. 90s, 45m or 1h30m", n.Value)
		return nil
	}
	return &d
}

func (w *walker) secrets(n *yaml.Node, p *field.Path) *[]task.Secret {
	out := mappingList(w, n, p, "a list of secrets, e.g. [{group: aws, key: token}]", "a secret mapping, e.g. {group: aws, key: token}",
		[]string{"group", "key", "group_version", "mount_requirement"}, nil, func(s *task.Secret, key string, v *yaml.Node, kp *field.Path) {
			val, ok := w.str(v, kp)
			if !ok {
				return
			}
			switch key {
			case "group":
				s.Group = val
			case "key":
				s.Key = val
			case "group_version":
				s.GroupVersion = val
			case "mount_requirement":
				s.MountRequirement = task.MountRequirement(val)
			}
		})
	if out == nil {
		return nil
	}
	return &out
}

func (w *walker) podTemplate(n *yaml.Node, p *field.Path) *podTemplateDoc {
	pt := &podTemplateDoc{}
	w.fields(n, p, []string{"primary_container_name", "labels", "annotations", "spec"}, nil, func(key string, v *yaml.Node, kp *field.Path) {
		switch key {
		case "primary_container_name":
			pt.primaryContainerName = w.strPtr(v, kp)
		case "labels":
			pt.labels = w.stringMap(v, kp)
		case "annotations":
			pt.annotations = w.stringMap(v, kp)
		case "spec":
			pt.spec = w.podSpec(v, kp)
		}
	})
	return pt
}

// podSpec decodes a Kubernetes PodSpec strictly: its YAML is converted to
// JSON and decoded case-sensitively with unknown fields rejected, as
// kubectl's strict field validation does.
func (w *walker) podSpec(n *yaml.Node, p *field.Path) *corev1.PodSpec {
	if n.Kind != yaml.MappingNode {
		w.wrongType(n, p, "a Kubernetes PodSpec mapping, e.g. {containers: [{name: primary}]}")
		return nil
	}
	before := len(w.out.list)
	v := w.generic(n, p, 0)
	if len(w.out.list) > before {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		w.fail(n, p, ErrorTypeWrongType, true, "cannot convert the pod spec to JSON: %v", err)
		return nil
	}
	var spec corev1.PodSpec
	strict, err := kjson.UnmarshalStrict(raw, &spec, kjson.DisallowUnknownFields)
	if err != nil {
		w.fail(n, p, ErrorTypeWrongType, true, "%s", strings.TrimPrefix(err.Error(), "json: "))
		return nil
	}
	for _, e := range strict {
		fe, ok := e.(kjson.FieldError)
		if !ok {
			w.fail(n, p, ErrorTypeUnknownKey, true, "%v", e)
			continue
		}
		rel := fe.FieldPath()
		name := rel[strings.LastIndexAny(rel, ".]")+1:]
		msg := fmt.Sprintf("unknown PodSpec field %q (Kubernetes field names are camelCase and case-sensitive)", name)
		if s := podFieldSuggestion(rel); s != "" {
			msg = fmt.Sprintf("unknown PodSpec field %q: did you mean %s?", name, s)
		}
		w.out.add(Problem{File: w.file, Line: lineOf(w.lines, p.Join(rel), n.Line), Path: p.Join(rel), Type: ErrorTypeUnknownKey, Message: msg}, true)
	}
	if len(strict) > 0 {
		return nil
	}
	return &spec
}

// maxGenericDepth bounds the nesting generic follows: far deeper than any
// PodSpec, and a self-referencing alias (spec: &a {containers: [*a]}) stops
// here instead of walking ever longer paths until the node budget runs out.
const maxGenericDepth = 64

// generic converts a node to the value encoding/json would produce from
// the equivalent JSON.
func (w *walker) generic(n *yaml.Node, p *field.Path, depth int) any {
	n = w.resolve(n)
	if depth > maxGenericDepth && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
		w.fail(n, p, field.ErrorTypeInvalid, true, "nested deeper than %d levels (a YAML alias that contains itself?)", maxGenericDepth)
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		w.entries(n, p, func(key string) *field.Path { return p.Child(key) }, func(key string, v *yaml.Node, kp *field.Path) {
			m[key] = w.generic(v, kp, depth+1)
		})
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			w.mark(p.Index(i), item.Line)
			s[i] = w.generic(item, p.Index(i), depth+1)
		}
		return s
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b
			}
		case "!!int":
			var v any
			if n.Decode(&v) == nil {
				return json.Number(fmt.Sprint(v))
			}
		case "!!float":
			var f float64
			if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f
			}
			w.fail(n, p, field.ErrorTypeInvalid, true, "%s is not a number JSON can carry", n.Value)
			return nil
		}
		return n.Value
	}
	w.wrongType(n, p, "a value")
	return nil
}

func (w *walker) dask(n *yaml.Node, p *field.Path) *daskDoc {
	d := &daskDoc{}
	w.fields(n, p, []string{"scheduler", "workers"}, nil, func(key string, v *yaml.Node, kp *field.Path) {
		if key == "scheduler" {
			d.scheduler = w.role(v, kp, false)
		} else {
			d.workers = w.role(v, kp, true)
		}
	})
	return d
}

func (w *walker) role(n *yaml.Node, p *field.Path, workers bool) *roleDoc {
	r := &roleDoc{}
	keys := []string{"image", "requests", "limits"}
	if workers {
		keys = []string{"number_of_workers", "image", "requests", "limits"}
	}
	w.fields(n, p, keys, nil, func(key string, v *yaml.Node, kp *field.Path) {
		switch key {
		case "number_of_workers":
			num, ok := w.integer(v, kp)
			if !ok {
				return
			}
			if num < 1 {
				// flytekit's models.WorkerGroup ValueError, verbatim.
				w.fail(v, kp, field.ErrorTypeInvalid, false, "Each worker group needs to have at least one worker, but %d have been specified.", num)
				return
			}
			r.numberOfWorkers = &num
		case "image":
			r.image = w.strPtr(v, kp)
		case "requests":
			r.requests = w.resources(v, kp)
		case "limits":
			r.limits = w.resources(v, kp)
		}
	})
	return r
}

// yamlText renders a small node as flow YAML for messages, e.g. ['1', '2'].
func yamlText(n *yaml.Node) string {
	parts := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		parts = append(parts, "'"+c.Value+"'")
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// cacheAliases are flytekit's other names for cache.ignored_inputs (its
// deprecated cache_ignore_input_vars= and the IDL's field name).
var cacheAliases = map[string]string{"ignore_input_vars": "ignored_inputs", "cache_ignore_input_vars": "ignored_inputs"}

// accelerator reads flytekit's accelerator=: one of flytekit's names (T4,
// A100.partition_1g_5gb), a device string (nvidia-tesla-v100), or a mapping
// {device, partition_size, unpartitioned}.
func (w *walker) accelerator(n *yaml.Node, p *field.Path) *task.Accelerator {
	if n.Kind == yaml.MappingNode {
		a := &task.Accelerator{}
		w.fields(n, p, []string{"device", "partition_size", "unpartitioned"}, nil, func(key string, v *yaml.Node, kp *field.Path) {
			switch key {
			case "device":
				a.Device = deref(w.strPtr(v, kp))
			case "partition_size":
				a.PartitionSize = deref(w.strPtr(v, kp))
			case "unpartitioned":
				a.Unpartitioned, _ = w.boolean(v, kp)
			}
		})
		return a
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		w.wrongType(n, p, "an accelerator: one of flytekit's names (T4, A100.partition_1g_5gb), a device (nvidia-tesla-v100) or {device, partition_size, unpartitioned}")
		return nil
	}
	a, err := task.ParseAccelerator(n.Value)
	if err == nil {
		return &a
	}
	if strings.ContainsRune(n.Value, '.') || strings.ToLower(n.Value) != n.Value || nearAcceleratorName(n.Value) {
		// Looks like one of flytekit's names, misspelt (t4 for T4: as a raw device no node
		// carries that label, and the pods would stay Pending).
		w.fail(n, p, field.ErrorTypeInvalid, false, "%v, or give a device flytekit does not name as its node label value (nvidia-tesla-v100) or as {device: ..., partition_size: ...}", err)
		return nil
	}
	return &task.Accelerator{Device: n.Value}
}

// nearAcceleratorName reports whether v is one of flytekit's accelerator names
// up to case, '-', '_' and '.' (t4, a100-80gb), the names task.ParseAccelerator
// answers with "did you mean".
func nearAcceleratorName(v string) bool {
	_, ok := accelerators.Near(v)
	return ok
}

// sharedMemory reads flytekit's shared_memory=: true (the pod's memory),
// false (off, also over a default) or a size quantity (2Gi).
func (w *walker) sharedMemory(n *yaml.Node, p *field.Path) *sharedMemoryDoc {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		b, ok := w.boolean(n, p)
		if !ok {
			return nil
		}
		return &sharedMemoryDoc{on: b}
	}
	if n.Kind == yaml.ScalarNode {
		if q, ok := w.quantity(n, p); ok {
			return &sharedMemoryDoc{on: true, size: q}
		}
		return nil
	}
	w.wrongType(n, p, `true, false or a size such as "2Gi"`)
	return nil
}
