package backendcases

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// The synthetic template is flytekit's serialisation of a Dask task (dask-spec.md §3.1–3.3). internal/backendcheck
// builds the same template with the legacy IDL (its flytekitTemplate) and checks that the bytes recorded here
// decode to exactly that, so the two definitions cannot drift apart.
const (
	// taskImage is the task (container) image.
	taskImage = "ghcr.io/flytedask/example:v1"
	// customFull is flytekit's full DaskJob example: cpu only, requests below limits.
	customFull = `{"scheduler": {"image": "scheduler:latest", "resources": {"requests": [{"name": "CPU", "value": "1"}], "limits": [{"name": "CPU", "value": "2"}]}}, "workers": {"numberOfWorkers": 123, "image": "dask_cluster:latest", "resources": {"requests": [{"name": "CPU", "value": "3"}], "limits": [{"name": "CPU", "value": "4"}]}}}`
)

// pyflyteArgs is what flytekit emits as container args for a task (dask-spec.md §3.3), for module
// "workflows.dask_wf" and function "hello_dask".
var pyflyteArgs = []string{
	"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
	"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
	"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--resolver",
	"flytekit.core.python_auto_container.default_task_resolver", "--", "task-module", "workflows.dask_wf",
	"task-name", "hello_dask",
}

// flytekitTemplate builds a TaskTemplate shaped like flytekit's serialisation of a Dask task with the given
// custom JSON (parsed into a Struct as flytekit's json_format.Parse does).
func flytekitTemplate(t *testing.T, customJSON string) *core.TaskTemplate {
	t.Helper()
	custom := &structpb.Struct{}
	require.NoError(t, protojson.Unmarshal([]byte(customJSON), custom))
	intType := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	return &core.TaskTemplate{
		Id: &core.Identifier{
			ResourceType: core.ResourceType_TASK,
			Project:      "flytesnacks",
			Domain:       "development",
			Name:         "workflows.dask_wf.hello_dask",
			Version:      "v1",
		},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "1.16.24", Flavor: "python"},
			Retries: &core.RetryStrategy{},
		},
		Interface: &core.TypedInterface{
			Inputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"size": {Type: intType, Description: "size"},
			}},
			Outputs: &core.VariableMap{Variables: map[string]*core.Variable{
				"o0": {Type: intType, Description: "o0"},
			}},
		},
		Custom: custom,
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image:     taskImage,
			Command:   []string{},
			Args:      pyflyteArgs,
			Resources: &core.Resources{},
		}},
	}
}

// mustTaskSpec encodes tmpl as the admin.TaskSpec of a "*_1.pb" bundle entry.
func mustTaskSpec(t *testing.T, tmpl *core.TaskTemplate) []byte {
	t.Helper()
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(&admin.TaskSpec{Template: tmpl})
	require.NoError(t, err)
	return data
}

// mustWorkflowSpec is a minimal workflow file (bundle.Read decodes *_2.pb files).
func mustWorkflowSpec(t *testing.T, name string) []byte {
	t.Helper()
	data, err := proto.Marshal(&admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id: &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: name},
	}})
	require.NoError(t, err)
	return data
}

// syntheticBundles writes, under root, a gzipped bundle in testdata/bundles/ and a plain tar in
// examples/hello/testdata/, each with the interruptible flytekit full example, a non-task entry and AppleDouble
// junk, plus a README that is not a bundle. It returns projectBundles(root).
func syntheticBundles(t *testing.T, root string) []string {
	t.Helper()
	tmpl := flytekitTemplate(t, customFull)
	tmpl.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: true} // the examples are not
	entries := map[string][]byte{
		"00_workflows.dask_wf.hello_dask_1.pb":   mustTaskSpec(t, tmpl),
		"01_workflows.dask_wf.wf_2.pb":           mustWorkflowSpec(t, "workflows.dask_wf.wf"), // not a task; ignored
		"._00_workflows.dask_wf.hello_dask_1.pb": []byte("AppleDouble junk; must be ignored"),
	}
	writeBundle(t, filepath.Join(root, "testdata", "bundles", "dask.tgz"), entries, true)
	writeBundle(t, filepath.Join(root, "examples", "hello", "testdata", "hello.tar"), entries, false)
	require.NoError(t, os.WriteFile(filepath.Join(root, "testdata", "bundles", "README.md"), []byte("x"), 0o644))
	return projectBundles(t, root)
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

// TestSyntheticBundles checks bundle discovery (both roots, both archive kinds, README ignored) and that the
// reader keeps only the task entry of each synthetic bundle, with every platform explained.
func TestSyntheticBundles(t *testing.T) {
	root := t.TempDir()
	bundles := syntheticBundles(t, root)
	require.Equal(t, []string{
		filepath.Join(root, "examples", "hello", "testdata", "hello.tar"),
		filepath.Join(root, "testdata", "bundles", "dask.tgz"),
	}, bundles)
	cases := readBundles(t, root, bundles, false)
	require.Len(t, cases, 2)
	assert.Equal(t, "examples/hello/testdata/hello.tar", cases[0].Path)
	assert.Equal(t, "testdata/bundles/dask.tgz", cases[1].Path)
	for _, bc := range cases {
		require.Len(t, bc.Tasks, 1, bc.Path)
		tc := bc.Tasks[0]
		assert.Equal(t, "00_workflows.dask_wf.hello_dask_1.pb", tc.Path)
		assert.Equal(t, "workflows.dask_wf.hello_dask", tc.Name)
		assert.Equal(t, "dask", tc.Type)
		assert.Empty(t, tc.ValidateSpecErr)
		require.Len(t, tc.Explain, len(checkPlatforms))
		for i, ec := range tc.Explain {
			assert.Equal(t, checkPlatforms[i].Name, ec.Platform)
			assert.Empty(t, ec.Err)
			require.Len(t, ec.Pods, 3)
			assert.True(t, ec.Pods[2].Interruptible, "workers of an interruptible task")
		}
	}
}

