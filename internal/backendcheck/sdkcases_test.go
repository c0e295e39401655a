package backendcheck_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// sdkCasesFile is written by the main module's internal/backendcases tests (go test ./internal/backendcases
// -update, from the repository root). It holds, for every task of every project bundle, of the synthetic
// bundles and of the real pyflyte bundles, what the SDK makes of it: the TaskTemplate's wire bytes as the SDK
// (github.com/flyteorg/flyte/flyteidl) writes them, task.ValidateSpec's verdict and, for Dask tasks,
// explain.Explain's pods under each checkPlatform. This module cannot link the SDK: the legacy IDL it links
// (github.com/flyteorg/flyteidl v1.5.21) registers the same proto files.
const sdkCasesFile = "testdata/sdk_cases.json"

// refreshCases is the command, run from the repository root, that rewrites sdkCasesFile.
const refreshCases = "go test ./internal/backendcases -update"

// sdkCases mirrors the main module's internal/backendcases legacyCases.
type sdkCases struct {
	Comment   string        `json:"comment"`
	Platforms []casePlat    `json:"platforms"`
	Bundles   []caseBundle  `json:"bundles"`
	Synthetic []caseBundle  `json:"synthetic"`
	Pyflyte   []casePyflyte `json:"pyflyte"`
}

type casePlat struct {
	Name     string            `json:"name"`
	Requests map[string]string `json:"requests"`
	Limits   map[string]string `json:"limits"`
}

type caseBundle struct {
	Path   string     `json:"path"`
	SHA256 string     `json:"sha256"`
	Tasks  []caseTask `json:"tasks"`
}

type caseTask struct {
	Path            string        `json:"path"`
	Name            string        `json:"name"`
	Type            string        `json:"type"`
	Template        string        `json:"template"`
	ValidateSpecErr string        `json:"validateSpecErr"`
	Explain         []caseExplain `json:"explain"`
}

type caseExplain struct {
	Platform string       `json:"platform"`
	Pods     []explainPod `json:"pods"`
	Err      string       `json:"err"`
}

type casePyflyte struct {
	File   string     `json:"file"`
	SHA256 string     `json:"sha256"`
	Err    string     `json:"err"`
	Tasks  []caseTask `json:"tasks"`
}

// explainPod mirrors the main module's explain.Pod (same JSON).
type explainPod struct {
	Role          string            `json:"role"`
	ContainerName string            `json:"containerName"`
	Image         string            `json:"image"`
	Command       []string          `json:"command"`
	Args          []string          `json:"args"`
	Requests      map[string]string `json:"requests"`
	Limits        map[string]string `json:"limits"`
	Replicas      int               `json:"replicas"`
	RestartPolicy string            `json:"restartPolicy"`
	Interruptible bool              `json:"interruptible"`
	Ports         []explainPort     `json:"ports"`
}

type explainPort struct {
	Name string `json:"name"`
	Port int32  `json:"port"`
}

// explain's role names (explain.RoleJobRunner, RoleScheduler, RoleWorker).
const (
	roleJobRunner = "job-runner"
	roleScheduler = "scheduler"
	roleWorker    = "worker"
)

var (
	casesOnce sync.Once
	casesVal  *sdkCases
	casesErr  error
)

