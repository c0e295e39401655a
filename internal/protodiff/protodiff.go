// Package protodiff computes a readable, deterministic, field-level difference between two protobuf messages.
//
// It walks both messages with protoreflect and reports every leaf that differs as a [Difference] with a
// path and both values rendered as compact JSON-ish text.
//
// Paths are protojson paths in jq's syntax without the leading dot, relative to the messages given:
// JSON field names ("container.args[3]", "custom.workers.numberOfWorkers"), list indexes in brackets,
// map and google.protobuf.Struct keys as ".key" when the key is an identifier and as ["key"] otherwise
// (every map key, numbers and bools too, is a JSON object key in protojson). So a path resolves in the
// protojson form of the message (with unpopulated fields emitted), which is what `flytedask inspect`
// prints; task.ValidateSpec reports its paths the same way (docs/api-decisions.md, item 7).
//
// Rules:
//   - Message fields are visited in declaration order, list elements by index, map entries and
//     google.protobuf.Struct keys in sorted order, so the output is deterministic.
//   - google.protobuf.Struct, Value and ListValue are treated as JSON: objects are compared key by key,
//     arrays element by element, anything else (numbers, strings, kind changes) as a leaf.
//   - google.protobuf.Timestamp, Duration and the wrapper types are leaves rendered like protojson
//     ("2024-01-01T00:00:00Z", "1.5s", the wrapped value); a Timestamp or Duration that protojson
//     would reject (out of range, nanos out of range or of the wrong sign) is rendered by its fields,
//     {"seconds":1,"nanos":-5}, and a Value without a kind as "<no kind>" (not null).
//   - Enums are shown by name (or number when the value is not declared).
//   - A field that is set on one side only is reported once, with "<unset>" on the other side and the
//     whole sub-message rendered on the side that has it.
//   - Scalar fields without presence (proto3 implicit) compare their values; zero equals unset, as in
//     the wire format.
//   - Unknown fields are compared as raw bytes and reported as "<path>.<unknown fields>" (byte counts).
//
// The package does not ignore anything by itself: callers normalise fields they do not want compared
// (for example identifiers rewritten by a server) on clones before calling [Diff].
package protodiff

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Unset is the rendering of a value that is absent on one side of a [Difference].
const Unset = "<unset>"

// Difference is one differing leaf between the old (a) and the new (b) message.
type Difference struct {
	// Path locates the leaf, e.g. "template.container.args[3]"; empty for the root.
	Path string
	// Old is the rendering of the value in a, or [Unset].
	Old string
	// New is the rendering of the value in b, or [Unset].
	New string
}

// String renders the difference as "path: old -> new".
func (d Difference) String() string {
	p := d.Path
	if p == "" {
		p = "(root)"
	}
	return p + ": " + d.Old + " -> " + d.New
}

// Diff returns the differences from a to b, in deterministic order, or nil when they are equal.
// Equality is that of the renderings, which matches proto.Equal except that a NaN equals a NaN
// (any payload) and -0 differs from 0, as their JSON forms do.
// A nil message is treated as absent. Messages of different types produce a single root difference
// naming both types.
func Diff(a, b proto.Message) []Difference {
	d := &differ{}
	var ma, mb protoreflect.Message
	if a != nil {
		ma = a.ProtoReflect()
	}
	if b != nil {
		mb = b.ProtoReflect()
	}
	aok, bok := ma != nil && ma.IsValid(), mb != nil && mb.IsValid()
	switch {
	case !aok && !bok:
		return nil
	case !aok:
		d.add("", Unset, renderMessage(mb))
	case !bok:
		d.add("", renderMessage(ma), Unset)
	default:
		d.message("", ma, mb)
	}
	return d.out
}

type differ struct {
	out []Difference
}

