package field

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidSpec is the one sentinel for "this task or task spec is invalid",
// shared by every package of the SDK: bundle.ErrInvalidSpec and
// register.ErrInvalidSpec are this value, and a *ValidationError matches it,
// so errors.Is(err, field.ErrInvalidSpec) holds for any validation failure.
var ErrInvalidSpec = errors.New("invalid task spec")

// ErrorType is the machine-readable kind of a validation problem. Tests and
// tools should compare types and paths, not message texts.
type ErrorType string

// The error types. They mirror k8s.io/apimachinery's field.ErrorType.
const (
	// ErrorTypeRequired: a value that must be set is missing.
	ErrorTypeRequired ErrorType = "required"
	// ErrorTypeInvalid: the value is set but malformed or out of range.
	ErrorTypeInvalid ErrorType = "invalid"
	// ErrorTypeNotSupported: the value is well formed but not one of the accepted values.
	ErrorTypeNotSupported ErrorType = "not-supported"
	// ErrorTypeDuplicate: the value repeats one that must be unique.
	ErrorTypeDuplicate ErrorType = "duplicate"
	// ErrorTypeForbidden: the field may not be set, usually because of another field.
	ErrorTypeForbidden ErrorType = "forbidden"
)

// Error is one validation problem of one field.
type Error struct {
	// Type is the kind of problem.
	Type ErrorType
	// Field is the rendered path of the field, e.g. dask.workers.limits.mem.
	Field string
	// BadValue is the offending value, or nil when the value is missing.
	BadValue any
	// Detail is a complete sentence-like message that says what is wrong and
	// how to fix it, without the field path.
	Detail string
}

// Error returns "FIELD: DETAIL".
func (e *Error) Error() string {
	if e.Field == "" {
		return e.Detail
	}
	return e.Field + ": " + e.Detail
}

// Required reports a missing value at path.
func Required(path *Path, detail string) *Error {
	return &Error{Type: ErrorTypeRequired, Field: path.String(), Detail: detail}
}

// Invalid reports a malformed value at path.
func Invalid(path *Path, value any, detail string) *Error {
	return &Error{Type: ErrorTypeInvalid, Field: path.String(), BadValue: value, Detail: detail}
}

// NotSupported reports a value that is not one of valid.
func NotSupported(path *Path, value any, valid []string) *Error {
	quoted := make([]string, len(valid))
	for i, v := range valid {
		quoted[i] = strconv.Quote(v)
	}
	return &Error{
		Type: ErrorTypeNotSupported, Field: path.String(), BadValue: value,
		Detail: fmt.Sprintf("unsupported value %q: use one of %s", fmt.Sprint(value), strings.Join(quoted, ", ")),
	}
}

// Duplicate reports a value that repeats an earlier one.
func Duplicate(path *Path, value any, detail string) *Error {
	return &Error{Type: ErrorTypeDuplicate, Field: path.String(), BadValue: value, Detail: detail}
}

// Forbidden reports a field that may not be set.
func Forbidden(path *Path, detail string) *Error {
	return &Error{Type: ErrorTypeForbidden, Field: path.String(), Detail: detail}
}

// ErrorList collects validation problems. The zero value is an empty list,
// ready to append to.
type ErrorList []*Error

// Err returns nil for an empty list and a *ValidationError holding the list
// otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return &ValidationError{Errors: l}
}

// Prefix returns a copy of the list whose paths are prefixed with p (the
// list itself when p is nil or the list is empty: there is nothing to change).
func (l ErrorList) Prefix(p *Path) ErrorList {
	if p == nil || len(l) == 0 {
		return l
	}
	out := make(ErrorList, len(l))
	for i, e := range l {
		c := *e
		c.Field = p.Join(e.Field)
		out[i] = &c
	}
	return out
}

// ValidationError is the error returned for invalid input: every problem that
// was found, in the order the input was checked.
//
// Use errors.As to get it, or to get the first *Error it holds:
//
//	var verr *field.ValidationError
//	if errors.As(err, &verr) { for _, e := range verr.Errors { ... } }
type ValidationError struct {
	Errors ErrorList
}

// Error renders "N validation errors:" followed by one "PATH: DETAIL" line
// per problem; a single problem is rendered on one line.
func (e *ValidationError) Error() string {
	switch len(e.Errors) {
	case 0:
		return "validation failed"
	case 1:
		return "validation error: " + e.Errors[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d validation errors:", len(e.Errors))
	for _, fe := range e.Errors {
		b.WriteString("\n\t")
		b.WriteString(fe.Error())
	}
	return b.String()
}

// Is reports whether target is ErrInvalidSpec: every validation failure of a
// task is an invalid spec, whichever package found it.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidSpec }

// Unwrap returns the individual *Error values, so errors.As and errors.Is see
// each of them.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		out[i] = fe
	}
	return out
}

// Warning is a problem that does not stop a task from being built and
// registered, but is against Dask or Flyte best practice, or surprising.
type Warning struct {
	// Field is the rendered path of the field the warning is about.
	Field string
	// Code is a stable identifier, e.g. "workers-fractional-cpu".
	Code string
	// Message says what will happen and what to do about it.
	Message string
}

// String returns "FIELD: MESSAGE [CODE]".
func (w Warning) String() string {
	s := w.Message + " [" + w.Code + "]"
	if w.Field != "" {
		s = w.Field + ": " + s
	}
	return s
}

// Warnings is a list of warnings, in the order the input was checked.
type Warnings []Warning

// Prefix returns a copy of the list whose paths are prefixed with p (the
// list itself when p is nil or the list is empty).
func (ws Warnings) Prefix(p *Path) Warnings {
	if p == nil || len(ws) == 0 {
		return ws
	}
	out := make(Warnings, len(ws))
	for i, w := range ws {
		w.Field = p.Join(w.Field)
		out[i] = w
	}
	return out
}

// Add appends a warning about path.
func (ws *Warnings) Add(path *Path, code, message string) {
	*ws = append(*ws, Warning{Field: path.String(), Code: code, Message: message})
}
