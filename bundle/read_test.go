package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
)

const pyflyteDir = "../testdata/pyflyte"

var taskFileRE = regexp.MustCompile(`^([0-9]+)_(.+)_1\.pb$`)

// kinds counts the bundle's workflows, launch plans and skipped files by kind.
func kinds(b *bundle.Bundle) map[bundle.Kind]int {
	m := map[bundle.Kind]int{}
	for _, s := range b.Skipped {
		m[s.Kind]++
	}
	if len(b.Workflows) > 0 {
		m[bundle.KindWorkflow] += len(b.Workflows)
	}
	if len(b.LaunchPlans) > 0 {
		m[bundle.KindLaunchPlan] += len(b.LaunchPlans)
	}
	return m
}

// TestReadPyflyteBundles reads every real pyflyte bundle in testdata/pyflyte (see its README).
func TestReadPyflyteBundles(t *testing.T) {
	tests := []struct {
		file       string
		tasks      int
		skipped    map[bundle.Kind]int
		firstTasks []string
	}{
		{"flyte-package.tgz", 1, map[bundle.Kind]int{bundle.KindWorkflow: 1, bundle.KindLaunchPlan: 1, bundle.KindFastSource: 1},
			[]string{"myapp.workflows.example.say_hello"}},
		{"valid-register.tgz", 2, map[bundle.Kind]int{bundle.KindWorkflow: 1, bundle.KindLaunchPlan: 1},
			[]string{"recipes.core.basic.basic_workflow.t1", "recipes.core.basic.basic_workflow.t2"}},
		{"flytesnacks-core.tgz", 39, map[bundle.Kind]int{bundle.KindWorkflow: 21, bundle.KindLaunchPlan: 24, bundle.KindFastSource: 1},
			[]string{"core.control_flow.dynamics.return_index", "core.control_flow.dynamics.update_list"}},
		{"valid-fast-register.tgz", 44, map[bundle.Kind]int{bundle.KindWorkflow: 27, bundle.KindLaunchPlan: 30, bundle.KindFastSource: 1, bundle.KindJunk: 2},
			[]string{"core.control_flow.dynamics.return_index", "core.control_flow.dynamics.update_list"}},
		{"valid-parent-folder-register.tar", 2, map[bundle.Kind]int{bundle.KindWorkflow: 1, bundle.KindLaunchPlan: 1},
			[]string{"recipes.core.basic.basic_workflow.t1", "recipes.core.basic.basic_workflow.t2"}},
	}
	seen := map[string]bool{"README.md": true, "invalid.tgz": true}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			b, err := bundle.ReadFile(filepath.Join(pyflyteDir, tc.file))
			require.NoError(t, err)
			unique := map[string]bool{} // real bundles can hold two tasks with one name
			var uniqueSpecs []*admin.TaskSpec
			require.Len(t, b.Tasks, tc.tasks)
			assert.Equal(t, tc.skipped, kinds(b))
			for i, want := range tc.firstTasks {
				assert.Equal(t, want, b.Tasks[i].Name())
			}
			paths := make([]string, len(b.Tasks))
			for i, task := range b.Tasks {
				paths[i] = task.Path
				m := taskFileRE.FindStringSubmatch(path.Base(task.Path))
				require.NotNil(t, m, task.Path)
				assert.Equal(t, m[2], task.Name(), "file name carries the task name")
				assert.Equal(t, core.ResourceType_TASK, task.Spec.Template.Id.ResourceType)
				assert.NotEmpty(t, task.Spec.Template.Type)
				assert.False(t, strings.HasPrefix(task.Path, "/") || strings.HasPrefix(task.Path, "./"), task.Path)
				if !unique[task.Name()] {
					unique[task.Name()] = true
					uniqueSpecs = append(uniqueSpecs, task.Spec)
				}
			}
			assert.True(t, sort.StringsAreSorted(paths), "tasks in registration order")

			// The specs survive a round trip through the writer (ids as given: these 2021-22
			// bundles carry flytekit's placeholders).
			var buf bytes.Buffer
			require.NoError(t, bundle.WriteArchive(&buf, uniqueSpecs, bundle.WithPinnedIDs()))
			again, err := bundle.Read(&buf)
			require.NoError(t, err)
			require.Len(t, again.Tasks, len(uniqueSpecs))
			for i := range again.Tasks {
				assert.True(t, protoEqual(uniqueSpecs[i], again.Tasks[i].Spec))
			}
		})
	}
	// Every bundle in the directory is covered.
	entries, err := os.ReadDir(pyflyteDir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.True(t, seen[e.Name()], "testdata/pyflyte/%s has no test case", e.Name())
	}
}

