// Package field reports validation problems by field path, all at once.
//
// It follows the shape of k8s.io/apimachinery's field.ErrorList: validators
// append *Error values to an ErrorList instead of stopping at the first
// problem, every Error names the field it is about with a path such as
// dask.workers.limits.mem, and ErrorList.Err turns the list into a single
// error of type *ValidationError. Paths use the snake_case names of the
// flytedask YAML spec (which are flytekit's names), so a path printed by the
// library can be found in a spec file as written.
//
// Warnings are kept apart from errors: a Warning never makes validation fail,
// unless a caller (such as `flytedask validate --strict`) chooses so.
package field

import (
	"strconv"
	"strings"
)

// Path is an immutable field path such as dask.workers.limits.mem or
// secrets[0].group. The nil *Path is the empty (root) path and every method
// works on it, so validators can be handed nil when there is no prefix.
type Path struct {
	parent *Path
	name   string // a child's name, or a key's text
	// elem is childElem (the zero value), keyElem, or an index ([3]) plus one. A path element is
	// 32 bytes and an index or key costs no string of its own: validators build a path for every
	// field they look at, and render one only for a problem.
	elem int
}

// The elem values of path elements that are not indexes.
const (
	childElem = 0  // .name
	keyElem   = -1 // [name]
)

// NewPath returns the path made of name followed by more.
func NewPath(name string, more ...string) *Path {
	var p *Path
	return p.Child(name, more...)
}

// Child returns the path p.name(.more...).
func (p *Path) Child(name string, more ...string) *Path {
	c := &Path{parent: p, name: name}
	for _, m := range more {
		c = &Path{parent: c, name: m}
	}
	return c
}

// Index returns the path p[i]. A negative i renders as p[-1], as written.
func (p *Path) Index(i int) *Path {
	if i < 0 {
		return p.Key(strconv.Itoa(i))
	}
	return &Path{parent: p, elem: i + 1}
}

// Key returns the path p[key], for entries of maps such as environment[LOG_LEVEL].
func (p *Path) Key(key string) *Path {
	return &Path{parent: p, name: key, elem: keyElem}
}

// String renders the path, for example tasks[1].dask.workers.limits.mem.
// The nil path renders as "".
func (p *Path) String() string {
	if p == nil {
		return ""
	}
	var stack [16]*Path
	elems := stack[:0]
	for e := p; e != nil; e = e.parent {
		elems = append(elems, e)
	}
	var b strings.Builder
	for i := len(elems) - 1; i >= 0; i-- {
		switch e := elems[i]; e.elem {
		case childElem:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.name)
		case keyElem:
			b.WriteByte('[')
			b.WriteString(e.name)
			b.WriteByte(']')
		default:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.elem - 1))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// Join prefixes the rendered path rel with p: Join(tasks[1], "dask.image") is
// "tasks[1].dask.image" and Join(tasks[1], "[0]") is "tasks[1][0]".
func (p *Path) Join(rel string) string {
	prefix := p.String()
	switch {
	case prefix == "":
		return rel
	case rel == "":
		return prefix
	case rel[0] == '[':
		return prefix + rel
	default:
		return prefix + "." + rel
	}
}
