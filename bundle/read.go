package bundle

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
)

// Default limits applied by Read and ReadFile; see Limits.
const (
	DefaultMaxFileSize  = 32 << 20  // 32 MiB per .pb file
	DefaultMaxTotalSize = 512 << 20 // 512 MiB of decompressed archive
	DefaultMaxEntries   = 100_000   // archive members or directory entries
)

// Limits bounds the resources a reader spends on untrusted input. A zero field means the default
// (DefaultMaxFileSize, DefaultMaxTotalSize, DefaultMaxEntries); a negative field means no limit.
// Exceeding a size limit yields an error wrapping ErrTooLarge, exceeding MaxEntries one wrapping
// ErrTooManyEntries; both name the member when there is one.
type Limits struct {
	// MaxFileSize is the largest .pb file the reader loads into memory. Files it skips without
	// reading (fast*.tar.gz source archives, OS junk) are not subject to it.
	MaxFileSize int64
	// MaxTotalSize bounds the decompressed bytes of an archive, tar headers included (for a
	// directory: the bytes of the .pb files read). A member whose declared size would cross it is
	// rejected before its data is decompressed, so a gzip bomb stops early.
	MaxTotalSize int64
	// MaxEntries bounds the number of archive members (directories included) or directory entries.
	MaxEntries int
}

// DefaultLimits returns the limits used when none are given.
func DefaultLimits() Limits {
	return Limits{MaxFileSize: DefaultMaxFileSize, MaxTotalSize: DefaultMaxTotalSize, MaxEntries: DefaultMaxEntries}
}

func (l Limits) normalized() Limits {
	d := DefaultLimits()
	switch {
	case l.MaxFileSize == 0:
		l.MaxFileSize = d.MaxFileSize
	case l.MaxFileSize < 0:
		l.MaxFileSize = math.MaxInt64 - 1
	}
	switch {
	case l.MaxTotalSize == 0:
		l.MaxTotalSize = d.MaxTotalSize
	case l.MaxTotalSize < 0:
		l.MaxTotalSize = math.MaxInt64 - 1
	}
	switch {
	case l.MaxEntries == 0:
		l.MaxEntries = d.MaxEntries
	case l.MaxEntries < 0:
		l.MaxEntries = math.MaxInt
	}
	return l
}

// ReadOption configures Read and ReadFile.
type ReadOption func(*readConfig)

type readConfig struct {
	limits      Limits
	skipUnknown bool
}

// WithLimits replaces the default Limits.
func WithLimits(l Limits) ReadOption { return func(c *readConfig) { c.limits = l } }

// WithUnknownFilesSkipped makes the reader list files that flytectl would reject (anything that is
// not a .pb file, a fast*.tar.gz source archive or OS junk) in Bundle.Skipped with KindOther
// instead of failing with ErrInvalidFile. Useful to inspect a broken bundle.
func WithUnknownFilesSkipped() ReadOption { return func(c *readConfig) { c.skipUnknown = true } }

func newReadConfig(opts []ReadOption) readConfig {
	var c readConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	c.limits = c.limits.normalized()
	return c
}

// Kind is the kind of a bundle entity (KindTask, KindWorkflow, KindLaunchPlan) or says why a file
// of a bundle is not among its entities (the other kinds, in Skipped).
type Kind string

const (
	// KindWorkflow is a "*_2.pb" file: an admin.WorkflowSpec (Bundle.Workflows).
	KindWorkflow Kind = "workflow"
	// KindLaunchPlan is a "*_3.pb" file: an admin.LaunchPlan (Bundle.LaunchPlans).
	KindLaunchPlan Kind = "launch-plan"
	// KindFastSource is a fast-register source archive: base name "fast*.tar.gz" (flytectl uploads
	// it and substitutes its location for "{{ .remote_package_path }}"). Not read.
	KindFastSource Kind = "fast-source"
	// KindJunk is operating-system metadata: ".DS_Store", AppleDouble "._*" files and anything
	// under "__MACOSX/" (and, when reading a directory, hidden sub-directories, not descended into).
	// Note: flytectl itself rejects a bundle containing such files, except "._*.pb" ones, which it
	// tries (and fails) to decode.
	KindJunk Kind = "os-junk"
	// KindNotTask is a ".pb" file without a "_1/_2/_3" suffix that is not a task spec (see Read).
	KindNotTask Kind = "not-a-task"
	// KindOther is any other file: in a directory always, in an archive only with
	// WithUnknownFilesSkipped (otherwise such a file is an ErrInvalidFile error, as in flytectl).
	KindOther Kind = "other"
)