// loadSDKCases reads sdkCasesFile once. Unknown keys are an error, so a format change on the writing side
// cannot go unnoticed here.
func loadSDKCases(t *testing.T) *sdkCases {
	t.Helper()
	casesOnce.Do(func() {
		data, err := os.ReadFile(sdkCasesFile)
		if err != nil {
			casesErr = err
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		c := &sdkCases{}
		if err := dec.Decode(c); err != nil {
			casesErr = fmt.Errorf("%s: %w", sdkCasesFile, err)
			return
		}
		casesVal = c
	})
	require.NoError(t, casesErr, "run, from the repository root: %s", refreshCases)
	return casesVal
}

// template decodes the task's TaskTemplate bytes with the legacy IDL. Fields the legacy IDL does not know stay
// unknown fields of the decoded message, as they would in FlyteAdmin v1.1.x and propeller v1.1.x.
func (c caseTask) template(t *testing.T) *core.TaskTemplate {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(c.Template)
	require.NoError(t, err, "%s: template base64", c.Path)
	tmpl := &core.TaskTemplate{}
	require.NoError(t, proto.Unmarshal(data, protoadapt.MessageV2Of(tmpl)), "%s: legacy IDL must decode the SDK's bytes", c.Path)
	require.Equal(t, c.Type, tmpl.GetType(), "%s: recorded type", c.Path)
	require.Equal(t, c.Name, tmpl.GetId().GetName(), "%s: recorded name", c.Path)
	return tmpl
}

// explainFor returns explain's recorded answer for platform p.
func (c caseTask) explainFor(t *testing.T, p checkPlatform) caseExplain {
	t.Helper()
	for _, e := range c.Explain {
		if e.Platform == p.name {
			return e
		}
	}
	require.Failf(t, "no explain answer", "%s: no explain answer for platform %s in %s; run: %s", c.Path, p.name,
		sdkCasesFile, refreshCases)
	return caseExplain{}
}

// unknownFields lists, as "<field path>#<number>", every unknown field in m and its sub-messages.
func unknownFields(m protoreflect.Message, prefix string) []string {
	var out []string
	b := m.GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			out = append(out, prefix+"#<malformed>")
			break
		}
		out = append(out, fmt.Sprintf("%s#%d", prefix, num))
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			out = append(out, prefix+"#<malformed>")
			break
		}
		b = b[n:]
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := prefix + "." + string(fd.Name())
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				out = append(out, unknownFields(v.List().Get(i).Message(), fmt.Sprintf("%s[%d]", name, i))...)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				out = append(out, unknownFields(mv.Message(), fmt.Sprintf("%s[%v]", name, k.Interface()))...)
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			out = append(out, unknownFields(v.Message(), name)...)
		}
		return true
	})
	return out
}

// TestCaseFileMatchesDisk checks that sdkCasesFile was written from the bundles now on disk (same paths, same
// SHA-256), that it uses this module's checkPlatforms, and that every recorded task decodes with the legacy IDL.
// Whether it also matches the SDK's current reader, validation and explain is checked in the main module
// (internal/backendcases TestCaseFilesUpToDate).
func TestCaseFileMatchesDisk(t *testing.T) {
	cases := loadSDKCases(t)
	var plats []casePlat
	for _, p := range checkPlatforms {
		plats = append(plats, casePlat{Name: p.name, Requests: nonNil(p.requests), Limits: nonNil(p.limits)})
	}
	require.Equal(t, plats, cases.Platforms, "the case file's platforms must be this module's checkPlatforms")

	root := filepath.Join("..", "..")
	var onDisk, recorded []string
	for _, b := range projectBundles(t, root) {
		rel, err := filepath.Rel(root, b)
		require.NoError(t, err)
		onDisk = append(onDisk, filepath.ToSlash(rel)+" "+fileSHA256(t, b))
	}
	for _, b := range cases.Bundles {
		recorded = append(recorded, b.Path+" "+b.SHA256)
	}
	require.NotEmpty(t, onDisk, "no project bundles under ../../testdata/bundles/ or ../../examples/*/testdata/")
	require.Equal(t, onDisk, recorded, "%s does not describe the bundles on disk; run: %s", sdkCasesFile, refreshCases)

	dir := filepath.Join(root, "testdata", "pyflyte")
	onDisk, recorded = nil, nil
	entries, err := os.ReadDir(dir)
	if !errors.Is(err, fs.ErrNotExist) {
		require.NoError(t, err)
	}
	for _, e := range entries {
		if !e.IsDir() && isBundleName(e.Name()) {
			onDisk = append(onDisk, e.Name()+" "+fileSHA256(t, filepath.Join(dir, e.Name())))
		}
	}
	for _, p := range cases.Pyflyte {
		recorded = append(recorded, p.File+" "+p.SHA256)
	}
	require.Equal(t, onDisk, recorded, "%s does not describe the pyflyte bundles on disk; run: %s", sdkCasesFile, refreshCases)
}

