package backendcheck_test

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"

	"github.com/flytedask/flytedask/internal/backendcheck"
)

// maxEntrySize bounds a single archive entry read into memory.
const maxEntrySize = 64 << 20

// bundleTask is one task file of a registration bundle.
type bundleTask struct {
	Name string // entry name inside the archive
	Spec *admin.TaskSpec
}

// readBundleTasks reads every "*_1.pb" entry (flytectl's naming for tasks) of a .tgz/.tar.gz/.tar bundle as an
// admin.TaskSpec. Compression is detected from the content, not the file name. macOS "._*" AppleDouble entries
// are skipped. To be replaced by the main module's bundle reader once the two modules are joined.
func readBundleTasks(file string) ([]bundleTask, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", file, err)
		}
		defer gz.Close()
		r = gz
	}

	var tasks []bundleTask
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: tar: %w", file, err)
		}
		base := path.Base(hdr.Name)
		if hdr.Typeflag != tar.TypeReg || !strings.HasSuffix(base, "_1.pb") || strings.HasPrefix(base, "._") {
			continue
		}
		if hdr.Size > maxEntrySize {
			return nil, fmt.Errorf("%s: %s: entry too large (%d bytes)", file, hdr.Name, hdr.Size)
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxEntrySize))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, hdr.Name, err)
		}
		spec := &admin.TaskSpec{}
		if err := proto.Unmarshal(data, protoadapt.MessageV2Of(spec)); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, hdr.Name, err)
		}
		tasks = append(tasks, bundleTask{Name: hdr.Name, Spec: spec})
	}
	return tasks, nil
}

// projectBundles lists the bundles the main project produces for verification: every *.tgz, *.tar.gz and
// *.tar under <repoRoot>/testdata/bundles/ and <repoRoot>/examples/*/testdata/, sorted.
func projectBundles(t *testing.T, repoRoot string) []string {
	t.Helper()
	roots := []string{filepath.Join(repoRoot, "testdata", "bundles")}
	exampleDirs, err := filepath.Glob(filepath.Join(repoRoot, "examples", "*", "testdata"))
	require.NoError(t, err)
	roots = append(roots, exampleDirs...)

	var files []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.IsDir() && isBundleName(d.Name()) {
				files = append(files, p)
			}
			return nil
		})
		require.NoError(t, err)
	}
	sort.Strings(files)
	return files
}

func isBundleName(name string) bool {
	return strings.HasSuffix(name, ".tgz") || strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tar")
}

// TestProjectBundles runs FlyteAdmin's compile step on every task of every bundle the project produced, and the
// real Dask plugin on every Dask task, expecting no error, no panic and a complete 3-pod DaskJob.
func TestProjectBundles(t *testing.T) {
	bundles := projectBundles(t, filepath.Join("..", ".."))
	if len(bundles) == 0 {
		t.Skip("no bundles under ../../testdata/bundles/ or ../../examples/*/testdata/ yet")
	}
	checkBundles(t, filepath.Join("..", ".."), bundles)
}

// checkBundles runs checkBundleTask on every task of every bundle, one subtest per bundle named by its path
// relative to repoRoot.
func checkBundles(t *testing.T, repoRoot string, bundles []string) {
	for _, b := range bundles {
		name, err := filepath.Rel(repoRoot, b)
		require.NoError(t, err)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			tasks, err := readBundleTasks(b)
			require.NoError(t, err)
			require.NotEmpty(t, tasks, "bundle has no *_1.pb task files")
			dask := 0
			for _, task := range tasks {
				if task.Spec.GetTemplate().GetType() == backendcheck.DaskPluginID {
					dask++
				}
				t.Run(task.Name, func(t *testing.T) { checkBundleTask(t, task) })
			}
			assert.Positive(t, dask, "a flytedask bundle must hold at least one Dask task")
		})
	}
}