// Task is one task file of a bundle.
type Task struct {
	// Path is the cleaned, slash-separated path of the file inside the archive or directory, e.g.
	// "core/_pb_output/000_my.task_1.pb" (a leading "./" is removed).
	Path string
	// Spec is the decoded task spec; Spec.Template.Id is non-nil with a non-empty Name.
	Spec *admin.TaskSpec
}

// Name returns the task's template id name.
func (t Task) Name() string { return t.Spec.GetTemplate().GetId().GetName() }

// Skipped is a file of a bundle that is not a task, workflow or launch plan.
type Skipped struct {
	// Path is the cleaned, slash-separated path, as in Task.Path.
	Path string
	// Kind classifies the file.
	Kind Kind
	// Reason explains the classification in words.
	Reason string
}

// Bundle is the content of a registrable bundle: its tasks, workflows and launch plans.
type Bundle struct {
	// Tasks are the task files in the order flytectl registers them: sort.Strings of the file
	// paths (for archives: of the member names as stored, not cleaned, since flytectl sorts
	// tempDir + "/" + name; "./b_1.pb" sorts before "a_1.pb").
	Tasks []Task
	// Workflows are the workflow files ("*_2.pb"), sorted like Tasks.
	Workflows []Workflow
	// LaunchPlans are the launch plan files ("*_3.pb"), sorted like Tasks.
	LaunchPlans []LaunchPlan
	// Skipped lists every other regular file, sorted by path.
	Skipped []Skipped
}

// Specs returns the task specs in registration order.
func (b *Bundle) Specs() []*admin.TaskSpec {
	out := make([]*admin.TaskSpec, len(b.Tasks))
	for i, t := range b.Tasks {
		out[i] = t.Spec
	}
	return out
}

// fileClass is the reader's view of a file name.
type fileClass int

const (
	classTask       fileClass = iota // *_1.pb
	classWorkflow                    // *_2.pb
	classLaunchPlan                  // *_3.pb
	classProbe                       // other *.pb: decode and look
	classSkipped                     // not read; kind/reason set
	classOther                       // not allowed in an archive
)

func classify(p string) (fileClass, Kind, string) {
	base := path.Base(p)
	switch {
	case base == ".DS_Store" || strings.HasPrefix(base, "._") ||
		p == "__MACOSX" || strings.HasPrefix(p, "__MACOSX/") || strings.Contains(p, "/__MACOSX/"):
		return classSkipped, KindJunk, "operating-system metadata file"
	case strings.HasPrefix(base, "fast") && strings.HasSuffix(base, ".tar.gz"):
		return classSkipped, KindFastSource, "fast-register source archive (flytectl uploads it; not read)"
	case strings.HasSuffix(base, TaskSuffix):
		return classTask, "", ""
	case strings.HasSuffix(base, WorkflowSuffix):
		return classWorkflow, "", ""
	case strings.HasSuffix(base, LaunchPlanSuffix):
		return classLaunchPlan, "", ""
	case strings.HasSuffix(base, ".pb"):
		return classProbe, "", ""
	}
	return classOther, KindOther, "not a .pb file or fast*.tar.gz source archive"
}

// decodeTask decodes data as an admin.TaskSpec and checks it names a task.
func decodeTask(data []byte) (*admin.TaskSpec, error) {
	spec := &admin.TaskSpec{}
	if err := proto.Unmarshal(data, spec); err != nil {
		return nil, err
	}
	switch t := spec.Template; {
	case t == nil:
		return nil, errors.New("spec has no template")
	case t.Id == nil:
		return nil, errors.New("template has no id")
	case t.Id.Name == "":
		return nil, errors.New("template id has an empty name")
	}
	return spec, nil
}

