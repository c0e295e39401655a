package spec

import (
	"reflect"
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

var indexSuffix = regexp.MustCompile(`\[[^\]]*\]`)

// podFieldSuggestion returns the JSON field of corev1.PodSpec closest to the
// unknown field at rel (e.g. "containers[0].imagee" -> "image"), or "".
func podFieldSuggestion(rel string) string {
	segs := strings.Split(indexSuffix.ReplaceAllString(rel, ""), ".")
	t := reflect.TypeOf(corev1.PodSpec{})
	for _, seg := range segs[:len(segs)-1] {
		f, ok := jsonFields(elemType(t))[seg]
		if !ok {
			return ""
		}
		t = f
	}
	fields := jsonFields(elemType(t))
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	// Sorted, so that ties are broken the same way every time.
	sort.Strings(names)
	return closest(segs[len(segs)-1], names)
}

// elemType unwraps pointers, slices, arrays and maps.
func elemType(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// jsonFields maps the JSON names of a struct's fields (inline ones
// included) to their types; it is empty for other kinds.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case name == "" && f.Anonymous:
			for n, ft := range jsonFields(elemType(f.Type)) {
				out[n] = ft
			}
		case name != "" && f.IsExported():
			out[name] = f.Type
		}
	}
	return out
}