func checkBundleTask(t *testing.T, task bundleTask) {
	tmpl := task.Spec.GetTemplate()
	require.NotNil(t, tmpl, "TaskSpec without template")
	require.NoError(t, backendcheck.Compile(tmpl))
	if tmpl.GetType() != backendcheck.DaskPluginID {
		return
	}

	job, err := backendcheck.Build(context.Background(), tmpl, backendcheck.Options{})
	require.NoError(t, err)
	s, err := backendcheck.Summarize(job)
	require.NoError(t, err, "all three pods must carry their primary container")

	custom := tmpl.GetCustom().AsMap()
	scheduler, _ := custom["scheduler"].(map[string]any)
	workers, _ := custom["workers"].(map[string]any)
	require.NotNil(t, scheduler, "custom.scheduler")
	require.NotNil(t, workers, "custom.workers")
	n, ok := workers["numberOfWorkers"].(float64)
	require.True(t, ok, "custom.workers.numberOfWorkers must be a JSON number")

	assert.Equal(t, backendcheck.JobRunnerContainer, s.Job.ContainerName)
	assert.Equal(t, backendcheck.SchedulerContainer, s.Scheduler.ContainerName)
	assert.Equal(t, backendcheck.WorkerContainer, s.Workers.ContainerName)
	assert.Equal(t, 1, s.Job.Replicas)
	assert.Equal(t, 1, s.Scheduler.Replicas)
	assert.Equal(t, int(n), s.Workers.Replicas)

	if c := tmpl.GetContainer(); c != nil {
		assert.Equal(t, c.GetImage(), s.Job.Image)
	}
	assert.Equal(t, imageOr(scheduler, s.Job.Image), s.Scheduler.Image)
	assert.Equal(t, imageOr(workers, s.Job.Image), s.Workers.Image)
	assert.Equal(t, []string{"dask-scheduler"}, s.Scheduler.Args)
	// The plugin replaces args only: a task with a raw command passes that command on to the scheduler and
	// the workers (so they run "<command> dask-scheduler"). flytekit always sends command=[].
	assert.Equal(t, s.Job.Command, s.Scheduler.Command)
	assert.Equal(t, s.Job.Command, s.Workers.Command)
	require.GreaterOrEqual(t, len(s.Workers.Args), 3)
	assert.Equal(t, []string{"dask-worker", "--name", "$(DASK_WORKER_NAME)"}, s.Workers.Args[:3])
}

func imageOr(m map[string]any, fallback string) string {
	if img, _ := m["image"].(string); img != "" {
		return img
	}
	return fallback
}

// TestReadBundleTasksOnPyflyteBundles checks the bundle reader above on the real pyflyte bundles of
// ../../testdata/pyflyte (no Dask task among them), and runs FlyteAdmin's compile step on all their tasks.
func TestReadBundleTasksOnPyflyteBundles(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "pyflyte")
	tests := []struct {
		file      string
		wantTasks int
		wantErr   bool
	}{
		{file: "flyte-package.tgz", wantTasks: 1},
		{file: "valid-register.tgz", wantTasks: 2},
		{file: "flytesnacks-core.tgz", wantTasks: 39},
		{file: "valid-fast-register.tgz", wantTasks: 44},
		{file: "valid-parent-folder-register.tar", wantTasks: 2},
		{file: "invalid.tgz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			if _, err := os.Stat(p); err != nil {
				t.Skipf("test bundle missing: %v", err)
			}
			tasks, err := readBundleTasks(p)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Len(t, tasks, tc.wantTasks)
			for _, task := range tasks {
				require.NotNil(t, task.Spec.GetTemplate(), task.Name)
				assert.NotEqual(t, backendcheck.DaskPluginID, task.Spec.GetTemplate().GetType(), task.Name)
				assert.NoError(t, backendcheck.Compile(task.Spec.GetTemplate()), task.Name)
			}
		})
	}
}

// TestBundleCheckOnSyntheticBundles runs the bundle discovery and checks of TestProjectBundles on bundles
// written here, laid out the way the project will lay them out, so that the code path is exercised before
// the project produces bundles of its own.
func TestBundleCheckOnSyntheticBundles(t *testing.T) {
	root := t.TempDir()
	spec := &admin.TaskSpec{Template: flytekitTemplate(t, customFull)}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(protoadapt.MessageV2Of(spec))
	require.NoError(t, err)
	entries := map[string][]byte{
		"00_workflows.dask_wf.hello_dask_1.pb":   data,
		"01_workflows.dask_wf.wf_2.pb":           []byte("not a task; must be ignored"),
		"._00_workflows.dask_wf.hello_dask_1.pb": []byte("AppleDouble junk; must be ignored"),
	}
	writeBundle(t, filepath.Join(root, "testdata", "bundles", "dask.tgz"), entries, true)
	writeBundle(t, filepath.Join(root, "examples", "hello", "testdata", "hello.tar"), entries, false)
	require.NoError(t, os.WriteFile(filepath.Join(root, "testdata", "bundles", "README.md"), []byte("x"), 0o644))

	bundles := projectBundles(t, root)
	require.Equal(t, []string{
		filepath.Join(root, "examples", "hello", "testdata", "hello.tar"),
		filepath.Join(root, "testdata", "bundles", "dask.tgz"),
	}, bundles)
	for _, b := range bundles {
		tasks, err := readBundleTasks(b)
		require.NoError(t, err)
		require.Len(t, tasks, 1)
		assert.Equal(t, "00_workflows.dask_wf.hello_dask_1.pb", tasks[0].Name)
	}
	checkBundles(t, root, bundles)
}

func writeBundle(t *testing.T, file string, entries map[string][]byte, gz bool) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
	f, err := os.Create(file)
	require.NoError(t, err)
	defer f.Close()
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(f)
		w = zw
	}
	tw := tar.NewWriter(w)
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(entries[name])), Typeflag: tar.TypeReg}))
		_, err := tw.Write(entries[name])
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	if zw != nil {
		require.NoError(t, zw.Close())
	}
}
