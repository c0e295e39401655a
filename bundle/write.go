package bundle

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/proto"
)

// Format selects the container format of an archive bundle.
type Format int

const (
	// FormatTarGzip is a gzip-compressed tar archive (.tgz / .tar.gz), the default and what
	// pyflyte package writes.
	FormatTarGzip Format = iota + 1
	// FormatTar is an uncompressed tar archive (.tar).
	FormatTar
)

// String returns "tgz" or "tar".
func (f Format) String() string {
	switch f {
	case FormatTarGzip:
		return "tgz"
	case FormatTar:
		return "tar"
	default:
		return fmt.Sprintf("Format(%d)", int(f))
	}
}

// WriteOption configures WriteArchive, WriteFile and WriteDir.
type WriteOption func(*writeConfig)

type writeConfig struct {
	format Format // 0 = not set
	level  int
	pinned bool // WithPinnedIDs
}

// WithFormat selects the archive format for WriteArchive (default FormatTarGzip). WriteFile derives
// the format from the file extension and fails if this option asks for a different one.
func WithFormat(f Format) WriteOption { return func(c *writeConfig) { c.format = f } }

// WithCompressionLevel sets the gzip level (gzip.HuffmanOnly, gzip.NoCompression ...
// gzip.BestCompression, or gzip.DefaultCompression, the default). It has no effect on FormatTar.
// Output stays deterministic for any fixed level.
func WithCompressionLevel(level int) WriteOption { return func(c *writeConfig) { c.level = level } }

// newWriteConfig applies opts; archive says whether the format and compression options apply (they
// are checked only then: WriteDir ignores them).
func newWriteConfig(opts []WriteOption, archive bool) (writeConfig, error) {
	c := writeConfig{level: gzip.DefaultCompression}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if !archive {
		return c, nil
	}
	if c.format != 0 && c.format != FormatTarGzip && c.format != FormatTar {
		return c, fmt.Errorf("unknown %v; use FormatTarGzip or FormatTar", c.format)
	}
	if c.level < gzip.HuffmanOnly || c.level > gzip.BestCompression {
		return c, fmt.Errorf("invalid gzip compression level %d; use %d..%d", c.level, gzip.HuffmanOnly, gzip.BestCompression)
	}
	return c, nil
}

// Fixed metadata of every archive entry, so the output depends on the specs only.
var (
	entryModTime = time.Unix(0, 0) // 1970-01-01T00:00:00Z, also the gzip header's "no time" value
)

const (
	entryMode = 0o644
	fileMode  = 0o644
	dirMode   = 0o755
)

