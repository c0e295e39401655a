package spec

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/flytedask/flytedask/field"
)

// Error types of problems found while decoding, besides the field.ErrorType
// values of validation (field.ErrorTypeRequired, ...).
const (
	// ErrorTypeSyntax: the file is not well-formed YAML, or not one document.
	ErrorTypeSyntax field.ErrorType = "syntax"
	// ErrorTypeUnknownKey: a mapping has a key the spec format does not know.
	ErrorTypeUnknownKey field.ErrorType = "unknown-key"
	// ErrorTypeWrongType: a value has the wrong YAML type (a string where an
	// integer belongs, a scalar where a mapping belongs, ...).
	ErrorTypeWrongType field.ErrorType = "wrong-type"
)

// Problem is one error or warning about a spec file.
type Problem struct {
	// File is the Source name the problem is in.
	File string
	// Line is the 1-based line of the offending YAML node for problems found
	// while decoding, and of the task (its list item) for problems found by
	// validation; 0 when unknown.
	Line int
	// Path is the field path, e.g. tasks[1].dask.workers.limits.mem; empty
	// for problems of the file as a whole (YAML syntax errors).
	Path string
	// Type is the kind of error (ErrorTypeSyntax, ErrorTypeUnknownKey,
	// ErrorTypeWrongType or a field.ErrorType); empty for warnings.
	Type field.ErrorType
	// Code is the stable warning code (e.g. "workers-no-limits"); empty for
	// errors.
	Code string
	// Message says what is wrong and how to fix it, without the path.
	Message string
}

// Format renders the problem on one line: "PATH: MESSAGE", preceded by
// "FILE: " when withFile is set; a problem without a path is rendered as
// "FILE:LINE: MESSAGE" (the file is always named). Warnings end with
// " [CODE]". Control characters and Unicode line separators (from keys
// or file names) are escaped as in Go strings (\n, \u0085), so the result
// is always a single line.
func (p Problem) Format(withFile bool) string {
	return oneLine(p.format(withFile))
}

func (p Problem) format(withFile bool) string {
	msg := p.Message
	if p.Code != "" {
		msg += " [" + p.Code + "]"
	}
	if p.Path == "" {
		loc := p.File
		if p.Line > 0 {
			loc += ":" + strconv.Itoa(p.Line)
		}
		if loc == "" {
			return msg
		}
		return loc + ": " + msg
	}
	s := p.Path + ": " + msg
	if withFile && p.File != "" {
		s = p.File + ": " + s
	}
	return s
}

// Error is the error returned for an invalid spec: every problem found, in
// spec order (files in the order given; within a file the top-level keys,
// then the defaults block, then each task with its decoding problems
// followed by its validation problems).
type Error struct {
	// Problems are the errors, never empty.
	Problems []Problem
	// WithFiles says whether the problems are rendered with their file
	// name; it is set when several files were decoded together.
	WithFiles bool
}

// Lines renders every problem on its own line (see Problem.Format).
func (e *Error) Lines() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Format(e.WithFiles)
	}
	return out
}

// Error returns the problems, one per line.
func (e *Error) Error() string {
	return strings.Join(e.Lines(), "\n")
}

// Is reports whether target is field.ErrInvalidSpec, as field.ValidationError's Is does: every
// *Error is a spec that failed to decode, build or validate, so errors.Is(err,
// field.ErrInvalidSpec) holds after Decode, Build or ReadFiles as after task.Task.Validate.
func (e *Error) Is(target error) bool { return target == field.ErrInvalidSpec }

// Unwrap returns each problem as a *field.Error (Type, Field = Path, Detail = Message), so that
// errors.As finds the SDK's one leaf error type after Decode, Build or ReadFiles, as it does after
// task.Task.Validate. The file and line stay in Problems.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, len(e.Problems))
	for _, p := range e.Problems {
		errs = append(errs, &field.Error{Type: p.Type, Field: p.Path, Detail: p.Message})
	}
	return errs
}

// problems collects problems of one scope and remembers whether any of them
// makes the decoded value unusable for validation ("blocking").
type problems struct {
	list     []Problem
	blocking bool
}

func (ps *problems) add(p Problem, blocking bool) {
	ps.list = append(ps.list, p)
	ps.blocking = ps.blocking || blocking
}

// oneLine escapes the control characters and Unicode line and paragraph
// separators of s the way strconv.Quote does.
func oneLine(s string) string {
	if strings.IndexFunc(s, breaksLine) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if breaksLine(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func breaksLine(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