func TestReadPyflyteInvalid(t *testing.T) {
	_, err := bundle.ReadFile(filepath.Join(pyflyteDir, "invalid.tgz"))
	require.ErrorIs(t, err, bundle.ErrNotArchive)
	assert.ErrorContains(t, err, "invalid.tgz")
}

func TestReadPyflyteLayouts(t *testing.T) {
	b, err := bundle.ReadFile(filepath.Join(pyflyteDir, "flyte-package.tgz"))
	require.NoError(t, err)
	assert.Equal(t, "0_myapp.workflows.example.say_hello_1.pb", b.Tasks[0].Path)
	assert.Equal(t, bundle.Skipped{Path: "fastf5f188e159f61e00271e16ed59786c44.tar.gz", Kind: bundle.KindFastSource,
		Reason: "fast-register source archive (flytectl uploads it; not read)"}, b.Skipped[0])
	assert.Equal(t, "{{ registration.project }}", b.Tasks[0].Spec.Template.Id.Project)
	// The workflow and its default launch plan are decoded, with their file names.
	require.Len(t, b.Workflows, 1)
	require.Len(t, b.LaunchPlans, 1)
	assert.Equal(t, "1_myapp.workflows.example.my_wf_2.pb", b.Workflows[0].Path)
	assert.Equal(t, "myapp.workflows.example.my_wf", b.Workflows[0].Name())
	assert.Equal(t, core.ResourceType_WORKFLOW, b.Workflows[0].Spec.Template.Id.ResourceType)
	ref := b.Workflows[0].Spec.Template.Nodes[0].GetTaskNode().GetReferenceId()
	assert.Equal(t, "myapp.workflows.example.say_hello", ref.GetName())
	assert.Equal(t, "2_myapp.workflows.example.my_wf_3.pb", b.LaunchPlans[0].Path)
	assert.Equal(t, "myapp.workflows.example.my_wf", b.LaunchPlans[0].Name())
	assert.Equal(t, "myapp.workflows.example.my_wf", b.LaunchPlans[0].Spec.Spec.WorkflowId.Name)
	e := b.Entities()
	assert.Equal(t, 3, e.Len())
	assert.Same(t, b.Workflows[0].Spec, e.Workflows[0])
	assert.Same(t, b.LaunchPlans[0].Spec, e.LaunchPlans[0])

	b, err = bundle.ReadFile(filepath.Join(pyflyteDir, "flytesnacks-core.tgz"))
	require.NoError(t, err)
	assert.Equal(t, "core/_pb_output/00_core.control_flow.dynamics.return_index_1.pb", b.Tasks[0].Path)

	b, err = bundle.ReadFile(filepath.Join(pyflyteDir, "valid-fast-register.tgz"))
	require.NoError(t, err)
	assert.Equal(t, "core/_pb_output/000_core.control_flow.dynamics.return_index_1.pb", b.Tasks[0].Path)
	var junk []string
	for _, s := range b.Skipped {
		if s.Kind == bundle.KindJunk {
			junk = append(junk, s.Path)
		}
	}
	assert.Equal(t, []string{"core/_pb_output/.DS_Store", "core/_pb_output/._.DS_Store"}, junk)

	b, err = bundle.ReadFile(filepath.Join(pyflyteDir, "valid-parent-folder-register.tar"))
	require.NoError(t, err)
	assert.Equal(t, "parentfolder/014_recipes.core.basic.basic_workflow.t1_1.pb", b.Tasks[0].Path)
}