// TestCurrentCasesJSONLFormat pins the line format that explain/internal/backendverify reads.
func TestCurrentCasesJSONLFormat(t *testing.T) {
	root := t.TempDir()
	tmpl := flytekitTemplate(t, `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{}}}`) // Dask()
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(tmpl)
	require.NoError(t, err)
	file := filepath.Join(root, "examples", "x", "testdata", "x.tgz")
	writeBundle(t, file, map[string][]byte{"00_t_1.pb": mustTaskSpec(t, tmpl)}, true)

	lines := bytes.Split(bytes.TrimSuffix(currentCasesJSONL(t, root, []string{file}), []byte("\n")), []byte("\n"))
	require.Len(t, lines, len(checkPlatforms))
	var c map[string]any
	require.NoError(t, json.Unmarshal(lines[0], &c))
	require.Equal(t, map[string]any{}, c["platReq"])
	require.Equal(t, map[string]any{}, c["platLim"])
	require.NoError(t, json.Unmarshal(lines[1], &c))
	require.Equal(t, "examples/x/testdata/x.tgz/00_t_1.pb/"+checkPlatforms[1].Name, c["name"])
	require.Equal(t, base64.StdEncoding.EncodeToString(data), c["template"])
	require.Equal(t, map[string]any{"cpu": "500m", "memory": "512Mi"}, c["platReq"])
	require.Equal(t, map[string]any{"cpu": "2", "memory": "4Gi"}, c["platLim"])
	pods := c["job"].(map[string]any)["pods"].([]any)
	require.Len(t, pods, 3)
	require.Equal(t, "dask-worker", pods[2].(map[string]any)["containerName"])
	require.NotContains(t, c, "err")
}

// TestLegacyCasesJSONFormat pins the keys that internal/backendcheck reads.
func TestLegacyCasesJSONFormat(t *testing.T) {
	root := t.TempDir()
	bundles := syntheticBundles(t, root)
	pyDir := filepath.Join(root, "pyflyte")
	writeBundle(t, filepath.Join(pyDir, "ok.tgz"), map[string][]byte{"00_t_1.pb": mustTaskSpec(t, flytekitTemplate(t, customFull))}, true)
	require.NoError(t, os.WriteFile(filepath.Join(pyDir, "broken.tgz"), []byte("not gzip"), 0o644))
	py := readPyflyte(t, pyDir)

	var c map[string]any
	require.NoError(t, json.Unmarshal(legacyCasesJSON(t, root, bundles[:1], nil, py), &c))
	require.ElementsMatch(t, []string{"comment", "platforms", "bundles", "synthetic", "pyflyte"}, keysOf(c))
	plats := c["platforms"].([]any)
	require.Len(t, plats, len(checkPlatforms))
	require.Equal(t, map[string]any{"name": checkPlatforms[1].Name,
		"requests": map[string]any{"cpu": "500m", "memory": "512Mi"},
		"limits":   map[string]any{"cpu": "2", "memory": "4Gi"}}, plats[1])
	bun := c["bundles"].([]any)
	require.Len(t, bun, 1)
	require.Equal(t, "examples/hello/testdata/hello.tar", bun[0].(map[string]any)["path"])
	require.Equal(t, fileSHA256(t, bundles[0]), bun[0].(map[string]any)["sha256"])
	tk := bun[0].(map[string]any)["tasks"].([]any)[0].(map[string]any)
	require.ElementsMatch(t, []string{"path", "name", "type", "template", "validateSpecErr", "explain"}, keysOf(tk))
	ex := tk["explain"].([]any)
	require.Len(t, ex, len(checkPlatforms))
	require.Equal(t, checkPlatforms[0].Name, ex[0].(map[string]any)["platform"])
	require.Len(t, ex[0].(map[string]any)["pods"], 3)

	pys := c["pyflyte"].([]any)
	require.Len(t, pys, 2)
	require.Equal(t, "broken.tgz", pys[0].(map[string]any)["file"])
	require.Equal(t, "3b8f5bf20f566bdf49deca1673231f1fee18efd371451863d186d8d2be69f5e7", pys[0].(map[string]any)["sha256"], "sha256 of \"not gzip\"")
	require.NotEmpty(t, pys[0].(map[string]any)["err"])
	require.Equal(t, "ok.tgz", pys[1].(map[string]any)["file"])
	ptk := pys[1].(map[string]any)["tasks"].([]any)[0].(map[string]any)
	require.ElementsMatch(t, []string{"path", "name", "type", "template"}, keysOf(ptk))
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
