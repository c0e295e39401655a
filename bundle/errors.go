package bundle

import (
	"errors"
	"fmt"

	"github.com/flytedask/flytedask/field"
)

// Sentinel errors. Every error about the content given to this package (specs, archive, directory)
// wraps one of them, so callers can branch with errors.Is; the concrete types SpecError and
// EntryError (use errors.As) carry the task index or the archive member that caused it. Other errors
// do not: invalid options (WithFormat, WithCompressionLevel), an output path that is a directory or
// not a directory as required, and I/O errors of the caller's reader, writer or the file system,
// which are wrapped so that errors.Is(err, fs.ErrNotExist) and the like still work.
var (
	// ErrInvalidSpec: a TaskSpec given to a write function cannot be written (nil spec, template or id,
	// empty or unusable name, duplicate name, unmarshalable content). Wrapped in a *SpecError. It is
	// field.ErrInvalidSpec, the SDK's one sentinel for invalid specs.
	ErrInvalidSpec = field.ErrInvalidSpec

	// ErrUnsupportedExtension: WriteFile was given a path whose extension flytectl does not accept.
	ErrUnsupportedExtension = errors.New("unsupported bundle file extension")

	// ErrDirNotEmpty: WriteDir refuses to write into a directory that already has entries, because
	// flytectl would register stale files left there by an earlier run.
	ErrDirNotEmpty = errors.New("output directory is not empty")

	// ErrNotArchive: the input is neither a tar archive nor a gzip-compressed tar archive.
	ErrNotArchive = errors.New("not a tar or gzip-compressed tar archive")

	// ErrCorrupt: the input starts like an archive but is truncated or damaged (bad gzip checksum,
	// bad tar header after the first one, short member data, a plain tar without its end-of-archive
	// marker).
	ErrCorrupt = errors.New("corrupt archive")

	// ErrUnsafePath: an archive member name is absolute, contains a ".." component, a backslash or a
	// NUL byte, or is empty. A bare "/" or "./" directory entry (written by pyflyte) is allowed.
	ErrUnsafePath = errors.New("unsafe member path")

	// ErrUnsupportedEntry: the archive (or directory) holds something other than regular files and
	// directories: a symlink, hard link, device, FIFO, sparse file, ...
	ErrUnsupportedEntry = errors.New("unsupported entry type")

	// ErrDuplicateEntry: two archive members have the same (cleaned) path. flytectl would extract
	// both over the same temporary file and register the result twice.
	ErrDuplicateEntry = errors.New("duplicate entry")

	// ErrTooLarge: a member or the whole decompressed archive exceeds the configured Limits.
	ErrTooLarge = errors.New("size limit exceeded")

	// ErrTooManyEntries: the archive or directory has more entries than Limits.MaxEntries.
	ErrTooManyEntries = errors.New("too many entries")

	// ErrInvalidFile: an archive holds files that flytectl rejects ("input package have some invalid
	// files"): anything that is not a .pb file, a fast*.tar.gz source archive or OS metadata junk.
	ErrInvalidFile = errors.New("file not allowed in a registrable bundle")

	// ErrDecode: a task file (*_1.pb) is not a usable admin.TaskSpec, a workflow file (*_2.pb) not a
	// usable admin.WorkflowSpec, or a launch plan file (*_3.pb) not a usable admin.LaunchPlan:
	// protobuf decoding failed, or the decoded message has no id (template id) or an empty name.
	ErrDecode = errors.New("not a valid entity file")
)

// SpecError reports why one element of the specs slice passed to a write function (or one entity of
// an [Entities] value) was rejected. It wraps ErrInvalidSpec.
type SpecError struct {
	// Kind is the kind of the offending entity: "" (or KindTask) for a task, KindWorkflow or
	// KindLaunchPlan.
	Kind Kind
	// Index is the position of the offending spec in the slice of its kind (0-based).
	Index int
	// Name is spec.Template.Id.Name, or "" when the spec has no usable id.
	Name string
	// Err describes the problem and how to fix it; it wraps ErrInvalidSpec.
	Err error
}

// Error implements error.
func (e *SpecError) Error() string {
	kind := "task"
	switch e.Kind {
	case KindWorkflow:
		kind = "workflow"
	case KindLaunchPlan:
		kind = "launch plan"
	}
	if e.Name == "" {
		return fmt.Sprintf("%s %d: %v", kind, e.Index, e.Err)
	}
	return fmt.Sprintf("%s %d (%q): %v", kind, e.Index, e.Name, e.Err)
}

// Unwrap returns the underlying error.
func (e *SpecError) Unwrap() error { return e.Err }

func specErr(i int, name, format string, args ...any) error {
	return &SpecError{Index: i, Name: name, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidSpec}, args...)...)}
}

// EntryError reports a problem with one archive member or one file of a bundle directory.
type EntryError struct {
	// Path is the member name exactly as stored in the archive (for directories: the slash-separated
	// path relative to the directory).
	Path string
	// Err is the underlying problem; it wraps one of the sentinel errors of this package.
	Err error
}

// Error implements error.
func (e *EntryError) Error() string { return fmt.Sprintf("entry %q: %v", e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e *EntryError) Unwrap() error { return e.Err }

func entryErr(path string, sentinel error, format string, args ...any) error {
	return &EntryError{Path: path, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}