// entry is one member of a hand-built archive.
type entry struct {
	name     string
	typ      byte
	data     []byte
	linkname string
}

func file(name string, data []byte) entry { return entry{name: name, typ: tar.TypeReg, data: data} }
func dir(name string) entry               { return entry{name: name, typ: tar.TypeDir} }

func specBytes(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

func makeTar(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Size: int64(len(e.data)), Mode: 0o644, Linkname: e.linkname}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		require.NoError(t, tw.WriteHeader(hdr))
		if hdr.Size > 0 {
			_, err := tw.Write(e.data)
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// truncated returns data without its last n bytes.
func truncated(data []byte, n int) []byte { return data[:len(data)-n] }

// gzPrefix returns the gzip compression of data cut after the first n uncompressed bytes: the
// compressed stream is flushed there and the rest (and the trailer) dropped.
func gzPrefix(t testing.TB, data []byte, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data[:n])
	require.NoError(t, err)
	require.NoError(t, zw.Flush())
	return buf.Bytes()
}

func TestReadClassification(t *testing.T) {
	task := func(name string) []byte { return specBytes(t, daskSpec(name, 1)) }
	wfID := &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "my.wf"}
	// proto3 is lenient: this workflow decodes as a TaskSpec (metadata bytes read as the type
	// string), so only the resource type tells it apart.
	wf := specBytes(t, &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id: wfID, Metadata: &core.WorkflowMetadata{Tags: map[string]string{"a": "b"}},
	}})
	wfNodes := specBytes(t, &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id: wfID, Nodes: []*core.Node{{Id: "n0"}},
	}})
	ident := specBytes(t, daskSpec("x", 1).Template.Id) // old flytekit "N_name.identifier.pb"
	noType := daskSpec("no.type", 1)
	noType.Template.Type = ""
	data := makeTar(t,
		file("1_b_1.pb", task("b")), // out of order on purpose
		dir("./"),
		file("0_a_1.pb", task("a")),
		file("2_wf_2.pb", specBytes(t, &admin.WorkflowSpec{Template: &core.WorkflowTemplate{Id: wfID}})),
		file("3_lp_3.pb", specBytes(t, &admin.LaunchPlan{Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "lp"}})),
		file("mypkg.nosuffix.pb", task("mypkg.nosuffix")),
		file("4_wf.pb", wf),
		file("4b_wf.pb", wfNodes),
		file("5_x.identifier.pb", ident),
		file("6_no_type.pb", specBytes(t, noType)),
		file("7_junk.pb", []byte{0xff, 0xff, 0xff}),
		file("fast0123.tar.gz", []byte("source")),
		file("sub/.DS_Store", []byte("junk")),
		file("sub/._0_a_1.pb", []byte("apple double")),
		file("__MACOSX/sub/x", []byte("junk")),
	)
	// A PAX global header (as git archive writes first) is ignored.
	var withGlobal bytes.Buffer
	tw := tar.NewWriter(&withGlobal)
	require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "abc"}}))
	require.NoError(t, tw.Flush())
	data = append(withGlobal.Bytes(), data...)
	b, err := bundle.Read(bytes.NewReader(data))
	require.NoError(t, err)
	var names []string
	for _, task := range b.Tasks {
		names = append(names, task.Path)
	}
	assert.Equal(t, []string{"0_a_1.pb", "1_b_1.pb", "mypkg.nosuffix.pb"}, names)
	got := map[string]bundle.Kind{}
	for _, s := range b.Skipped {
		got[s.Path] = s.Kind
		assert.NotEmpty(t, s.Reason)
	}
	require.Len(t, b.Workflows, 1)
	assert.Equal(t, "2_wf_2.pb", b.Workflows[0].Path)
	assert.Equal(t, "my.wf", b.Workflows[0].Name())
	require.Len(t, b.LaunchPlans, 1)
	assert.Equal(t, "3_lp_3.pb", b.LaunchPlans[0].Path)
	assert.Equal(t, "lp", b.LaunchPlans[0].Name())
	assert.Equal(t, map[string]bundle.Kind{
		"4_wf.pb":           bundle.KindNotTask,
		"4b_wf.pb":          bundle.KindNotTask,
		"5_x.identifier.pb": bundle.KindNotTask,
		"6_no_type.pb":      bundle.KindNotTask,
		"7_junk.pb":         bundle.KindNotTask,
		"fast0123.tar.gz":   bundle.KindFastSource,
		"sub/.DS_Store":     bundle.KindJunk,
		"sub/._0_a_1.pb":    bundle.KindJunk,
		"__MACOSX/sub/x":    bundle.KindJunk,
	}, got)
	for _, s := range b.Skipped {
		if s.Path == "4_wf.pb" {
			assert.Contains(t, s.Reason, "WORKFLOW")
		}
	}
}

