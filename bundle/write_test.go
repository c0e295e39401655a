package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
)

func TestFileName(t *testing.T) {
	tests := []struct {
		i, n int
		want string
	}{
		{0, 0, "0_t_1.pb"},
		{0, 1, "0_t_1.pb"}, // ceil(log10(1)) = 0 -> zfill(0)
		{0, 2, "0_t_1.pb"},
		{9, 10, "9_t_1.pb"}, // n <= 10: one digit
		{0, 11, "00_t_1.pb"},
		{10, 11, "10_t_1.pb"},
		{99, 100, "99_t_1.pb"}, // 11..100: two digits
		{0, 100, "00_t_1.pb"},
		{0, 101, "000_t_1.pb"}, // 101..1000: three digits
		{100, 101, "100_t_1.pb"},
		{999, 1000, "999_t_1.pb"},
		{7, 1000, "007_t_1.pb"},
		{7, 1001, "0007_t_1.pb"},
		{12345, 100000, "12345_t_1.pb"},
		{0, 100001, "000000_t_1.pb"},
		{123, 10, "123_t_1.pb"}, // zfill never truncates
		{-1, 100, "-1_t_1.pb"},  // Python: str(-1).zfill(2)
		{-1, 1000, "-01_t_1.pb"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, bundle.FileName(tc.i, tc.n, "t"), "FileName(%d, %d)", tc.i, tc.n)
	}
	assert.Equal(t, "0_myapp.workflows.example.say_hello_1.pb", bundle.FileName(0, 3, "myapp.workflows.example.say_hello"))
	assert.Equal(t, "014_recipes.core.basic.basic_workflow.t1_1.pb", bundle.FileName(14, 101, "recipes.core.basic.basic_workflow.t1"))
}

// TestFileNameOrder checks that file-name order is index order for every bundle size up to 1001.
func TestFileNameOrder(t *testing.T) {
	for n := 1; n <= 1001; n++ {
		prev := ""
		for i := 0; i < n; i++ {
			name := bundle.FileName(i, n, "a")
			if i > 0 && !(prev < name) {
				t.Fatalf("n=%d: %q sorts before %q", n, name, prev)
			}
			prev = name
		}
	}
}

func writeArchive(t testing.TB, specs []*admin.TaskSpec, opts ...bundle.WriteOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, bundle.WriteArchive(&buf, specs, opts...))
	return buf.Bytes()
}

func protoEqual(a, b *admin.TaskSpec) bool {
	return proto.Equal(a, b)
}

func TestWriteArchiveRoundTrip(t *testing.T) {
	for _, format := range []bundle.Format{bundle.FormatTarGzip, bundle.FormatTar} {
		t.Run(format.String(), func(t *testing.T) {
			specs := daskSpecs(12)
			data := writeArchive(t, specs, bundle.WithFormat(format), bundle.WithPinnedIDs())
			if format == bundle.FormatTarGzip {
				require.Equal(t, []byte{0x1f, 0x8b}, data[:2])
			} else {
				require.NotEqual(t, []byte{0x1f, 0x8b}, data[:2])
			}
			b, err := bundle.Read(bytes.NewReader(data))
			require.NoError(t, err)
			require.Len(t, b.Tasks, len(specs))
			assert.Empty(t, b.Skipped)
			for i, task := range b.Tasks {
				assert.Equal(t, bundle.FileName(i, len(specs), specs[i].Template.Id.Name), task.Path)
				assert.Equal(t, specs[i].Template.Id.Name, task.Name())
				assert.True(t, protoEqual(specs[i], task.Spec), "spec %d differs after round trip", i)
			}
			assert.Len(t, b.Specs(), len(specs))
		})
	}
}

func TestWriteArchiveHeaders(t *testing.T) {
	specs := daskSpecs(3)
	long := strings.Repeat("x", 200) // needs a PAX path record
	specs = append(specs, daskSpec(long, 1))
	data := writeArchive(t, specs)

	// gzip header: magic, CM=8, FLG=0 (no name/comment/extra), MTIME=0, OS=255.
	require.GreaterOrEqual(t, len(data), 10)
	assert.Equal(t, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, data[:8])
	assert.Equal(t, byte(255), data[9])
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Empty(t, zr.Name)
	assert.True(t, zr.ModTime.IsZero())

	tr := tar.NewReader(zr)
	var names []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		names = append(names, hdr.Name)
		assert.Equal(t, byte(tar.TypeReg), hdr.Typeflag, hdr.Name)
		assert.Equal(t, int64(0o644), hdr.Mode, hdr.Name)
		assert.Zero(t, hdr.Uid)
		assert.Zero(t, hdr.Gid)
		assert.Empty(t, hdr.Uname)
		assert.Empty(t, hdr.Gname)
		assert.Equal(t, int64(0), hdr.ModTime.Unix(), hdr.Name)
		assert.False(t, strings.Contains(hdr.Name, "/"), "entry %q not at archive root", hdr.Name)
		if hdr.Name == bundle.FileName(3, 4, long) {
			assert.Equal(t, tar.FormatPAX, hdr.Format)
		} else {
			assert.Equal(t, tar.FormatUSTAR, hdr.Format, "short names need no PAX record")
		}
	}
	want := []string{
		bundle.FileName(0, 4, specs[0].Template.Id.Name),
		bundle.FileName(1, 4, specs[1].Template.Id.Name),
		bundle.FileName(2, 4, specs[2].Template.Id.Name),
		bundle.FileName(3, 4, long),
	}
	assert.Equal(t, want, names)
	assert.IsIncreasing(t, names)
}