// probeTask decides whether a .pb file without a type suffix is a task: it must decode as an
// admin.TaskSpec whose template has an id with a name, a non-empty type, and a resource type of
// TASK or UNSPECIFIED. (proto3 decoding is lenient: workflow and launch-plan files often decode
// as a TaskSpec too, but then lack the type or carry another resource type.)
func probeTask(data []byte) (*admin.TaskSpec, string) {
	spec, err := decodeTask(data)
	if err != nil {
		return nil, "does not decode as a task spec (" + err.Error() + ")"
	}
	t := spec.Template
	if t.Type == "" {
		return nil, "decodes as a task spec but the template has no type"
	}
	if rt := t.Id.ResourceType; rt != core.ResourceType_TASK && rt != core.ResourceType_UNSPECIFIED {
		return nil, "decodes as a task spec but the id's resource type is " + rt.String()
	}
	return spec, ""
}

// collector accumulates files in either reading mode.
type collector struct {
	cfg         readConfig
	tasks       []keyedTask
	workflows   []keyed[Workflow]
	launchPlans []keyed[LaunchPlan]
	skipped     []Skipped
	invalid     []string
}

type keyedTask struct {
	key  string
	task Task
}

func (c *collector) add(key, clean string, size int64, load func() ([]byte, error), dirMode bool) error {
	class, kind, reason := classify(clean)
	switch class {
	case classSkipped:
		c.skipped = append(c.skipped, Skipped{Path: clean, Kind: kind, Reason: reason})
		return nil
	case classOther:
		if !dirMode && !c.cfg.skipUnknown {
			c.invalid = append(c.invalid, key)
			return nil
		}
		c.skipped = append(c.skipped, Skipped{Path: clean, Kind: kind, Reason: reason})
		return nil
	}
	if size > c.cfg.limits.MaxFileSize {
		return entryErr(key, ErrTooLarge, "file is %d bytes, over the %d-byte limit (Limits.MaxFileSize)", size, c.cfg.limits.MaxFileSize)
	}
	data, err := load()
	if err != nil {
		return &EntryError{Path: key, Err: err}
	}
	switch class {
	case classWorkflow:
		return c.addWorkflow(key, clean, data)
	case classLaunchPlan:
		return c.addLaunchPlan(key, clean, data)
	}
	if class == classTask {
		spec, err := decodeTask(data)
		if err != nil {
			return entryErr(key, ErrDecode, "%v; a *%s file must hold a binary admin.TaskSpec with template.id.name set", err, TaskSuffix)
		}
		c.tasks = append(c.tasks, keyedTask{key: key, task: Task{Path: clean, Spec: spec}})
		return nil
	}
	spec, why := probeTask(data)
	if spec == nil {
		c.skipped = append(c.skipped, Skipped{Path: clean, Kind: KindNotTask, Reason: ".pb file without _1/_2/_3 suffix that " + why})
		return nil
	}
	c.tasks = append(c.tasks, keyedTask{key: key, task: Task{Path: clean, Spec: spec}})
	return nil
}

func (c *collector) bundle() (*Bundle, error) {
	if len(c.invalid) > 0 {
		sort.Strings(c.invalid)
		q := make([]string, len(c.invalid))
		for i, s := range c.invalid {
			q[i] = fmt.Sprintf("%q", s)
		}
		return nil, fmt.Errorf("%w: %s; flytectl only accepts .pb files and one fast*.tar.gz source archive in a bundle: remove the others (or read with WithUnknownFilesSkipped to inspect)",
			ErrInvalidFile, strings.Join(q, ", "))
	}
	sort.Slice(c.tasks, func(i, j int) bool { return c.tasks[i].key < c.tasks[j].key })
	sort.Slice(c.skipped, func(i, j int) bool { return c.skipped[i].Path < c.skipped[j].Path })
	b := &Bundle{Tasks: make([]Task, len(c.tasks)), Skipped: c.skipped}
	for i, kt := range c.tasks {
		b.Tasks[i] = kt.task
	}
	b.Workflows = sortedKeyed(c.workflows)
	b.LaunchPlans = sortedKeyed(c.launchPlans)
	return b, nil
}