func TestReadErrors(t *testing.T) {
	task := specBytes(t, daskSpec("a", 1))
	tests := []struct {
		name     string
		data     []byte
		sentinel error
		member   string // expected EntryError.Path, "" if none
		message  string
	}{
		{"empty input", nil, bundle.ErrNotArchive, "", "input is empty"},
		{"text", []byte("invalid tgz file\n"), bundle.ErrNotArchive, "", ""},
		{"random block", bytes.Repeat([]byte{7}, 1024), bundle.ErrNotArchive, "", ""},
		{"gzip of text", gz(t, []byte("hello")), bundle.ErrNotArchive, "", "gzip data does not hold a tar archive"},
		{"truncated gzip", gz(t, makeTar(t, file("0_a_1.pb", task)))[:60], bundle.ErrCorrupt, "", ""},
		{"truncated tar", makeTar(t, file("0_a_1.pb", bytes.Repeat(task, 2)))[:1024], bundle.ErrCorrupt, "0_a_1.pb", ""},
		// A member that is not read (workflow, launch plan, source archive, junk) is still named when
		// its data is cut short, in plain tar and inside a gzip stream.
		{"truncated skipped member", truncated(makeTar(t, file("0_a_1.pb", task), file("1_wf_2.pb", bytes.Repeat([]byte{1}, 2000))), 1024+1000), bundle.ErrCorrupt, "1_wf_2.pb", "reading member data"},
		{"truncated gzip in skipped member", gzPrefix(t, makeTar(t, file("0_a_1.pb", task), file("fast0.tar.gz", bytes.Repeat([]byte{1}, 4000))), 4096), bundle.ErrCorrupt, "fast0.tar.gz", "reading member data"},
		// Go's tar reader takes a clean end of input at a header boundary for the end of the
		// archive; without the end-of-archive marker a plain tar cut there would silently lose members.
		{"plain tar cut at a member boundary", makeTar(t, file("0_a_1.pb", task), file("1_b_1.pb", task))[:512+(len(task)+511)/512*512], bundle.ErrCorrupt, "", "end-of-archive marker"},
		{"plain tar without end marker", truncated(makeTar(t, file("0_a_1.pb", task)), 1024), bundle.ErrCorrupt, "", "end-of-archive marker"},
		{"absolute path", makeTar(t, file("/etc/0_a_1.pb", task)), bundle.ErrUnsafePath, "/etc/0_a_1.pb", "absolute path"},
		{"absolute dir", makeTar(t, dir("/etc/")), bundle.ErrUnsafePath, "/etc/", "absolute path"},
		{"dotdot", makeTar(t, file("../0_a_1.pb", task)), bundle.ErrUnsafePath, "../0_a_1.pb", "'..'"},
		{"inner dotdot", makeTar(t, file("a/../../0_a_1.pb", task)), bundle.ErrUnsafePath, "a/../../0_a_1.pb", "'..'"},
		{"dotdot dir", makeTar(t, dir("x/../../")), bundle.ErrUnsafePath, "x/../../", "'..'"},
		{"backslash", makeTar(t, file(`..\0_a_1.pb`, task)), bundle.ErrUnsafePath, `..\0_a_1.pb`, "backslash"},
		{"file named .", makeTar(t, file(".", task)), bundle.ErrUnsafePath, ".", "empty path"},
		{"symlink", makeTar(t, entry{name: "0_a_1.pb", typ: tar.TypeSymlink, linkname: "/etc/passwd"}), bundle.ErrUnsupportedEntry, "0_a_1.pb", "symbolic link"},
		{"hardlink", makeTar(t, entry{name: "0_a_1.pb", typ: tar.TypeLink, linkname: "x"}), bundle.ErrUnsupportedEntry, "0_a_1.pb", "hard link"},
		{"char device", makeTar(t, entry{name: "null", typ: tar.TypeChar}), bundle.ErrUnsupportedEntry, "null", "character device"},
		{"fifo", makeTar(t, entry{name: "p", typ: tar.TypeFifo}), bundle.ErrUnsupportedEntry, "p", "FIFO"},
		{"duplicate", makeTar(t, file("0_a_1.pb", task), file("./0_a_1.pb", task)), bundle.ErrDuplicateEntry, "./0_a_1.pb", `same path as member "0_a_1.pb"`},
		{"duplicate after cleaning", makeTar(t, file("a/./0_a_1.pb", task), file("a//0_a_1.pb", task)), bundle.ErrDuplicateEntry, "a//0_a_1.pb", `same path as member "a/./0_a_1.pb"`},
		{"duplicate junk", makeTar(t, file("x/.DS_Store", nil), file("./x/.DS_Store", nil)), bundle.ErrDuplicateEntry, "./x/.DS_Store", ""},
		{"undecodable task", makeTar(t, file("0_a_1.pb", []byte{0xff, 0xff})), bundle.ErrDecode, "0_a_1.pb", "admin.TaskSpec"},
		{"empty task file", makeTar(t, file("0_a_1.pb", nil)), bundle.ErrDecode, "0_a_1.pb", "no template"},
		{"task without id", makeTar(t, file("0_a_1.pb", specBytes(t, &admin.TaskSpec{Template: &core.TaskTemplate{Type: "dask"}}))), bundle.ErrDecode, "0_a_1.pb", "no id"},
		{"other files", makeTar(t, file("0_a_1.pb", task), file("README.md", nil), file("x/manifest.json", nil)), bundle.ErrInvalidFile, "",
			`"README.md", "x/manifest.json"; flytectl only accepts`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := bundle.Read(bytes.NewReader(tc.data))
			require.Error(t, err)
			assert.Nil(t, b)
			assert.ErrorIs(t, err, tc.sentinel)
			var ee *bundle.EntryError
			if tc.member != "" {
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, tc.member, ee.Path)
			} else {
				assert.False(t, errors.As(err, &ee), "no member expected, got %v", err)
			}
			assert.Contains(t, err.Error(), tc.message)
			assert.True(t, strings.HasPrefix(err.Error(), "bundle: read archive: "), err.Error())
		})
	}
}

