package backendcases

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/explain"
	"github.com/flytedask/flytedask/task"
)

var update = flag.Bool("update", false, "rewrite "+legacyCasesFile+" and "+currentCasesFile)

// The case files, relative to this directory, and the repository root.
const (
	repoRoot = "../.."
	// legacyCasesFile is read by the module internal/backendcheck (flytepropeller v1.1.129, flyteplugins v1.1.31).
	legacyCasesFile = "../backendcheck/testdata/sdk_cases.json"
	// currentCasesFile is read by the module explain/internal/backendverify (flyteplugins v1.16.8), next to
	// explain/testdata/backend_cases.jsonl, in the same line format.
	currentCasesFile = "../../explain/internal/backendverify/testdata/bundle_cases.jsonl"
	// pyflyteDir holds real pyflyte bundles (no Dask task among them).
	pyflyteDir = "../../testdata/pyflyte"
	// daskTaskType is the TaskTemplate type of Dask tasks (the backend plugin's ID).
	daskTaskType = "dask"
	// refresh is the command that rewrites both case files.
	refresh = "go test ./internal/backendcases -update"
)

// checkPlatform is a set of platform resources under which every Dask task of every project bundle is explained
// here and built by the real plugins in the nested modules. internal/backendcheck holds the same list and
// checks that the case file agrees with it.
type checkPlatform struct {
	Name     string            `json:"name"`
	Requests map[string]string `json:"requests"` // Kubernetes resource names → quantities
	Limits   map[string]string `json:"limits"`
}

// checkPlatforms: the backend defaults (no platform resources, so the k8s plugin config's 1000m / 1024Mi
// apply), and a platform with small defaults and limits low enough to cap the examples' resources.
var checkPlatforms = []checkPlatform{
	{Name: "no-platform-resources", Requests: map[string]string{}, Limits: map[string]string{}},
	{
		Name:     "defaults-500m-512Mi-limits-2-4Gi",
		Requests: map[string]string{"cpu": "500m", "memory": "512Mi"},
		Limits:   map[string]string{"cpu": "2", "memory": "4Gi"},
	},
}

func (p checkPlatform) explain() explain.Platform {
	return explain.Platform{DefaultRequests: explainList(p.Requests), Limits: explainList(p.Limits)}
}

func explainList(m map[string]string) explain.ResourceList {
	l := explain.ResourceList{}
	for k, v := range m {
		l[k] = resource.MustParse(v)
	}
	return l
}

// legacyCases is the content of legacyCasesFile.
type legacyCases struct {
	// Comment says where the file comes from.
	Comment string `json:"comment"`
	// Platforms are checkPlatforms.
	Platforms []checkPlatform `json:"platforms"`
	// Bundles are the project bundles, sorted by path.
	Bundles []bundleCase `json:"bundles"`
	// Synthetic are bundles written by syntheticBundles in a temporary root: Dask custom resources the
	// examples do not use (flytekit's full example: cpu only, requests below limits), an interruptible task,
	// and entries the reader must skip.
	Synthetic []bundleCase `json:"synthetic"`
	// Pyflyte are the real pyflyte bundles of testdata/pyflyte, sorted by file name.
	Pyflyte []pyflyteCase `json:"pyflyte"`
}

// bundleCase is one bundle as the SDK reads it.
type bundleCase struct {
	// Path is the bundle's slash-separated path relative to the repository (or synthetic) root.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of the bundle file, so that internal/backendcheck can tell that the file is
	// the one on disk; empty for synthetic bundles (their gzip bytes depend on the Go version).
	SHA256 string `json:"sha256,omitempty"`
	// Tasks are bundle.ReadFile's tasks, in its order.
	Tasks []taskCase `json:"tasks"`
}

// taskCase is one task of a bundle.
type taskCase struct {
	// Path is bundle.Task.Path.
	Path string `json:"path"`
	// Name is bundle.Task.Name(), the template id name.
	Name string `json:"name"`
	// Type is the template type.
	Type string `json:"type"`
	// Template is the TaskTemplate, deterministic proto wire bytes, base64 (standard encoding).
	Template string `json:"template"`
	// ValidateSpecErr is task.ValidateSpec's error text for the task spec, "" when it accepts it.
	ValidateSpecErr string `json:"validateSpecErr"`
	// Explain holds, for a Dask task, explain.Explain's answer under each of Platforms, in that order.
	Explain []explainCase `json:"explain,omitempty"`
}

// explainCase is explain.Explain's answer for one task under one platform: its pods (notes are explain's
// own and left out), or its error text.
type explainCase struct {
	Platform string      `json:"platform"`
	Pods     []legacyPod `json:"pods,omitempty"`
	Err      string      `json:"err,omitempty"`
}