// Read reads a bundle archive from r: a gzip-compressed tar when r starts with the gzip magic bytes
// 1f 8b, a plain tar otherwise (flytectl goes by the file extension instead; content is more
// reliable and this also works for readers without a name).
//
// Accepted layouts are those flytectl register files --archive accepts: members at the root or in
// sub-directories ("parentfolder/", "./core/_pb_output/"), a leading "/" or "./" directory entry,
// directory entries in any order, any index width. Regular files are classified by base name, in
// this order (flytectl v0.7.5+ semantics, cmd/register/register_util.go):
//   - ".DS_Store", "._*", "__MACOSX/...": Skipped, KindJunk (flytectl would reject them);
//   - "fast*.tar.gz": Skipped, KindFastSource (not read);
//   - "*_1.pb": a task. It must decode as admin.TaskSpec with template.id.name set, else the error
//     wraps ErrDecode and names the member (flytectl would go on trying other message types, which
//     for a task file only turns the problem into a confusing admin error);
//   - "*_2.pb": a workflow. It must decode as admin.WorkflowSpec with template.id.name set, else
//     the error wraps ErrDecode and names the member;
//   - "*_3.pb": a launch plan. It must decode as admin.LaunchPlan with id.name set, else the error
//     wraps ErrDecode and names the member;
//   - other "*.pb": flytectl tries TaskSpec first. Here it is a task if it decodes as a TaskSpec
//     whose template has an id with a name, a type, and resource type TASK or UNSPECIFIED;
//     otherwise Skipped, KindNotTask, with the reason;
//   - anything else: an error wrapping ErrInvalidFile that lists all such files, like flytectl's
//     "input package have some invalid files" (or Skipped, KindOther, with WithUnknownFilesSkipped).
//
// Untrusted input is handled defensively (never a panic): member names that are absolute (other
// than a bare "/" directory), contain "..", a backslash or NUL fail with ErrUnsafePath; symlinks,
// hard links, devices, FIFOs and sparse files with ErrUnsupportedEntry (flytectl silently ignores
// them); two members with the same cleaned path with ErrDuplicateEntry; PAX global headers are
// ignored. Limits (WithLimits) bound member size, total decompressed size and entry count. For gzip
// input the rest of the compressed stream after the tar end is read (within MaxTotalSize) so a
// damaged checksum is reported as ErrCorrupt; a plain tar must end with its end-of-archive marker (a
// zero block), so one cut short at a member boundary is ErrCorrupt too rather than a bundle with
// fewer tasks. Damage inside a member's data, read or not, is an *EntryError naming it. Input that is not an archive at all (including empty
// input) fails with ErrNotArchive.
func Read(r io.Reader, opts ...ReadOption) (*Bundle, error) {
	b, err := readArchive(r, newReadConfig(opts))
	if err != nil {
		return nil, fmt.Errorf("bundle: read archive: %w", err)
	}
	return b, nil
}

// ReadFile reads the bundle at path: an archive (format detected by content, as in Read), or a
// directory, whose regular files are read recursively in the way `flytectl register files dir/...`
// would see them: same classification as Read, except that files of other kinds are listed as
// Skipped with KindOther instead of being an error, and hidden sub-directories (".git", ...) are not
// descended into (listed as KindJunk). Symlinks and other non-regular files inside the directory
// fail with ErrUnsupportedEntry. Paths in the result are relative to the directory, slash-separated;
// tasks are sorted by them. The same Limits apply (MaxTotalSize counts the .pb bytes read).
func ReadFile(name string, opts ...ReadOption) (*Bundle, error) {
	cfg := newReadConfig(opts)
	fi, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("bundle: read %s: %w", name, err)
	}
	var b *Bundle
	if fi.IsDir() {
		b, err = readDir(name, cfg)
	} else {
		var f *os.File
		if f, err = os.Open(name); err == nil {
			b, err = readArchive(f, cfg)
			_ = f.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bundle: read %s: %w", name, err)
	}
	return b, nil
}

// errReader remembers the last error of the reader it wraps.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// failed reports a real failure (not EOF) of the wrapped reader.
func (e *errReader) failed() bool { return e.err != nil && !errors.Is(e.err, io.EOF) }

// countingReader counts bytes and fails once more than limit bytes were read. It also remembers
// the last tar block (512 bytes) that passed through it.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
	tail  [blockSize]byte // the last min(n, blockSize) bytes read, at tail[blockSize-min(n, blockSize):]
}

const blockSize = 512