func TestReadUnknownFilesSkipped(t *testing.T) {
	data := makeTar(t, file("0_a_1.pb", specBytes(t, daskSpec("a", 1))), file("README.md", []byte("hi")))
	b, err := bundle.Read(bytes.NewReader(data), bundle.WithUnknownFilesSkipped())
	require.NoError(t, err)
	assert.Len(t, b.Tasks, 1)
	require.Len(t, b.Skipped, 1)
	assert.Equal(t, bundle.KindOther, b.Skipped[0].Kind)
	assert.Equal(t, "README.md", b.Skipped[0].Path)
}

func TestReadRootEntries(t *testing.T) {
	task := specBytes(t, daskSpec("a", 1))
	for _, root := range []string{"/", "./", ".", "//"} {
		b, err := bundle.Read(bytes.NewReader(makeTar(t, dir(root), file("0_a_1.pb", task))))
		require.NoError(t, err, root)
		assert.Len(t, b.Tasks, 1, root)
	}
}

// countReader counts the compressed bytes a reader consumed.
type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReadLimits(t *testing.T) {
	task := specBytes(t, daskSpec("a", 1))

	t.Run("member over MaxFileSize", func(t *testing.T) {
		data := makeTar(t, file("0_a_1.pb", task))
		_, err := bundle.Read(bytes.NewReader(data), bundle.WithLimits(bundle.Limits{MaxFileSize: int64(len(task) - 1)}))
		require.ErrorIs(t, err, bundle.ErrTooLarge)
		var ee *bundle.EntryError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, "0_a_1.pb", ee.Path)
		assert.ErrorContains(t, err, "Limits.MaxFileSize")
		// Exactly at the limit is fine.
		_, err = bundle.Read(bytes.NewReader(data), bundle.WithLimits(bundle.Limits{MaxFileSize: int64(len(task))}))
		require.NoError(t, err)
	})

	t.Run("too many entries", func(t *testing.T) {
		var es []entry
		for i := 0; i < 11; i++ {
			es = append(es, dir(fmt.Sprintf("d%d/", i)))
		}
		_, err := bundle.Read(bytes.NewReader(makeTar(t, es...)), bundle.WithLimits(bundle.Limits{MaxEntries: 10}))
		require.ErrorIs(t, err, bundle.ErrTooManyEntries)
		_, err = bundle.Read(bytes.NewReader(makeTar(t, es[:10]...)), bundle.WithLimits(bundle.Limits{MaxEntries: 10}))
		require.NoError(t, err)
	})

	t.Run("declared 1 GiB member, default limits", func(t *testing.T) {
		// Only the header and a little data exist: the reader must refuse on the declared size
		// (ErrTooLarge), not try to read it (which would end in ErrCorrupt).
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "0_a_1.pb", Typeflag: tar.TypeReg, Size: 1 << 30, Mode: 0o644}))
		_, _ = tw.Write(make([]byte, 4096))
		_, err := bundle.Read(bytes.NewReader(buf.Bytes()))
		require.ErrorIs(t, err, bundle.ErrTooLarge)
		_, err = bundle.Read(bytes.NewReader(buf.Bytes()), bundle.WithLimits(bundle.Limits{MaxTotalSize: -1}))
		require.ErrorIs(t, err, bundle.ErrTooLarge, "MaxFileSize still applies")
		assert.ErrorContains(t, err, "Limits.MaxFileSize")
	})

	// A gzip bomb: 64 MiB of zeros compress to ~64 KiB. With a 1 MiB total limit the reader must
	// stop after decompressing about 1 MiB, long before the end of the compressed input.
	bomb := func(t *testing.T, honestHeader bool) []byte {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		require.NoError(t, err)
		tw := tar.NewWriter(zw)
		const size = 64 << 20
		if honestHeader {
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: "fastbomb.tar.gz", Typeflag: tar.TypeReg, Size: size, Mode: 0o644}))
		} else {
			// A valid small archive whose gzip stream continues with zeros after the tar end.
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: "0_a_1.pb", Typeflag: tar.TypeReg, Size: int64(len(task)), Mode: 0o644}))
			_, err = tw.Write(task)
			require.NoError(t, err)
			require.NoError(t, tw.Close())
		}
		zeros := make([]byte, 1<<20)
		for written := 0; written < size; written += len(zeros) {
			if honestHeader {
				_, err = tw.Write(zeros)
			} else {
				_, err = zw.Write(zeros)
			}
			require.NoError(t, err)
		}
		if honestHeader {
			require.NoError(t, tw.Close())
		}
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
	for _, honest := range []bool{true, false} {
		t.Run(fmt.Sprintf("gzip bomb honest header=%v", honest), func(t *testing.T) {
			data := bomb(t, honest)
			cr := &countReader{r: bytes.NewReader(data)}
			_, err := bundle.Read(cr, bundle.WithLimits(bundle.Limits{MaxTotalSize: 1 << 20}))
			require.ErrorIs(t, err, bundle.ErrTooLarge)
			assert.ErrorContains(t, err, "Limits.MaxTotalSize")
			assert.Less(t, cr.n, len(data)/4, "read %d of %d compressed bytes", cr.n, len(data))
		})
	}

	t.Run("total size counted across members", func(t *testing.T) {
		var es []entry
		for i := 0; i < 20; i++ {
			es = append(es, file(fmt.Sprintf("%02d_t%d_1.pb", i, i), specBytes(t, daskSpec(fmt.Sprintf("t%d", i), 1))))
		}
		data := makeTar(t, es...)
		_, err := bundle.Read(bytes.NewReader(data), bundle.WithLimits(bundle.Limits{MaxTotalSize: int64(len(data) / 2)}))
		require.ErrorIs(t, err, bundle.ErrTooLarge)
		b, err := bundle.Read(bytes.NewReader(data), bundle.WithLimits(bundle.Limits{MaxTotalSize: int64(len(data))}))
		require.NoError(t, err)
		assert.Len(t, b.Tasks, 20)
	})
}