func TestWriteArchiveDeterministic(t *testing.T) {
	for _, format := range []bundle.Format{bundle.FormatTarGzip, bundle.FormatTar} {
		a := writeArchive(t, daskSpecs(50), bundle.WithFormat(format))
		// Built separately: maps (struct fields, tags, config, variables) get new iteration orders.
		b := writeArchive(t, daskSpecs(50), bundle.WithFormat(format))
		runtime.GC()
		c := writeArchive(t, daskSpecs(50), bundle.WithFormat(format))
		assert.Equal(t, a, b, format.String())
		assert.Equal(t, a, c, format.String())
	}
	// A different compression level is a different, but again fixed, output.
	l1 := writeArchive(t, daskSpecs(5), bundle.WithCompressionLevel(gzip.BestSpeed))
	l2 := writeArchive(t, daskSpecs(5), bundle.WithCompressionLevel(gzip.BestSpeed))
	assert.Equal(t, l1, l2)
}

func TestWriteArchiveEmpty(t *testing.T) {
	data := writeArchive(t, nil)
	b, err := bundle.Read(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Empty(t, b.Tasks)
}

func TestWriteArchiveInvalidSpecs(t *testing.T) {
	ok := func(name string) *admin.TaskSpec { return daskSpec(name, 1) }
	noID := ok("x")
	noID.Template.Id = nil
	tests := []struct {
		name    string
		specs   []*admin.TaskSpec
		index   int
		message string
	}{
		{"nil spec", []*admin.TaskSpec{ok("a"), nil}, 1, "spec is nil"},
		{"nil template", []*admin.TaskSpec{{}}, 0, "spec.template is nil"},
		{"nil id", []*admin.TaskSpec{ok("a"), ok("b"), noID}, 2, "spec.template.id is nil"},
		{"empty name", []*admin.TaskSpec{ok("")}, 0, "name is empty"},
		{"slash", []*admin.TaskSpec{ok("a/b")}, 0, "contains '/'"},
		{"backslash", []*admin.TaskSpec{ok(`a\b`)}, 0, `contains '\'`},
		{"nul", []*admin.TaskSpec{ok("a\x00b")}, 0, "NUL"},
		{"bad utf8", []*admin.TaskSpec{ok("a\xffb")}, 0, "UTF-8"},
		{"duplicate", []*admin.TaskSpec{ok("a"), ok("b"), ok("a")}, 2, "duplicate task name, task 0"},
		{"too long", []*admin.TaskSpec{ok(strings.Repeat("n", 251))}, 0, "over the 255-byte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := bundle.WriteArchive(&buf, tc.specs)
			require.Error(t, err)
			assert.ErrorIs(t, err, bundle.ErrInvalidSpec)
			var se *bundle.SpecError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.index, se.Index)
			assert.Contains(t, err.Error(), tc.message)
			assert.Contains(t, err.Error(), "task "+strconv.Itoa(tc.index))
			assert.Zero(t, buf.Len(), "nothing may be written for an invalid spec")
		})
	}
	// 250 bytes of name + "0_" + "_1.pb" = 257 > 255, but 248 fits exactly.
	require.NoError(t, bundle.WriteArchive(io.Discard, []*admin.TaskSpec{ok(strings.Repeat("n", 248))}))
}

func TestWriteArchiveMarshalError(t *testing.T) {
	s := daskSpec("ok", 1)
	s.Template.Type = "bad\xffutf8" // proto3 strings must be UTF-8
	err := bundle.WriteArchive(io.Discard, []*admin.TaskSpec{daskSpec("a", 1), s})
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	var se *bundle.SpecError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Index)
	assert.Equal(t, "ok", se.Name)
}