// planFiles validates specs and returns the bundle file name of each, in order.
func planFiles(specs []*admin.TaskSpec) ([]string, error) {
	names := make([]string, len(specs))
	p := newPlanner(len(specs))
	for i, s := range specs {
		var err error
		if names[i], err = p.plan(i, s); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// planner checks the specs of an n-spec bundle one by one and names their files.
type planner struct {
	n    int
	seen map[string]int
}

func newPlanner(n int) *planner { return &planner{n: n, seen: make(map[string]int, n)} }

// plan validates the i-th spec s and returns its bundle file name.
func (p *planner) plan(i int, s *admin.TaskSpec) (string, error) {
	switch {
	case s == nil:
		return "", specErr(i, "", "spec is nil; pass a non-nil *admin.TaskSpec")
	case s.Template == nil:
		return "", specErr(i, "", "spec.template is nil; a TaskSpec file must carry the task's core.TaskTemplate")
	case s.Template.Id == nil:
		return "", specErr(i, "", "spec.template.id is nil; set it (resource_type TASK, name, and version or leave version empty for flytectl --version)")
	}
	name := s.Template.Id.Name
	if err := checkName(name); err != nil {
		return "", specErr(i, name, "%v", err)
	}
	if j, dup := p.seen[name]; dup {
		return "", specErr(i, name, "duplicate task name, task %d has the same template.id.name; every task in a bundle needs a unique name", j)
	}
	p.seen[name] = i
	fn := FileName(i, p.n, name)
	if len(fn) > maxFileNameBytes {
		return "", specErr(i, name, "file name %q is %d bytes, over the %d-byte file name limit of common file systems (flytectl extracts bundles to disk); shorten the task name", fn, len(fn), maxFileNameBytes)
	}
	return fn, nil
}

// marshalSpec appends the deterministic wire encoding of s to buf, with empty project, domain and
// version in its template id unless cfg.pinned.
func marshalSpec(buf []byte, i int, s *admin.TaskSpec, cfg writeConfig) ([]byte, error) {
	if !cfg.pinned {
		s = unpinned(s)
	}
	out, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(buf, s)
	if err != nil {
		return buf, specErr(i, s.Template.Id.Name, "cannot marshal: %v", err)
	}
	return out, nil
}

// WriteArchive writes specs as a registrable bundle to w: a tar archive (gzip-compressed unless
// WithFormat(FormatTar)) holding one "{idx}_{name}_1.pb" file per spec (see FileName), each the
// binary admin.TaskSpec, at the archive root, in slice order, which is also file-name order and so
// the order flytectl registers them in. Put tasks before anything that depends on them.
//
// Template ids: by default project, domain and version are written empty, whatever the specs hold,
// as today's `pyflyte package` writes them, so `flytectl register files -p P -d D --version V`
// registers the tasks as P/D/V. WithPinnedIDs writes the ids as given (see there for what flytectl
// then does).
//
// Validation, done before the first byte is written: no spec, template or template id may be nil;
// every template.id.name must be non-empty UTF-8 without '/', '\' or NUL, unique in the slice, and
// short enough for a 255-byte file name. Failures are *SpecError values wrapping ErrInvalidSpec and
// naming the index. The rest of the spec is written as is (validating tasks is not this package's
// job). A spec whose content cannot be marshalled (e.g. invalid UTF-8 in a string field) is reported
// the same way, but then part of the archive has already been written to w; use WriteFile for
// all-or-nothing output.
//
// Output is byte-identical for equal input (proto.Equal specs in the same order), with the same
// protobuf-go and Go toolchain versions (compress/flate and deterministic proto encoding are stable
// within a version, not promised across versions):
//   - specs are marshalled with proto.MarshalOptions{Deterministic: true} (sorted map keys);
//   - tar entries are regular files only, PAX format (plain USTAR headers unless a name is longer
//     than USTAR allows, then a PAX "path" record), mode 0644, uid/gid 0, no user/group names,
//     mtime 1970-01-01T00:00:00Z; no directory entries; the archive ends with the two zero blocks
//     tar requires and no record padding;
//   - the gzip header has no name, no comment, mtime 0 and OS byte 255 ("unknown").
//
// An empty specs slice produces a valid, empty archive.
func WriteArchive(w io.Writer, specs []*admin.TaskSpec, opts ...WriteOption) error {
	cfg, err := newWriteConfig(opts, true)
	if err != nil {
		return fmt.Errorf("bundle: write archive: %w", err)
	}
	names, err := planFiles(specs)
	if err != nil {
		return fmt.Errorf("bundle: write archive: %w", err)
	}
	if err := writeArchive(w, specs, names, cfg); err != nil {
		return fmt.Errorf("bundle: write archive: %w", err)
	}
	return nil
}

func writeArchive(w io.Writer, specs []*admin.TaskSpec, names []string, cfg writeConfig) error {
	return writeArchiveFrom(w, len(specs), func(i int) (entityFile, error) { return taskFile(i, specs[i], names[i]), nil }, cfg)
}

// taskFile is the planned file of the i-th task.
func taskFile(i int, s *admin.TaskSpec, name string) entityFile {
	return entityFile{name: name, kind: KindTask, index: i, id: s.GetTemplate().GetId().GetName(), task: s}
}

// writeArchiveFrom writes the archive of n files, asking next for each entity and its file name in
// turn; an entity is marshalled and written before the next one is asked for.
func writeArchiveFrom(w io.Writer, n int, next func(i int) (entityFile, error), cfg writeConfig) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var out io.Writer = bw
	var zw *gzip.Writer
	if cfg.format != FormatTar {
		var err error
		if zw, err = gzip.NewWriterLevel(bw, cfg.level); err != nil {
			return err
		}
		zw.Header = gzip.Header{OS: 255}
		out = zw
	}
	tw := tar.NewWriter(out)
	var buf []byte
	for i := 0; i < n; i++ {
		f, err := next(i)
		if err != nil {
			return err
		}
		if buf, err = marshalEntity(buf[:0], f, cfg); err != nil {
			return err
		}
		hdr := tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.name,
			Size:     int64(len(buf)),
			Mode:     entryMode,
			ModTime:  entryModTime,
			Format:   tar.FormatPAX,
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			return err
		}
		if _, err := tw.Write(buf); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// FormatForPath returns the archive format flytectl (register files --archive) infers from path's
// extension: ".tgz" and ".tar.gz" are gzip-compressed tar, ".tar" is plain tar. Like flytectl the
// match is case-sensitive. Any other extension yields an error wrapping ErrUnsupportedExtension.
func FormatForPath(path string) (Format, error) {
	switch {
	case strings.HasSuffix(path, ".tgz"), strings.HasSuffix(path, ".tar.gz"):
		return FormatTarGzip, nil
	case strings.HasSuffix(path, ".tar"):
		return FormatTar, nil
	}
	return 0, fmt.Errorf("%w: %q; flytectl only accepts .tgz, .tar.gz (gzip-compressed tar) and .tar", ErrUnsupportedExtension, filepath.Base(path))
}

// WriteFile writes specs as an archive bundle (see WriteArchive) to path, choosing the format from
// the extension (see FormatForPath); a WithFormat option that disagrees with it is an error.
//
// The write is atomic: the archive goes to a temporary file in the same directory
// (".{base}.tmp-*"), which is fsynced, set to mode 0644 and renamed over path. On any error
// (invalid spec, unwritable directory, full disk, ...) the temporary file is removed and an existing
// file at path is left untouched; specs are validated, and path checked not to be a directory,
// before anything is created. The directory
// entry itself is not fsynced, so after a power loss the old or the new file may be visible, never a
// partial one.
func WriteFile(path string, specs []*admin.TaskSpec, opts ...WriteOption) error {
	return writeArchiveFile(path, opts, func() (archiveWriter, error) {
		names, err := planFiles(specs)
		return func(w io.Writer, cfg writeConfig) error { return writeArchive(w, specs, names, cfg) }, err
	})
}

// WriteFileFunc is WriteFile for n specs produced one at a time, for bundles too large to hold as
// specs in memory: spec(i) is called for i = 0, 1, ..., n-1 in order, and each spec is checked (as
// WriteArchive checks them), marshalled and written before the next call, so the caller need keep
// only one. The file is byte-identical to WriteFile's for the same specs. An error from spec, or a
// spec that fails the checks, ends the write: the error is returned (wrapped) and nothing is
// created or changed at path.
func WriteFileFunc(path string, n int, spec func(i int) (*admin.TaskSpec, error), opts ...WriteOption) error {
	return writeArchiveFile(path, opts, func() (archiveWriter, error) {
		if n < 0 {
			return nil, fmt.Errorf("negative spec count %d", n)
		}
		p := newPlanner(n)
		next := func(i int) (entityFile, error) {
			s, err := spec(i)
			if err != nil {
				return entityFile{}, err
			}
			name, err := p.plan(i, s)
			return taskFile(i, s, name), err
		}
		return func(w io.Writer, cfg writeConfig) error { return writeArchiveFrom(w, n, next, cfg) }, nil
	})
}

// archiveWriter writes a planned archive to w.
type archiveWriter func(w io.Writer, cfg writeConfig) error

// writeArchiveFile is the body of the WriteFile functions: it takes the format from path's
// extension (see fileConfig), runs plan (the checks that come before anything is created) and
// writes the archive plan returns to path atomically (see writeFileAtomic). Errors are wrapped as
// "bundle: write PATH: ...".
func writeArchiveFile(path string, opts []WriteOption, plan func() (archiveWriter, error)) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("bundle: write %s: %w", path, err)
		}
	}()
	cfg, err := fileConfig(path, opts)
	if err != nil {
		return err
	}
	write, err := plan()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, func(f *os.File) error { return write(f, cfg) })
}