func TestReadCorruptChecksum(t *testing.T) {
	data := gz(t, makeTar(t, file("0_a_1.pb", specBytes(t, daskSpec("a", 1)))))
	bad := bytes.Clone(data)
	bad[len(bad)-8] ^= 0xff // CRC-32 in the gzip trailer
	_, err := bundle.Read(bytes.NewReader(bad))
	require.ErrorIs(t, err, bundle.ErrCorrupt)
	require.ErrorIs(t, err, gzip.ErrChecksum)
}

func TestReadDirectory(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	write("out/1_b_1.pb", specBytes(t, daskSpec("b", 1)))
	write("out/0_a_1.pb", specBytes(t, daskSpec("a", 1)))
	write("out/2_wf_2.pb", specBytes(t, &admin.WorkflowSpec{Template: &core.WorkflowTemplate{Id: &core.Identifier{Name: "wf"}}}))
	write("out/.DS_Store", nil)
	write("README.md", []byte("notes"))
	write(".git/objects/0_x_1.pb", []byte{0xff}) // not descended into
	write("fastabc.tar.gz", nil)

	b, err := bundle.ReadFile(root)
	require.NoError(t, err)
	require.Len(t, b.Tasks, 2)
	assert.Equal(t, "out/0_a_1.pb", b.Tasks[0].Path)
	assert.Equal(t, "out/1_b_1.pb", b.Tasks[1].Path)
	got := map[string]bundle.Kind{}
	for _, s := range b.Skipped {
		got[s.Path] = s.Kind
	}
	assert.Equal(t, map[string]bundle.Kind{
		".git/":          bundle.KindJunk,
		"README.md":      bundle.KindOther,
		"fastabc.tar.gz": bundle.KindFastSource,
		"out/.DS_Store":  bundle.KindJunk,
	}, got)
	require.Len(t, b.Workflows, 1)
	assert.Equal(t, "out/2_wf_2.pb", b.Workflows[0].Path)

	// A symlinked root is followed.
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(filepath.Join(root, "out"), link))
	b, err = bundle.ReadFile(link)
	require.NoError(t, err)
	assert.Len(t, b.Tasks, 2)

	// Limits apply.
	_, err = bundle.ReadFile(root, bundle.WithLimits(bundle.Limits{MaxFileSize: 10}))
	require.ErrorIs(t, err, bundle.ErrTooLarge)
	var ee *bundle.EntryError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "out/0_a_1.pb", ee.Path)
	_, err = bundle.ReadFile(root, bundle.WithLimits(bundle.Limits{MaxEntries: 3}))
	require.ErrorIs(t, err, bundle.ErrTooManyEntries)
	_, err = bundle.ReadFile(root, bundle.WithLimits(bundle.Limits{MaxTotalSize: 100}))
	require.ErrorIs(t, err, bundle.ErrTooLarge)

	// A broken task file names the file.
	write("out/3_c_1.pb", []byte{0xff, 0xff})
	_, err = bundle.ReadFile(root)
	require.ErrorIs(t, err, bundle.ErrDecode)
	assert.ErrorContains(t, err, "out/3_c_1.pb")
	require.NoError(t, os.Remove(filepath.Join(root, "out/3_c_1.pb")))

	// Symlinks inside are refused.
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(root, "out", "9_p_1.pb")))
	_, err = bundle.ReadFile(root)
	require.ErrorIs(t, err, bundle.ErrUnsupportedEntry)
	assert.ErrorContains(t, err, "symbolic link")
}