func TestWriteArchiveOptions(t *testing.T) {
	err := bundle.WriteArchive(io.Discard, nil, bundle.WithFormat(bundle.Format(9)))
	assert.ErrorContains(t, err, "Format(9)")
	err = bundle.WriteArchive(io.Discard, nil, bundle.WithCompressionLevel(42))
	assert.ErrorContains(t, err, "compression level 42")
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteArchiveWriterError(t *testing.T) {
	err := bundle.WriteArchive(&failingWriter{}, daskSpecs(200))
	assert.ErrorContains(t, err, "disk full")
}

func TestFormatForPath(t *testing.T) {
	for path, want := range map[string]bundle.Format{
		"a.tgz": bundle.FormatTarGzip, "dir/b.tar.gz": bundle.FormatTarGzip, "c.tar": bundle.FormatTar,
	} {
		got, err := bundle.FormatForPath(path)
		require.NoError(t, err, path)
		assert.Equal(t, want, got, path)
	}
	for _, path := range []string{"a.zip", "a.TGZ", "a.gz", "a", "a.tar.bz2"} {
		_, err := bundle.FormatForPath(path)
		assert.ErrorIs(t, err, bundle.ErrUnsupportedExtension, path)
		assert.ErrorContains(t, err, ".tgz, .tar.gz (gzip-compressed tar) and .tar", path)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	specs := daskSpecs(3)
	for _, name := range []string{"a.tgz", "b.tar.gz", "c.tar"} {
		path := filepath.Join(dir, name)
		require.NoError(t, bundle.WriteFile(path, specs))
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		format, _ := bundle.FormatForPath(name)
		assert.Equal(t, writeArchive(t, specs, bundle.WithFormat(format)), data, "WriteFile writes what WriteArchive writes")
		b, err := bundle.ReadFile(path)
		require.NoError(t, err)
		assert.Len(t, b.Tasks, 3)
	}
	assert.Equal(t, []string{"a.tgz", "b.tar.gz", "c.tar"}, dirNames(t, dir), "no temporary files left")

	// Replacing an existing file.
	path := filepath.Join(dir, "a.tgz")
	require.NoError(t, bundle.WriteFile(path, specs[:1]))
	b, err := bundle.ReadFile(path)
	require.NoError(t, err)
	assert.Len(t, b.Tasks, 1)
}

func TestWriteFileFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.tgz")
	require.NoError(t, os.WriteFile(existing, []byte("previous content"), 0o644))

	// Invalid spec: no file created, existing file untouched.
	err := bundle.WriteFile(filepath.Join(dir, "new.tgz"), []*admin.TaskSpec{daskSpec("a", 1), nil})
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	err = bundle.WriteFile(existing, []*admin.TaskSpec{daskSpec("a", 1), daskSpec("a", 2)})
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	// Marshal failure in the middle of writing: temporary file removed.
	bad := daskSpec("bad", 1)
	bad.Template.Type = "\xff"
	err = bundle.WriteFile(existing, []*admin.TaskSpec{daskSpec("a", 1), bad})
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	// Unsupported extension.
	err = bundle.WriteFile(filepath.Join(dir, "x.zip"), daskSpecs(1))
	require.ErrorIs(t, err, bundle.ErrUnsupportedExtension)
	// Format option conflicting with the extension.
	err = bundle.WriteFile(filepath.Join(dir, "x.tar"), daskSpecs(1), bundle.WithFormat(bundle.FormatTarGzip))
	require.ErrorContains(t, err, "conflicts with the file extension")
	// Target is a directory: refused up front, naming the path (not a temporary file).
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d.tgz"), 0o755))
	err = bundle.WriteFile(filepath.Join(dir, "d.tgz"), daskSpecs(1))
	require.ErrorContains(t, err, filepath.Join(dir, "d.tgz")+" is a directory")
	assert.NotContains(t, err.Error(), ".tmp-")
	// Parent is a regular file (fails even for root).
	err = bundle.WriteFile(filepath.Join(existing, "x.tgz"), daskSpecs(1))
	require.Error(t, err)
	// Missing directory.
	err = bundle.WriteFile(filepath.Join(dir, "missing", "x.tgz"), daskSpecs(1))
	require.ErrorIs(t, err, os.ErrNotExist)

	assert.Equal(t, []string{"d.tgz", "old.tgz"}, dirNames(t, dir))
	data, err := os.ReadFile(existing)
	require.NoError(t, err)
	assert.Equal(t, "previous content", string(data))
}

func TestWriteFileUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(ro, 0o555))
	err := bundle.WriteFile(filepath.Join(ro, "x.tgz"), daskSpecs(1))
	require.ErrorIs(t, err, os.ErrPermission)
	assert.Empty(t, dirNames(t, ro))
}

