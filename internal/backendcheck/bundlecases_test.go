package backendcheck_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/explain"
	"github.com/flytedask/flytedask/internal/backendcheck"
)

var update = flag.Bool("update", false, "rewrite "+bundleCasesFile+" from the project bundles and explain")

// bundleCasesFile holds, for every Dask task of every project bundle and every checkPlatform, the template, the
// platform and explain's pods, in the line format of explain/testdata/backend_cases.jsonl. The module
// explain/internal/backendverify runs them through the current backend's plugin (flyteplugins v1.16.8). That
// module cannot import explain itself: it links flyteidl from github.com/flyteorg/flyte/flyteidl, whose proto
// files clash with github.com/flyteorg/flyteidl v1.5.21 at init.
const bundleCasesFile = "../../explain/internal/backendverify/testdata/bundle_cases.jsonl"

// bundleCase is one line of bundleCasesFile.
type bundleCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	PlatReq  map[string]string `json:"platReq"`
	PlatLim  map[string]string `json:"platLim"`
	Job      *bundleCaseJob    `json:"job,omitempty"`
	Err      string            `json:"err,omitempty"`
}

// bundleCaseJob is the compared part of explain.Job (notes are explain's own and are left out).
type bundleCaseJob struct {
	Pods []explain.Pod `json:"pods"`
}

// bundleCasesJSONL renders bundleCasesFile's content for the given bundles, deterministically.
func bundleCasesJSONL(t *testing.T, repoRoot string, bundles []string) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, b := range bundles {
		name, err := filepath.Rel(repoRoot, b)
		require.NoError(t, err)
		bun, err := bundle.ReadFile(b)
		require.NoError(t, err)
		for _, tk := range bun.Tasks {
			tmpl := tk.Spec.GetTemplate()
			if tmpl.GetType() != backendcheck.DaskPluginID {
				continue
			}
			data, err := proto.MarshalOptions{Deterministic: true}.Marshal(protoadapt.MessageV2Of(tmpl))
			require.NoError(t, err)
			for _, p := range checkPlatforms {
				c := bundleCase{
					Name:     filepath.ToSlash(name) + "/" + tk.Path + "/" + p.name,
					Template: base64.StdEncoding.EncodeToString(data),
					PlatReq:  nonNil(p.requests),
					PlatLim:  nonNil(p.limits),
				}
				job, err := explain.Explain(tmpl, p.explain())
				if err != nil {
					c.Err = err.Error()
				} else {
					c.Job = &bundleCaseJob{Pods: job.Pods}
				}
				line, err := json.Marshal(c)
				require.NoError(t, err)
				out.Write(line)
				out.WriteByte('\n')
			}
		}
	}
	return out.Bytes()
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// TestBundleCasesFileUpToDate checks that bundleCasesFile matches the project bundles and explain's current
// answers, so that the current-backend check in explain/internal/backendverify covers every project bundle.
// Run with -update to rewrite it.
func TestBundleCasesFileUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	bundles := projectBundles(t, root)
	if len(bundles) == 0 {
		t.Skip("no project bundles yet")
	}
	want := bundleCasesJSONL(t, root, bundles)
	require.NotEmpty(t, want, "the project bundles hold no Dask task")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(bundleCasesFile), 0o755))
		require.NoError(t, os.WriteFile(bundleCasesFile, want, 0o644))
		return
	}
	got, err := os.ReadFile(bundleCasesFile)
	require.NoError(t, err, "run: cd internal/backendcheck && go test -run TestBundleCasesFileUpToDate -update")
	require.Equal(t, string(want), string(got),
		"%s is stale (bundles or explain changed); run: cd internal/backendcheck && go test -run TestBundleCasesFileUpToDate -update",
		bundleCasesFile)
}

// TestBundleCasesJSONLFormat pins the line format that explain/internal/backendverify reads.
func TestBundleCasesJSONLFormat(t *testing.T) {
	root := t.TempDir()
	spec := flytekitTemplate(t, customDefault)
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(protoadapt.MessageV2Of(spec))
	require.NoError(t, err)
	entries := map[string][]byte{"00_t_1.pb": mustTaskSpec(t, spec)}
	file := filepath.Join(root, "examples", "x", "testdata", "x.tgz")
	writeBundle(t, file, entries, true)

	lines := bytes.Split(bytes.TrimSuffix(bundleCasesJSONL(t, root, []string{file}), []byte("\n")), []byte("\n"))
	require.Len(t, lines, len(checkPlatforms))
	var c map[string]any
	require.NoError(t, json.Unmarshal(lines[1], &c))
	require.Equal(t, "examples/x/testdata/x.tgz/00_t_1.pb/"+checkPlatforms[1].name, c["name"])
	require.Equal(t, base64.StdEncoding.EncodeToString(data), c["template"])
	require.Equal(t, map[string]any{"cpu": "500m", "memory": "512Mi"}, c["platReq"])
	require.Equal(t, map[string]any{"cpu": "2", "memory": "4Gi"}, c["platLim"])
	pods := c["job"].(map[string]any)["pods"].([]any)
	require.Len(t, pods, 3)
	require.Equal(t, "dask-worker", pods[2].(map[string]any)["containerName"])
	require.NotContains(t, c, "err")
}

// mustTaskSpec encodes tmpl as the admin.TaskSpec of a "*_1.pb" bundle entry.
func mustTaskSpec(t *testing.T, tmpl *core.TaskTemplate) []byte {
	t.Helper()
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(protoadapt.MessageV2Of(&admin.TaskSpec{Template: tmpl}))
	require.NoError(t, err)
	return data
}