// legacyUnknownFields are the TaskTemplate fields the SDK writes that flyteidl v1.5.21 does not know, by task
// ("<bundle>/<task path>"). FlyteAdmin and propeller of that line keep them as unknown fields and ignore them;
// see README.md. A new entry here needs a look at what the legacy backend then misses.
var legacyUnknownFields = map[string][]string{
	// metadata 15 = generates_deck (BoolValue, flytekit >= 1.15 always writes it), 16 = metadata
	// (K8sObjectMetadata, always written since flytekit 1.16.2); template 9 = extended_resources
	// (shared memory / GPU accelerator): v1.1.31 skips it, so those pods get no /dev/shm and no
	// accelerator affinity on such a backend (README, Compatibility).
	"examples/gpu_workers/testdata/gpu_workers.tgz/0_workflows.gpu.train_xgboost_1.pb":     {"TaskTemplate#9", "TaskTemplate.metadata#15", "TaskTemplate.metadata#16"},
	"examples/pod_template/testdata/pod_template.tgz/0_workflows.etl.daily_rollup_1.pb":    {"TaskTemplate.metadata#15", "TaskTemplate.metadata#16"},
	"examples/quickstart/testdata/quickstart.tgz/0_workflows.dask_example.hello_dask_1.pb": {"TaskTemplate.metadata#15", "TaskTemplate.metadata#16"},
	"examples/raw_command/testdata/raw_command.tgz/0_jobs.reports.monthly_1.pb":            {"TaskTemplate.metadata#15", "TaskTemplate.metadata#16"},
}

// TestLegacyIDLDecodesSDKBytes decodes every template the SDK wrote with the legacy IDL and lists the fields that
// IDL does not know. The project bundles' unknown fields must be exactly legacyUnknownFields; the pyflyte
// bundles' are only logged (flytekit's, not the SDK's).
func TestLegacyIDLDecodesSDKBytes(t *testing.T) {
	cases := loadSDKCases(t)
	got := map[string][]string{}
	for _, group := range [][]caseBundle{cases.Bundles, cases.Synthetic} {
		for _, b := range group {
			for _, tk := range b.Tasks {
				if u := unknownFields(protoadapt.MessageV2Of(tk.template(t)).ProtoReflect(), "TaskTemplate"); len(u) > 0 {
					got[b.Path+"/"+tk.Path] = u
				}
			}
		}
	}
	assert.Equal(t, legacyUnknownFields, got, "fields of the SDK's templates that flyteidl v1.5.21 does not know")
	var py []string
	for _, p := range cases.Pyflyte {
		for _, tk := range p.Tasks {
			if u := unknownFields(protoadapt.MessageV2Of(tk.template(t)).ProtoReflect(), "TaskTemplate"); len(u) > 0 {
				py = append(py, p.File+"/"+tk.Path+": "+strings.Join(u, ", "))
			}
		}
	}
	sort.Strings(py)
	t.Logf("pyflyte templates with fields unknown to flyteidl v1.5.21: %d\n%s", len(py), strings.Join(py, "\n"))
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// TestUnknownFields checks unknownFields on hand-made wire bytes: a legacy TaskTemplate with a top-level field
// and a metadata field that flyteidl v1.5.21 does not define.
func TestUnknownFields(t *testing.T) {
	tmpl := &core.TaskTemplate{Type: "dask", Metadata: &core.TaskMetadata{Discoverable: true}}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(protoadapt.MessageV2Of(tmpl))
	require.NoError(t, err)
	data = protowire.AppendTag(data, 999, protowire.VarintType)
	data = protowire.AppendVarint(data, 7)
	var md []byte
	md = protowire.AppendTag(md, 998, protowire.BytesType)
	md = protowire.AppendString(md, "x")
	data = protowire.AppendTag(data, 3, protowire.BytesType) // metadata again: merged into the first
	data = protowire.AppendBytes(data, md)

	got := &core.TaskTemplate{}
	require.NoError(t, proto.Unmarshal(data, protoadapt.MessageV2Of(got)))
	assert.True(t, got.GetMetadata().GetDiscoverable())
	assert.Equal(t, []string{"TaskTemplate#999", "TaskTemplate.metadata#998"},
		unknownFields(protoadapt.MessageV2Of(got).ProtoReflect(), "TaskTemplate"))
	assert.Empty(t, unknownFields(protoadapt.MessageV2Of(tmpl).ProtoReflect(), "TaskTemplate"))
}