func TestWriteDir(t *testing.T) {
	root := t.TempDir()
	specs := daskSpecs(11)

	// New directory (with a missing parent).
	dir := filepath.Join(root, "parent", "_pb_output")
	require.NoError(t, bundle.WriteDir(dir, specs, bundle.WithPinnedIDs()))
	names := dirNames(t, dir)
	require.Len(t, names, 11)
	for i, s := range specs {
		assert.Equal(t, bundle.FileName(i, 11, s.Template.Id.Name), names[i])
	}
	assert.Equal(t, []string{"_pb_output"}, dirNames(t, filepath.Join(root, "parent")), "no temporary directory left")
	b, err := bundle.ReadFile(dir)
	require.NoError(t, err)
	require.Len(t, b.Tasks, 11)
	for i := range specs {
		assert.True(t, protoEqual(specs[i], b.Tasks[i].Spec))
	}
	// Same bytes as in the archive.
	fromArchive, err := bundle.Read(bytes.NewReader(writeArchive(t, specs)))
	require.NoError(t, err)
	assert.Equal(t, len(fromArchive.Tasks), len(b.Tasks))

	// Existing empty directory.
	empty := filepath.Join(root, "empty")
	require.NoError(t, os.Mkdir(empty, 0o700))
	before, err := os.Stat(empty)
	require.NoError(t, err)
	require.NoError(t, bundle.WriteDir(empty, specs[:2]))
	assert.Len(t, dirNames(t, empty), 2)
	// It is the same directory, with its own mode: not replaced by another one (which would also
	// strand a shell whose working directory it is).
	after, err := os.Stat(empty)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "the existing directory was replaced")
	assert.Equal(t, os.FileMode(0o700), after.Mode().Perm())

	// Non-empty directory: refused, untouched.
	err = bundle.WriteDir(dir, specs[:1])
	require.ErrorIs(t, err, bundle.ErrDirNotEmpty)
	assert.Len(t, dirNames(t, dir), 11)

	// A file in the way.
	file := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	require.ErrorContains(t, bundle.WriteDir(file, specs), "not a directory")

	// Invalid spec: nothing created.
	err = bundle.WriteDir(filepath.Join(root, "never"), []*admin.TaskSpec{nil})
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	// Marshal failure after some files were written: the temporary directory goes, nothing appears.
	bad := daskSpec("bad", 1)
	bad.Template.Type = "\xff"
	err = bundle.WriteDir(filepath.Join(root, "never"), []*admin.TaskSpec{daskSpec("a", 1), bad})
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	assert.Equal(t, []string{"empty", "file", "parent"}, dirNames(t, root))
}

// TestWriteDirCurrentDir covers writing into an existing directory, here the current one: the files
// are moved in one by one.
func TestWriteDirCurrentDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	specs := daskSpecs(3)
	require.NoError(t, bundle.WriteDir(".", specs))
	names := dirNames(t, dir)
	require.Len(t, names, 3, "files only, no temporary directory: %v", names)
	for i, s := range specs {
		assert.Equal(t, bundle.FileName(i, 3, s.Template.Id.Name), names[i])
	}
	require.ErrorIs(t, bundle.WriteDir(".", specs), bundle.ErrDirNotEmpty)
}

func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// WriteFileFunc writes what WriteFile writes, asking for one spec at a time, in order.
func TestWriteFileFunc(t *testing.T) {
	specs := daskSpecs(12)
	dir := t.TempDir()
	for _, ext := range []string{".tgz", ".tar"} {
		want, got := filepath.Join(dir, "want"+ext), filepath.Join(dir, "got"+ext)
		require.NoError(t, bundle.WriteFile(want, specs))
		var asked []int
		require.NoError(t, bundle.WriteFileFunc(got, len(specs), func(i int) (*admin.TaskSpec, error) {
			asked = append(asked, i)
			return specs[i], nil
		}))
		wb, err := os.ReadFile(want)
		require.NoError(t, err)
		gb, err := os.ReadFile(got)
		require.NoError(t, err)
		assert.Equal(t, wb, gb, ext)
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, asked)
	}
}

// An error from the producer or a spec the checks refuse ends the write with nothing at path; an
// existing file is left as it was.
func TestWriteFileFuncAllOrNothing(t *testing.T) {
	specs := daskSpecs(5)
	path := filepath.Join(t.TempDir(), "b.tgz")
	boom := errors.New("boom")
	_, err := os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist)
	err = bundle.WriteFileFunc(path, 5, func(i int) (*admin.TaskSpec, error) {
		if i == 3 {
			return nil, boom
		}
		return specs[i], nil
	})
	require.ErrorIs(t, err, boom)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist)

	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	err = bundle.WriteFileFunc(path, 5, func(i int) (*admin.TaskSpec, error) { return specs[i%2], nil })
	require.ErrorIs(t, err, bundle.ErrInvalidSpec)
	assert.ErrorContains(t, err, "duplicate task name")
	data, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Equal(t, "old", string(data))
	entries, rerr := os.ReadDir(filepath.Dir(path))
	require.NoError(t, rerr)
	assert.Len(t, entries, 1, "no temporary file left")

	assert.Error(t, bundle.WriteFileFunc(path, -1, nil))
}