// legacyPod is the part of explain.Pod that internal/backendcheck compares with flyteplugins v1.1.31: all
// of it except the placement fields (node affinity, tolerations, volumes, mounts). That backend predates
// extended resources (flyteidl v1.5.21 has none), so only explain/internal/backendverify (flyteplugins
// v1.16.8, which reads bundle_cases.jsonl with the full pods) checks them.
type legacyPod struct {
	Role          string            `json:"role"`
	ContainerName string            `json:"containerName"`
	Image         string            `json:"image"`
	Command       []string          `json:"command,omitempty"`
	Args          []string          `json:"args"`
	Requests      map[string]string `json:"requests"`
	Limits        map[string]string `json:"limits"`
	Replicas      int               `json:"replicas"`
	RestartPolicy string            `json:"restartPolicy"`
	Interruptible bool              `json:"interruptible"`
	Ports         []explain.Port    `json:"ports,omitempty"`
}

func legacyPods(pods []explain.Pod) []legacyPod {
	out := make([]legacyPod, len(pods))
	for i, p := range pods {
		out[i] = legacyPod{Role: p.Role, ContainerName: p.ContainerName, Image: p.Image, Command: p.Command, Args: p.Args,
			Requests: p.Requests, Limits: p.Limits, Replicas: p.Replicas, RestartPolicy: p.RestartPolicy,
			Interruptible: p.Interruptible, Ports: p.Ports}
	}
	return out
}

// pyflyteCase is what bundle.ReadFile makes of one pyflyte bundle.
type pyflyteCase struct {
	// File is the file name inside testdata/pyflyte.
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of the file.
	SHA256 string `json:"sha256"`
	// Err is bundle.ReadFile's error text, "" when it read the bundle.
	Err string `json:"err,omitempty"`
	// Tasks are the tasks read (no explain answers, no ValidateSpec verdicts: these are not flytedask tasks).
	Tasks []pyflyteTask `json:"tasks,omitempty"`
}