func (d *differ) add(path, old, new string) {
	d.out = append(d.out, Difference{Path: path, Old: old, New: new})
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// joinKey appends a string key: ".key" when it looks like an identifier, `["key"]` otherwise.
func joinKey(path, key string) string {
	if identRE.MatchString(key) {
		return joinField(path, key)
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func joinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

const (
	structName    protoreflect.FullName = "google.protobuf.Struct"
	valueName     protoreflect.FullName = "google.protobuf.Value"
	listValueName protoreflect.FullName = "google.protobuf.ListValue"
)

func (d *differ) message(path string, a, b protoreflect.Message) {
	da, db := a.Descriptor(), b.Descriptor()
	if da.FullName() != db.FullName() {
		d.add(path, "<"+string(da.FullName())+">", "<"+string(db.FullName())+">")
		return
	}
	switch {
	case da.FullName() == structName:
		d.structFields(path, a, b)
	case da.FullName() == valueName:
		d.value(path, a, b)
	case da.FullName() == listValueName:
		d.listValue(path, a, b)
	case isLeafMessage(da.FullName()):
		if ra, rb := renderMessage(a), renderMessage(b); ra != rb {
			d.add(path, ra, rb)
		}
	default:
		d.fields(path, a, b)
	}
	if ua, ub := a.GetUnknown(), b.GetUnknown(); !bytes.Equal(ua, ub) {
		d.add(joinField(path, "<unknown fields>"), renderUnknown(ua), renderUnknown(ub))
	}
}

// fields compares the fields of two messages of the same (ordinary) type in declaration order.
func (d *differ) fields(path string, a, b protoreflect.Message) {
	fields := a.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		p := joinField(path, fd.JSONName())
		switch {
		case fd.IsList():
			d.list(p, fd, a.Get(fd).List(), b.Get(fd).List())
		case fd.IsMap():
			d.mapField(p, fd, a.Get(fd).Map(), b.Get(fd).Map())
		case fd.Message() != nil:
			ha, hb := a.Has(fd), b.Has(fd)
			switch {
			case !ha && !hb:
			case !ha:
				d.add(p, Unset, renderMessage(b.Get(fd).Message()))
			case !hb:
				d.add(p, renderMessage(a.Get(fd).Message()), Unset)
			default:
				d.message(p, a.Get(fd).Message(), b.Get(fd).Message())
			}
		default:
			ra, rb := renderScalar(fd, a.Get(fd)), renderScalar(fd, b.Get(fd))
			if fd.HasPresence() {
				if !a.Has(fd) {
					ra = Unset
				}
				if !b.Has(fd) {
					rb = Unset
				}
			}
			if ra != rb {
				d.add(p, ra, rb)
			}
		}
	}
}

func renderUnknown(raw []byte) string {
	if len(raw) == 0 {
		return Unset
	}
	return fmt.Sprintf("%d bytes", len(raw))
}

// elem compares two list elements or map values of field fd.
func (d *differ) elem(path string, fd protoreflect.FieldDescriptor, a, b protoreflect.Value) {
	if fd.Message() != nil {
		d.message(path, a.Message(), b.Message())
		return
	}
	if ra, rb := renderScalar(fd, a), renderScalar(fd, b); ra != rb {
		d.add(path, ra, rb)
	}
}

func (d *differ) list(path string, fd protoreflect.FieldDescriptor, a, b protoreflect.List) {
	n := max(a.Len(), b.Len())
	for i := 0; i < n; i++ {
		p := joinIndex(path, i)
		switch {
		case i >= a.Len():
			d.add(p, Unset, renderSingular(fd, b.Get(i)))
		case i >= b.Len():
			d.add(p, renderSingular(fd, a.Get(i)), Unset)
		default:
			d.elem(p, fd, a.Get(i), b.Get(i))
		}
	}
}

func (d *differ) mapField(path string, fd protoreflect.FieldDescriptor, a, b protoreflect.Map) {
	vfd := fd.MapValue()
	for _, k := range unionKeys(a, b) {
		p := joinMapKey(path, k)
		ha, hb := a.Has(k), b.Has(k)
		switch {
		case !ha:
			d.add(p, Unset, renderSingular(vfd, b.Get(k)))
		case !hb:
			d.add(p, renderSingular(vfd, a.Get(k)), Unset)
		default:
			d.elem(p, vfd, a.Get(k), b.Get(k))
		}
	}
}

func joinMapKey(path string, k protoreflect.MapKey) string {
	if s, ok := k.Interface().(string); ok {
		return joinKey(path, s)
	}
	// protojson writes numeric and bool map keys as JSON strings; they are never identifiers.
	return path + "[" + strconv.Quote(k.String()) + "]"
}

// unionKeys returns the keys of both maps, sorted (strings lexicographically, numbers numerically).
func unionKeys(maps ...protoreflect.Map) []protoreflect.MapKey {
	seen := map[any]protoreflect.MapKey{}
	for _, m := range maps {
		m.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			seen[k.Interface()] = k
			return true
		})
	}
	keys := make([]protoreflect.MapKey, 0, len(seen))
	for _, k := range seen {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareMapKeys)
	return keys
}

func compareMapKeys(x, y protoreflect.MapKey) int {
	switch xv := x.Interface().(type) {
	case string:
		return strings.Compare(xv, y.Interface().(string))
	case bool:
		yv := y.Interface().(bool)
		switch {
		case xv == yv:
			return 0
		case !xv:
			return -1
		default:
			return 1
		}
	case int32, int64:
		a, b := x.Int(), y.Int()
		return cmpOrdered(a, b)
	default: // uint32, uint64
		a, b := x.Uint(), y.Uint()
		return cmpOrdered(a, b)
	}
}