// fileConfig applies opts for an archive file at path, whose extension decides the format; a
// WithFormat option that disagrees with it is an error.
func fileConfig(path string, opts []WriteOption) (writeConfig, error) {
	format, err := FormatForPath(path)
	if err != nil {
		return writeConfig{}, err
	}
	cfg, err := newWriteConfig(opts, true)
	if err != nil {
		return cfg, err
	}
	if cfg.format != 0 && cfg.format != format {
		return cfg, fmt.Errorf("option WithFormat(%v) conflicts with the file extension, which means %v; change one of them", cfg.format, format)
	}
	cfg.format = format
	return cfg, nil
}

// writeFileAtomic writes a file at path through write: into a temporary file in the same directory,
// fsynced, set to mode 0644 and renamed over path; on any error the temporary file is removed and
// path is left untouched.
func writeFileAtomic(path string, write func(f *os.File) error) (err error) {
	if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
		// Renaming a file over a directory fails with a confusing "file exists" naming the
		// temporary file; say what is wrong instead.
		return fmt.Errorf("%s is a directory; give the archive's file name, e.g. %s", path, filepath.Join(path, DefaultArchiveName))
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(fileMode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// WriteDir writes specs as loose files (the layout `pyflyte serialize` produces and
// `flytectl register files dir/*` accepts) into dir, which is created (with parents) if missing.
// File names and contents are those WriteArchive would put in an archive (empty project, domain and
// version in the ids unless WithPinnedIDs); files get mode 0644, a created dir 0755. WithFormat and
// WithCompressionLevel do not apply to loose files: WriteDir ignores them.
//
// dir must not exist or be empty, otherwise the error wraps ErrDirNotEmpty: stale .pb files from an
// earlier run would be registered too. Specs are validated before anything is created.
//
// Guarantees: all files are first written into a temporary directory beside dir
// (".{base}.tmp-*" in dir's parent). If dir did not exist, that directory is renamed to dir in one
// step, so dir either appears complete or not at all. If dir existed (empty), it is kept (same
// directory, mode and owner) and the files are moved into it one by one; should a move fail, the
// ones already moved are removed again, leaving dir empty. On every error path the temporary
// directory is removed. Files are not fsynced.
func WriteDir(dir string, specs []*admin.TaskSpec, opts ...WriteOption) error {
	return writeDirEntities(dir, Entities{Tasks: specs}, opts)
}

func writeDirEntities(dir string, e Entities, opts []WriteOption) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("bundle: write directory %s: %w", dir, err)
		}
	}()
	cfg, _ := newWriteConfig(opts, false)
	files, err := planEntities(e)
	if err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	existed, err := checkEmptyDir(dir)
	if err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err = os.MkdirAll(parent, dirMode); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	var buf []byte
	for _, f := range files {
		if buf, err = marshalEntity(buf[:0], f, cfg); err != nil {
			return err
		}
		if err = os.WriteFile(filepath.Join(tmp, f.name), buf, fileMode); err != nil {
			return err
		}
	}
	if !existed {
		if err = os.Chmod(tmp, dirMode); err != nil {
			return err
		}
		return os.Rename(tmp, dir)
	}
	// dir exists and is empty. It is not replaced (os.Rename refuses to rename over a directory
	// on Unix anyway, and a new directory would lose dir's mode and owner): move the files in.
	for k, f := range files {
		if err = os.Rename(filepath.Join(tmp, f.name), filepath.Join(dir, f.name)); err != nil {
			for _, m := range files[:k] {
				_ = os.Remove(filepath.Join(dir, m.name))
			}
			return err
		}
	}
	return os.Remove(tmp)
}

// checkEmptyDir reports whether dir exists; it fails if dir exists and is not an empty directory.
func checkEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return true, err
	}
	if !fi.IsDir() {
		return true, fmt.Errorf("%s exists and is not a directory", dir)
	}
	entries, err := f.Readdirnames(1)
	if err != nil && !errors.Is(err, io.EOF) {
		return true, err
	}
	if len(entries) > 0 {
		return true, fmt.Errorf("%w: it contains %q; remove its contents or choose a new directory", ErrDirNotEmpty, entries[0])
	}
	return true, nil
}