func (c *countingReader) Read(p []byte) (int, error) {
	if rem := c.limit - c.n + 1; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n >= blockSize {
		copy(c.tail[:], p[n-blockSize:n])
	} else if n > 0 {
		copy(c.tail[:], c.tail[n:])
		copy(c.tail[blockSize-n:], p[:n])
	}
	if c.n > c.limit {
		return n, fmt.Errorf("%w: decompressed archive is larger than %d bytes (Limits.MaxTotalSize)", ErrTooLarge, c.limit)
	}
	return n, err
}

// archiveReader is the layered input of readArchive: source -> (gzip) -> counting -> tar.
type archiveReader struct {
	src     *errReader // the caller's reader
	gz      *errReader // the gzip layer, nil for plain tar
	entries int        // tar headers read so far
}

// wrap turns an error met while reading the archive into one wrapping the right sentinel: limit
// errors stay as they are, I/O errors of the caller's reader are passed through, gzip-level errors
// and damage after the first header are ErrCorrupt, and a failure on the first header means the
// input is no archive (ErrNotArchive).
func (a *archiveReader) wrap(err error, what string) error {
	switch {
	case errors.Is(err, ErrTooLarge):
		return err
	case a.src.failed():
		return fmt.Errorf("reading input: %w", a.src.err)
	case a.gz != nil && a.gz.failed():
		return fmt.Errorf("%w: gzip stream (%s): %w", ErrCorrupt, what, a.gz.err)
	case a.entries == 0 && a.gz == nil:
		return fmt.Errorf("%w: %w", ErrNotArchive, err)
	case a.entries == 0:
		return fmt.Errorf("%w: gzip data does not hold a tar archive: %w", ErrNotArchive, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, what, err)
}

func readArchive(r io.Reader, cfg readConfig) (*Bundle, error) {
	a := &archiveReader{src: &errReader{r: r}}
	br := bufio.NewReader(a.src)
	magic, err := br.Peek(2)
	if len(magic) == 0 {
		if a.src.failed() {
			return nil, fmt.Errorf("reading input: %w", a.src.err)
		}
		return nil, fmt.Errorf("%w: input is empty", ErrNotArchive)
	}
	var src io.Reader = br
	var zr *gzip.Reader
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if zr, err = gzip.NewReader(br); err != nil {
			if a.src.failed() {
				return nil, fmt.Errorf("reading input: %w", a.src.err)
			}
			return nil, fmt.Errorf("%w: bad gzip header: %w", ErrCorrupt, err)
		}
		a.gz = &errReader{r: zr}
		src = a.gz
	}
	cr := &countingReader{r: src, limit: cfg.limits.MaxTotalSize}
	tr := tar.NewReader(cr)
	c := &collector{cfg: cfg}
	seen := make(map[string]string)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, a.wrap(err, fmt.Sprintf("reading header after %d entries", a.entries))
		}
		a.entries++
		if a.entries > cfg.limits.MaxEntries {
			return nil, fmt.Errorf("%w: more than %d archive entries (Limits.MaxEntries)", ErrTooManyEntries, cfg.limits.MaxEntries)
		}
		switch hdr.Typeflag {
		case tar.TypeXGlobalHeader:
			continue // metadata only (e.g. git archive's pax_global_header)
		case tar.TypeDir:
			if _, err := cleanMemberPath(hdr.Name, true); err != nil {
				return nil, err
			}
			continue
		case tar.TypeReg:
		default:
			return nil, entryErr(hdr.Name, ErrUnsupportedEntry, "%s; bundles may only hold regular files and directories", typeName(hdr.Typeflag))
		}
		clean, err := cleanMemberPath(hdr.Name, false)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[clean]; dup {
			return nil, entryErr(hdr.Name, ErrDuplicateEntry, "same path as member %q", prev)
		}
		seen[clean] = hdr.Name
		if hdr.Size > cfg.limits.MaxTotalSize-cr.n {
			return nil, entryErr(hdr.Name, ErrTooLarge, "member of %d bytes would exceed the %d-byte decompressed archive limit (Limits.MaxTotalSize)", hdr.Size, cfg.limits.MaxTotalSize)
		}
		size := hdr.Size
		load := func() ([]byte, error) {
			data := make([]byte, size)
			if _, err := io.ReadFull(tr, data); err != nil {
				return nil, a.wrap(err, "reading member data")
			}
			return data, nil
		}
		if err := c.add(hdr.Name, clean, size, load, false); err != nil {
			return nil, err
		}
		// Consume the data of members that were not loaded here rather than in the next tr.Next,
		// so that damage inside them is reported with their name.
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return nil, &EntryError{Path: hdr.Name, Err: a.wrap(err, "reading member data")}
		}
	}
	// Go's tar reader also ends cleanly when the input stops at a header boundary. The archive's
	// end-of-archive marker (zero blocks) must have been read, otherwise a plain tar cut short there
	// would lose its remaining members without an error. (A gzip stream is checked by its trailer.)
	if zr == nil && cr.tail != [blockSize]byte{} {
		return nil, fmt.Errorf("%w: the archive ends after %d entries without the end-of-archive marker (truncated?)", ErrCorrupt, a.entries)
	}
	if zr != nil {
		// Read the rest of the gzip stream so its checksum is verified (bounded by MaxTotalSize).
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return nil, a.wrap(err, "after the tar end")
		}
	}
	return c.bundle()
}