func TestReadFileMissing(t *testing.T) {
	_, err := bundle.ReadFile(filepath.Join(t.TempDir(), "nope.tgz"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// failingReader returns an error after some bytes.
type failingReader struct {
	data []byte
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errors.New("connection reset")
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadReaderError(t *testing.T) {
	data := gz(t, makeTar(t, file("0_a_1.pb", specBytes(t, daskSpec("a", 1)))))
	_, err := bundle.Read(&failingReader{data: data[:len(data)/2]})
	require.Error(t, err)
	assert.ErrorContains(t, err, "connection reset")
	_, err = bundle.Read(&failingReader{})
	assert.ErrorContains(t, err, "connection reset")
}

// flytectl sorts tempDir + "/" + member name (not cleaned), so a "./" prefix sorts first.
func TestReadOrderUsesMemberNamesAsStored(t *testing.T) {
	data := makeTar(t, file("a_1.pb", specBytes(t, daskSpec("a", 1))), file("./b_1.pb", specBytes(t, daskSpec("b", 1))))
	b, err := bundle.Read(bytes.NewReader(data))
	require.NoError(t, err)
	require.Len(t, b.Tasks, 2)
	assert.Equal(t, []string{"b_1.pb", "a_1.pb"}, []string{b.Tasks[0].Path, b.Tasks[1].Path})
}

// A gzip file may hold several members (e.g. `cat a.gz b.gz`); they form one stream, as for gzip -d
// and flytectl's gzip.Reader, even when a member boundary falls inside a tar header.
func TestReadMultiMemberGzip(t *testing.T) {
	plain := makeTar(t, file("0_a_1.pb", specBytes(t, daskSpec("a", 1))), file("1_b_1.pb", specBytes(t, daskSpec("b", 1))))
	var multi []byte
	for _, part := range [][]byte{plain[:100], plain[100:700], plain[700:]} {
		multi = append(multi, gz(t, part)...)
	}
	b, err := bundle.Read(bytes.NewReader(multi))
	require.NoError(t, err)
	require.Len(t, b.Tasks, 2)
	assert.Equal(t, "a", b.Tasks[0].Name())
	assert.Equal(t, "b", b.Tasks[1].Name())

	// A damaged later member is still caught.
	bad := append([]byte(nil), multi...)
	bad[len(bad)-5] ^= 0xff // CRC of the last member
	_, err = bundle.Read(bytes.NewReader(bad))
	require.ErrorIs(t, err, bundle.ErrCorrupt)
}

// Long (PAX) and non-ASCII member paths are read like any other.
func TestReadLongUnicodePaths(t *testing.T) {
	dir := strings.Repeat("répertoire-données/", 12) // > 255 bytes: needs a PAX path record
	data := makeTar(t, file(dir+"0_tâche.ünï_1.pb", specBytes(t, daskSpec("tâche.ünï", 1))))
	for _, in := range [][]byte{data, gz(t, data)} {
		b, err := bundle.Read(bytes.NewReader(in))
		require.NoError(t, err)
		require.Len(t, b.Tasks, 1)
		assert.Equal(t, dir+"0_tâche.ünï_1.pb", b.Tasks[0].Path)
		assert.Equal(t, "tâche.ünï", b.Tasks[0].Name())
	}
}