func cmpOrdered[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// structFields compares two google.protobuf.Struct messages key by key.
func (d *differ) structFields(path string, a, b protoreflect.Message) {
	fd := a.Descriptor().Fields().ByName("fields")
	ma, mb := a.Get(fd).Map(), b.Get(fd).Map()
	for _, k := range unionKeys(ma, mb) {
		p := joinKey(path, k.String())
		ha, hb := ma.Has(k), mb.Has(k)
		switch {
		case !ha:
			d.add(p, Unset, renderMessage(mb.Get(k).Message()))
		case !hb:
			d.add(p, renderMessage(ma.Get(k).Message()), Unset)
		default:
			d.message(p, ma.Get(k).Message(), mb.Get(k).Message())
		}
	}
}

// value compares two google.protobuf.Value messages: objects and arrays recursively, the rest as leaves.
func (d *differ) value(path string, a, b protoreflect.Message) {
	ka, kb := valueKind(a), valueKind(b)
	if ka != nil && kb != nil && ka.Number() == kb.Number() {
		switch ka.Name() {
		case "struct_value", "list_value":
			d.message(path, a.Get(ka).Message(), b.Get(kb).Message())
			return
		}
	}
	if ra, rb := renderMessage(a), renderMessage(b); ra != rb {
		d.add(path, ra, rb)
	}
}

func valueKind(m protoreflect.Message) protoreflect.FieldDescriptor {
	return m.WhichOneof(m.Descriptor().Oneofs().ByName("kind"))
}

// listValue compares two google.protobuf.ListValue messages element by element.
func (d *differ) listValue(path string, a, b protoreflect.Message) {
	fd := a.Descriptor().Fields().ByName("values")
	la, lb := a.Get(fd).List(), b.Get(fd).List()
	n := max(la.Len(), lb.Len())
	for i := 0; i < n; i++ {
		p := joinIndex(path, i)
		switch {
		case i >= la.Len():
			d.add(p, Unset, renderMessage(lb.Get(i).Message()))
		case i >= lb.Len():
			d.add(p, renderMessage(la.Get(i).Message()), Unset)
		default:
			d.message(p, la.Get(i).Message(), lb.Get(i).Message())
		}
	}
}

func isLeafMessage(n protoreflect.FullName) bool {
	switch n {
	case "google.protobuf.Timestamp", "google.protobuf.Duration",
		"google.protobuf.DoubleValue", "google.protobuf.FloatValue",
		"google.protobuf.Int64Value", "google.protobuf.UInt64Value",
		"google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
		return true
	}
	return false
}

// renderSingular renders one list element or map value of field fd.
func renderSingular(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.Message() != nil {
		return renderMessage(v.Message())
	}
	return renderScalar(fd, v)
}

// jsonSingular is renderSingular for values nested in a rendered message: enum names are quoted so the
// rendering stays valid JSON.
func jsonSingular(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.Kind() == protoreflect.EnumKind {
		return strconv.Quote(renderScalar(fd, v))
	}
	return renderSingular(fd, v)
}

// renderScalar renders a non-message value as JSON-ish text.
func renderScalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool())
	case protoreflect.StringKind:
		return strconv.Quote(v.String())
	case protoreflect.BytesKind:
		return strconv.Quote(base64.StdEncoding.EncodeToString(v.Bytes()))
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return formatFloat(v.Float())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return strconv.FormatInt(v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10)
	}
	return v.String()
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"Infinity"`
	case math.IsInf(f, -1):
		return `"-Infinity"`
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// renderMessage renders a message as compact JSON-ish text with deterministic key order.
func renderMessage(m protoreflect.Message) string {
	var sb strings.Builder
	writeMessage(&sb, m)
	return sb.String()
}

func writeMessage(sb *strings.Builder, m protoreflect.Message) {
	if m == nil || !m.IsValid() {
		sb.WriteString("null")
		return
	}
	md := m.Descriptor()
	switch md.FullName() {
	case structName:
		fd := md.Fields().ByName("fields")
		mp := m.Get(fd).Map()
		sb.WriteByte('{')
		for i, k := range unionKeys(mp) {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.Quote(k.String()))
			sb.WriteByte(':')
			writeMessage(sb, mp.Get(k).Message())
		}
		sb.WriteByte('}')
		return
	case valueName:
		kind := valueKind(m)
		if kind == nil {
			sb.WriteString(noKind)
			return
		}
		v := m.Get(kind)
		switch kind.Name() {
		case "null_value":
			sb.WriteString("null")
		case "number_value":
			sb.WriteString(formatFloat(v.Float()))
		case "string_value":
			sb.WriteString(strconv.Quote(v.String()))
		case "bool_value":
			sb.WriteString(strconv.FormatBool(v.Bool()))
		default: // struct_value, list_value
			writeMessage(sb, v.Message())
		}
		return
	case listValueName:
		l := m.Get(md.Fields().ByName("values")).List()
		sb.WriteByte('[')
		for i := 0; i < l.Len(); i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeMessage(sb, l.Get(i).Message())
		}
		sb.WriteByte(']')
		return
	case "google.protobuf.Timestamp":
		secs, nanos := m.Get(md.Fields().ByName("seconds")).Int(), m.Get(md.Fields().ByName("nanos")).Int()
		if validTimestamp(secs, nanos) {
			sb.WriteString(strconv.Quote(time.Unix(secs, nanos).UTC().Format(time.RFC3339Nano)))
		} else {
			writeSecondsNanos(sb, secs, nanos)
		}
		return
	case "google.protobuf.Duration":
		secs, nanos := m.Get(md.Fields().ByName("seconds")).Int(), m.Get(md.Fields().ByName("nanos")).Int()
		if validDuration(secs, nanos) {
			sb.WriteString(strconv.Quote(formatDuration(secs, nanos)))
		} else {
			writeSecondsNanos(sb, secs, nanos)
		}
		return
	}
	if isLeafMessage(md.FullName()) { // wrappers
		fd := md.Fields().ByName("value")
		sb.WriteString(renderScalar(fd, m.Get(fd)))
		return
	}
	sb.WriteByte('{')
	first := true
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		if !first {
			sb.WriteByte(',')
		}
		first = false
		sb.WriteString(strconv.Quote(fd.JSONName()))
		sb.WriteByte(':')
		v := m.Get(fd)
		switch {
		case fd.IsList():
			l := v.List()
			sb.WriteByte('[')
			for j := 0; j < l.Len(); j++ {
				if j > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(jsonSingular(fd, l.Get(j)))
			}
			sb.WriteByte(']')
		case fd.IsMap():
			mp := v.Map()
			sb.WriteByte('{')
			for j, k := range unionKeys(mp) {
				if j > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(strconv.Quote(k.String()))
				sb.WriteByte(':')
				sb.WriteString(jsonSingular(fd.MapValue(), mp.Get(k)))
			}
			sb.WriteByte('}')
		default:
			sb.WriteString(jsonSingular(fd, v))
		}
	}
	if u := m.GetUnknown(); len(u) > 0 {
		if !first {
			sb.WriteByte(',')
		}
		sb.WriteString(`"<unknown fields>":` + strconv.Quote(renderUnknown(u)))
	}
	sb.WriteByte('}')
}

// noKind renders a google.protobuf.Value whose kind is not set: not valid JSON (protojson refuses
// it), and distinct from null so that the two are reported as different.
const noKind = "<no kind>"

// Valid ranges of google.protobuf.Timestamp (0001-01-01 to 9999-12-31) and Duration (±10,000 years),
// as in timestamp.proto and duration.proto.
const (
	minTimestampSeconds = -62135596800
	maxTimestampSeconds = 253402300799
	maxDurationSeconds  = 315576000000
)

func validTimestamp(secs, nanos int64) bool {
	return secs >= minTimestampSeconds && secs <= maxTimestampSeconds && nanos >= 0 && nanos <= 999_999_999
}

// validDuration reports whether secs and nanos are in range and, when both are non-zero, have the
// same sign.
func validDuration(secs, nanos int64) bool {
	switch {
	case secs < -maxDurationSeconds || secs > maxDurationSeconds:
		return false
	case nanos < -999_999_999 || nanos > 999_999_999:
		return false
	case secs > 0 && nanos < 0, secs < 0 && nanos > 0:
		return false
	}
	return true
}

// writeSecondsNanos renders an out-of-range Timestamp or Duration by its fields, so that distinct
// invalid values stay distinct.
func writeSecondsNanos(sb *strings.Builder, secs, nanos int64) {
	fmt.Fprintf(sb, `{"seconds":%d,"nanos":%d}`, secs, nanos)
}

// formatDuration renders seconds and nanos like protojson ("1.5s", "-0.25s", "3s") without float rounding.
func formatDuration(secs, nanos int64) string {
	neg := secs < 0 || nanos < 0
	if secs < 0 {
		secs = -secs
	}
	if nanos < 0 {
		nanos = -nanos
	}
	s := strconv.FormatInt(secs, 10)
	if nanos != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%09d", nanos), "0")
	}
	if neg {
		s = "-" + s
	}
	return s + "s"
}
