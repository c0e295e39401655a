package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/spec"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// flytedask is the command, run in-process through Main.
		"flytedask": func() {
			os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
		// flytedask-exit CODE ARGS... runs flytedask ARGS... and succeeds
		// only when its exit code is CODE, so scripts can tell 1 from 2.
		"flytedask-exit": func() {
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "flytedask-exit: first argument must be the expected exit code")
				os.Exit(100)
			}
			if got := Main(context.Background(), os.Args[2:], os.Stdin, os.Stdout, os.Stderr); got != want {
				fmt.Fprintf(os.Stderr, "flytedask-exit: exit code %d, want %d\n", got, want)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

// TestScripts runs testdata/script/*.txtar: each runs flytedask on spec
// files and compares stdout, stderr, exit code and the files produced.
// Run with -update to rewrite the expected output in the scripts.
func TestScripts(t *testing.T) {
	pyflyte, err := filepath.Abs("../../testdata/pyflyte")
	require.NoError(t, err)
	example, err := filepath.Abs("../../examples/specs/hello_dask.yaml")
	require.NoError(t, err)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PYFLYTE", pyflyte)
			env.Setenv("EXAMPLE", example)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// ls DIR: print the sorted names in DIR (hidden ones too), one
			// per line, to check nothing stray (temporary files) is left.
			"ls": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: ls DIR")
				}
				entries, err := os.ReadDir(ts.MkAbs(args[0]))
				ts.Check(err)
				names := make([]string, len(entries))
				for i, e := range entries {
					names[i] = e.Name()
				}
				sort.Strings(names)
				for _, n := range names {
					fmt.Fprintln(ts.Stdout(), n)
				}
			},
			// bundle-tasks BUNDLE: decode BUNDLE with the bundle reader
			// and print "PATH NAME VERSION" per task.
			"bundle-tasks": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: bundle-tasks BUNDLE")
				}
				b, err := bundle.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				for _, tk := range b.Tasks {
					id := tk.Spec.GetTemplate().GetId()
					fmt.Fprintf(ts.Stdout(), "%s %s %s/%s/%s\n", tk.Path, tk.Name(), id.GetProject(), id.GetDomain(), id.GetVersion())
				}
			},
		},
	})
}

// TestPackageMatchesBuild checks that the bundle package writes decodes to
// exactly the TaskSpecs the spec package builds, in order, with the
// registration placeholders in their ids.
func TestPackageMatchesBuild(t *testing.T) {
	const specFile = "../../examples/specs/hello_dask.yaml"
	for _, out := range []string{"b.tgz", "b.tar", "dir", "-"} {
		t.Run(out, func(t *testing.T) {
			dir := t.TempDir()
			target := out
			if out != "-" {
				target = filepath.Join(dir, out)
			}
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{"package", "-f", specFile, "-o", target}, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, ExitOK, code, stderr.String())

			var got *bundle.Bundle
			var err error
			if out == "-" {
				got, err = bundle.Read(bytes.NewReader(stdout.Bytes()))
				assert.Regexp(t, `^wrote 2 tasks to stdout sha256:[0-9a-f]{64}\n$`, stderr.String())
			} else {
				got, err = bundle.ReadFile(target)
				assert.Regexp(t, `^wrote 2 tasks to `+regexpQuote(target)+` sha256:[0-9a-f]{64}\n$`, stdout.String())
				assert.Empty(t, stderr.String())
			}
			require.NoError(t, err)

			s, err := spec.ReadFiles(spec.Options{}, specFile)
			require.NoError(t, err)
			want, err := s.Build()
			require.NoError(t, err)
			require.Len(t, got.Tasks, len(want))
			for i := range want {
				// The ids leave project, domain and version empty, as pyflyte package writes them.
				id := want[i].Template.Id
				id.Project, id.Domain, id.Version = "", "", ""
				assert.Equal(t, bundle.FileName(i, len(want), s.Tasks[i].Name), got.Tasks[i].Path)
				assert.True(t, proto.Equal(want[i], got.Tasks[i].Spec), "task %d differs", i)
			}
			assert.Empty(t, got.Skipped)
		})
	}
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestBinary builds the real flytedask binary and runs it: exit codes and
// streams must be those of Main.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "flytedask")
	build := exec.Command("go", "build", "-o", bin, "github.com/flytedask/flytedask/cmd/flytedask")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	example, err := filepath.Abs("../../examples/specs/hello_dask.yaml")
	require.NoError(t, err)
	run := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return code, stdout.String(), stderr.String()
	}

	code, stdout, stderr := run("package", "-f", example)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^wrote 2 tasks to flyte-package.tgz sha256:[0-9a-f]{64}\n$`, stdout)
	b, err := bundle.ReadFile(filepath.Join(dir, bundle.DefaultArchiveName))
	require.NoError(t, err)
	assert.Len(t, b.Tasks, 2)

	code, _, stderr = run("validate", "-f", filepath.Join(dir, "missing.yaml"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "missing.yaml")

	code, _, stderr = run("validate")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `required flag(s) "file" not set`)

	code, stdout, _ = run("version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^flytedask \d+\.\d+\.\d+ \(go`, stdout)
}

// TestInspectControlCharacters checks that bundle paths and task names
// holding newlines (or other control characters) cannot break or forge
// the one-line-per-item output of inspect and register --dry-run.
func TestInspectControlCharacters(t *testing.T) {
	s, err := spec.ReadFiles(spec.Options{}, "../../examples/specs/hello_dask.yaml")
	require.NoError(t, err)
	specs, err := s.Build()
	require.NoError(t, err)
	specs[0].Template.Id.Name = "evil\nregistered other: Created"
	data, err := proto.Marshal(specs[0])
	require.NoError(t, err)
	wf, err := proto.Marshal(&admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:    &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "wf\nregistered forged: Created"},
		Nodes: []*core.Node{{Id: "n0"}},
	}})
	require.NoError(t, err)

	var archive bytes.Buffer
	zw := gzip.NewWriter(&archive)
	tw := tar.NewWriter(zw)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"0_task\x1b[2K_1.pb", data},
		{"wf\nskipped forged.pb: fine_2.pb", wf},
	} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(f.data)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())

	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"inspect", "-"}, bytes.NewReader(archive.Bytes()), &stdout, &stderr)
	require.Equal(t, ExitOK, code, stderr.String())
	assert.Empty(t, stderr.String())
	assert.Contains(t, stdout.String(), `"name": "wf\nregistered forged: Created"`)

	stdout.Reset()
	stderr.Reset()
	code = Main(context.Background(), []string{"register", "-", "--dry-run", "--project", "p", "--domain", "d", "--version", "v1"}, bytes.NewReader(archive.Bytes()), &stdout, &stderr)
	require.Equal(t, ExitFailure, code, stderr.String()) // the name is not a valid task name
	assert.Contains(t, stdout.String(), "\n"+`task      "evil\nregistered other: Created"  v1  `)
	assert.Contains(t, stdout.String(), "\n"+`workflow  "wf\nregistered forged: Created"`)
	assert.NotContains(t, stdout.String(), "\nregistered other")
	assert.NotContains(t, stdout.String(), "\nregistered forged")
}