// cleanMemberPath validates an archive member name and returns its cleaned form ("." for a
// directory entry naming the archive root: "/", "./", ".").
func cleanMemberPath(name string, isDir bool) (string, error) {
	unsafe := func(why string) (string, error) {
		return "", entryErr(name, ErrUnsafePath, "%s", why)
	}
	switch {
	case name == "":
		return unsafe("empty member name")
	case strings.ContainsRune(name, 0):
		return unsafe("NUL byte in member name")
	case strings.ContainsRune(name, '\\'):
		return unsafe("backslash in member name")
	}
	if strings.HasPrefix(name, "/") {
		if isDir && strings.Trim(name, "/") == "" {
			return ".", nil
		}
		return unsafe("absolute path")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return unsafe("'..' path component")
		}
	}
	clean := path.Clean(name)
	if clean == "." && !isDir {
		return unsafe("regular file with an empty path")
	}
	return clean, nil
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	case tar.TypeCont:
		return "contiguous file"
	case tar.TypeGNUSparse:
		return "GNU sparse file"
	}
	return fmt.Sprintf("entry type %q", t)
}

func readDir(root string, cfg readConfig) (*Bundle, error) {
	// WalkDir does not follow a symlinked root; resolve it (links inside stay errors).
	if fi, err := os.Lstat(root); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if root, err = filepath.EvalSymlinks(root); err != nil {
			return nil, err
		}
	}
	c := &collector{cfg: cfg}
	entries := 0
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		entries++
		if entries > cfg.limits.MaxEntries {
			return fmt.Errorf("%w: more than %d directory entries (Limits.MaxEntries)", ErrTooManyEntries, cfg.limits.MaxEntries)
		}
		switch typ := d.Type(); {
		case d.IsDir():
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "__MACOSX" {
				c.skipped = append(c.skipped, Skipped{Path: rel + "/", Kind: KindJunk, Reason: "hidden or OS metadata directory, not read"})
				return filepath.SkipDir
			}
			return nil
		case typ&fs.ModeSymlink != 0:
			return entryErr(rel, ErrUnsupportedEntry, "symbolic link; bundle directories may only hold regular files and directories")
		case !typ.IsRegular():
			return entryErr(rel, ErrUnsupportedEntry, "%v; bundle directories may only hold regular files and directories", typ)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		size := info.Size()
		load := func() ([]byte, error) {
			if size > cfg.limits.MaxTotalSize-total {
				return nil, fmt.Errorf("%w: reading %d more bytes would exceed %d bytes (Limits.MaxTotalSize)", ErrTooLarge, size, cfg.limits.MaxTotalSize)
			}
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			// The file may have grown since Stat: never read more than the limit allows.
			data, err := io.ReadAll(io.LimitReader(f, cfg.limits.MaxFileSize+1))
			if err != nil {
				return nil, err
			}
			if int64(len(data)) > cfg.limits.MaxFileSize {
				return nil, fmt.Errorf("%w: file grew over the %d-byte limit (Limits.MaxFileSize) while being read", ErrTooLarge, cfg.limits.MaxFileSize)
			}
			total += int64(len(data))
			return data, nil
		}
		return c.add(rel, rel, size, load, true)
	})
	if err != nil {
		return nil, err
	}
	return c.bundle()
}