// pyflyteTask is one task of a pyflyte bundle.
type pyflyteTask struct {
	Path     string `json:"path"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Template string `json:"template"`
}

// currentCase is one line of currentCasesFile, in the format of explain/testdata/backend_cases.jsonl.
type currentCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	PlatReq  map[string]string `json:"platReq"`
	PlatLim  map[string]string `json:"platLim"`
	Job      *currentCaseJob   `json:"job,omitempty"`
	Err      string            `json:"err,omitempty"`
}

// currentCaseJob is the compared part of explain.Job.
type currentCaseJob struct {
	Pods []explain.Pod `json:"pods"`
}

// projectBundles lists the bundles the project produces for verification: every *.tgz, *.tar.gz and *.tar
// under <root>/testdata/bundles/ and <root>/examples/*/testdata/, sorted.
func projectBundles(t *testing.T, root string) []string {
	t.Helper()
	roots := []string{filepath.Join(root, "testdata", "bundles")}
	exampleDirs, err := filepath.Glob(filepath.Join(root, "examples", "*", "testdata"))
	require.NoError(t, err)
	roots = append(roots, exampleDirs...)

	var files []string
	for _, r := range roots {
		err := filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
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

// templateBytes is the TaskTemplate's deterministic wire encoding, base64.
func templateBytes(t *testing.T, tmpl *core.TaskTemplate) string {
	t.Helper()
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(tmpl)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(data)
}

// fileSHA256 is the hex SHA-256 of the file's content.
func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// readBundles reads every bundle with the SDK and records its tasks; Dask tasks are explained under every
// checkPlatform. withSHA records each file's SHA-256.
func readBundles(t *testing.T, root string, bundles []string, withSHA bool) []bundleCase {
	t.Helper()
	out := []bundleCase{}
	for _, b := range bundles {
		name, err := filepath.Rel(root, b)
		require.NoError(t, err)
		bun, err := bundle.ReadFile(b)
		require.NoError(t, err, "bundle.ReadFile(%s)", b)
		bc := bundleCase{Path: filepath.ToSlash(name), Tasks: []taskCase{}}
		if withSHA {
			bc.SHA256 = fileSHA256(t, b)
		}
		for _, tk := range bun.Tasks {
			tmpl := tk.Spec.GetTemplate()
			tc := taskCase{Path: tk.Path, Name: tk.Name(), Type: tmpl.GetType(), Template: templateBytes(t, tmpl)}
			if err := task.ValidateSpec(tk.Spec); err != nil {
				tc.ValidateSpecErr = err.Error()
			}
			if tmpl.GetType() == daskTaskType {
				for _, p := range checkPlatforms {
					ec := explainCase{Platform: p.Name}
					job, err := explain.Explain(tmpl, p.explain())
					if err != nil {
						ec.Err = err.Error()
					} else {
						ec.Pods = legacyPods(job.Pods)
					}
					tc.Explain = append(tc.Explain, ec)
				}
			}
			bc.Tasks = append(bc.Tasks, tc)
		}
		out = append(out, bc)
	}
	return out
}

// readPyflyte reads every *.tgz and *.tar of dir with the SDK.
func readPyflyte(t *testing.T, dir string) []pyflyteCase {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []pyflyteCase{}
	}
	require.NoError(t, err)
	out := []pyflyteCase{}
	for _, e := range entries {
		if e.IsDir() || !isBundleName(e.Name()) {
			continue
		}
		pc := pyflyteCase{File: e.Name(), SHA256: fileSHA256(t, filepath.Join(dir, e.Name()))}
		bun, err := bundle.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			pc.Err = err.Error()
		} else {
			for _, tk := range bun.Tasks {
				tmpl := tk.Spec.GetTemplate()
				pc.Tasks = append(pc.Tasks, pyflyteTask{Path: tk.Path, Name: tk.Name(), Type: tmpl.GetType(),
					Template: templateBytes(t, tmpl)})
			}
		}
		out = append(out, pc)
	}
	return out
}

// legacyCasesJSON renders legacyCasesFile's content, deterministically.
func legacyCasesJSON(t *testing.T, root string, bundles []string, synthetic []bundleCase, pyflyte []pyflyteCase) []byte {
	t.Helper()
	c := legacyCases{
		Comment:   "Written by the main module's internal/backendcases tests; do not edit. Refresh: " + refresh,
		Platforms: checkPlatforms,
		Bundles:   readBundles(t, root, bundles, true),
		Synthetic: synthetic,
		Pyflyte:   pyflyte,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(c))
	return buf.Bytes()
}

// currentCasesJSONL renders currentCasesFile's content for the given bundles, deterministically: one line per
// Dask task and checkPlatform.
func currentCasesJSONL(t *testing.T, root string, bundles []string) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, b := range bundles {
		name, err := filepath.Rel(root, b)
		require.NoError(t, err)
		bun, err := bundle.ReadFile(b)
		require.NoError(t, err)
		for _, tk := range bun.Tasks {
			tmpl := tk.Spec.GetTemplate()
			if tmpl.GetType() != daskTaskType {
				continue
			}
			data := templateBytes(t, tmpl)
			for _, p := range checkPlatforms {
				c := currentCase{
					Name:     filepath.ToSlash(name) + "/" + tk.Path + "/" + p.Name,
					Template: data,
					PlatReq:  p.Requests,
					PlatLim:  p.Limits,
				}
				job, err := explain.Explain(tmpl, p.explain())
				if err != nil {
					c.Err = err.Error()
				} else {
					c.Job = &currentCaseJob{Pods: job.Pods}
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

// checkFile compares want with the file at path, or writes it there with -update. Both files live in nested
// modules, which a module zip of this module leaves out; without the module (no go.mod two directories above the
// file) there is nothing to keep up to date.
func checkFile(t *testing.T, path string, want []byte) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "..", "go.mod")); err != nil {
		t.Logf("skipping %s: its module is not here (%v)", path, err)
		return
	}
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, want, 0o644))
		return
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err, "run: %s", refresh)
	require.Equal(t, string(want), string(got),
		"%s is stale (bundles, the SDK's reader or validation, or explain changed); run: %s, then make verify",
		path, refresh)
}

// TestCaseFilesUpToDate checks that both case files match the project bundles, the pyflyte bundles and the
// SDK's current answers, so that the backend checks in internal/backendcheck and explain/internal/backendverify
// cover every project bundle. Run with -update to rewrite them.
func TestCaseFilesUpToDate(t *testing.T) {
	bundles := projectBundles(t, repoRoot)
	require.NotEmpty(t, bundles, "no project bundles under testdata/bundles/ or examples/*/testdata/")

	current := currentCasesJSONL(t, repoRoot, bundles)
	require.NotEmpty(t, current, "the project bundles hold no Dask task")
	checkFile(t, currentCasesFile, current)

	synRoot := t.TempDir()
	synBundles := syntheticBundles(t, synRoot)
	synthetic := readBundles(t, synRoot, synBundles, false)
	checkFile(t, legacyCasesFile, legacyCasesJSON(t, repoRoot, bundles, synthetic, readPyflyte(t, pyflyteDir)))
}
