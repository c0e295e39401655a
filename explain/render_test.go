package explain

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenJobs are the scenarios rendered into testdata/*.golden.
func goldenJobs(t *testing.T) map[string]*Job {
	t.Helper()
	explain := func(tmpl *core.TaskTemplate, p Platform) *Job {
		j, err := Explain(tmpl, p)
		require.NoError(t, err)
		return j
	}

	// flytekit's Dask() defaults: one worker, no Dask resources, no task resources.
	flytekitDefault := daskTemplate(t, `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{}}}`, nil)

	// Custom images and resources, interruptible, under the platform of dask-spec.md §2.6.
	full := daskTemplate(t, `{
		"scheduler": {"image": "ghcr.io/org/dask-scheduler:1", "resources": {"limits": [{"name": "CPU", "value": "2"}]}},
		"workers": {"numberOfWorkers": 4, "image": "ghcr.io/org/dask-worker:1",
			"resources": {"requests": [{"name": "CPU", "value": "1"}], "limits": [{"name": "CPU", "value": "1.5"}, {"name": "MEMORY", "value": "32G"}]}}}`,
		&core.Resources{Requests: entries(t, "CPU=1", "MEMORY=2Gi")})
	full.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: true}

	// dask-spec.md §2.6 second example: limit above the platform cap.
	capped := daskTemplate(t, `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2,"resources":{}}}`,
		&core.Resources{Requests: entries(t, "CPU=1", "MEMORY=2G"), Limits: entries(t, "CPU=16")})

	// flytekit v1.16.24's accelerator=A100.partition_1g_5gb, shared_memory="2Gi" and
	// @task(labels=) on a GPU task whose scheduler has its own resources.
	extended := daskTemplate(t, `{"scheduler":{"resources":{"limits":[{"name":"CPU","value":"1"},{"name":"MEMORY","value":"2Gi"}]}},
		"workers":{"numberOfWorkers":2,"resources":{"limits":[{"name":"CPU","value":"4"},{"name":"MEMORY","value":"16Gi"},{"name":"GPU","value":"1"}]}}}`,
		&core.Resources{Limits: entries(t, "CPU=2", "GPU=1", "MEMORY=8Gi")})
	extended.ExtendedResources = &core.ExtendedResources{
		GpuAccelerator: &core.GPUAccelerator{Device: "nvidia-tesla-a100", PartitionSizeValue: &core.GPUAccelerator_PartitionSize{PartitionSize: "1g.5gb"}},
		SharedMemory:   &core.SharedMemory{MountPath: "/dev/shm", MountName: "flyte-shared-memory", SizeLimit: "2Gi"},
	}
	extended.Metadata.Metadata = &core.K8SObjectMetadata{Labels: map[string]string{"team": "data"}}
	// The same accelerator without a task GPU: the backend ignores it.
	ignored := daskTemplate(t, `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2,"resources":{"limits":[{"name":"GPU","value":"1"}]}}}`, nil)
	ignored.ExtendedResources = &core.ExtendedResources{GpuAccelerator: &core.GPUAccelerator{Device: "nvidia-tesla-t4"}}

	return map[string]*Job{
		"extended":            explain(extended, DefaultPlatform()),
		"accelerator_ignored": explain(ignored, DefaultPlatform()),
		"flytekit_default":    explain(flytekitDefault, DefaultPlatform()),
		"full":                explain(full, specPlatform()),
		"capped":              explain(capped, specPlatform()),
		"k8s_pod":             explain(podTemplate(t, customWith(2, `{}`)), DefaultPlatform()),
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./explain -run Golden -update")
	assert.Equal(t, string(want), string(got))
}

func TestGoldenText(t *testing.T) {
	for name, j := range goldenJobs(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, j.WriteText(&buf))
			checkGolden(t, name+".txt.golden", buf.Bytes())

			// Rendering is deterministic.
			var again bytes.Buffer
			require.NoError(t, j.WriteText(&again))
			assert.Equal(t, buf.String(), again.String())
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	jobs := goldenJobs(t)
	for _, name := range []string{"full", "k8s_pod"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, jobs[name].WriteJSON(&buf))
			checkGolden(t, name+".json.golden", buf.Bytes())

			var back Job
			require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
			assert.Equal(t, *jobs[name], back, "JSON round trip")
		})
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	j := goldenJobs(t)["full"]
	assert.ErrorIs(t, j.WriteText(failingWriter{}), errWrite)
	assert.ErrorIs(t, j.WriteJSON(failingWriter{}), errWrite)
}

func TestJoinArgsQuotes(t *testing.T) {
	assert.Equal(t, `a "b c" "" "d\"e"`, joinArgs([]string{"a", "b c", "", `d"e`}))
}

// Names, images and args come from untrusted bundles: in the text report they must not break the
// one-line-per-item layout or carry terminal control sequences.
func TestWriteTextQuotesControlCharacters(t *testing.T) {
	tmpl := podTemplate(t, `{"workers":{"numberOfWorkers":1}}`)
	tmpl.Id.Name = "evil\nTask: forged"
	tmpl.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t,
		`{"restartPolicy":"Never\nx","containers":[{"name":"side\r\u001b[2K"},{"name":"primary","image":"img\tx\u001b[31m","command":["run\rme"],"args":["a\u0085b"],"resources":{"limits":{"x\ty":"1"}}}]}`)}}
	j, err := Explain(tmpl, DefaultPlatform())
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, j.WriteText(&buf))
	out := buf.String()
	assert.NotContains(t, out, "\r")
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\t")
	assert.NotContains(t, out, "\u0085")
	assert.NotContains(t, out, "\nTask: forged")
	assert.NotContains(t, out, "\nx")
	assert.Contains(t, out, `Task: "evil\nTask: forged"`)
	assert.Contains(t, out, `image:   "img\tx\x1b[31m"`)
	assert.Contains(t, out, `command: "run\rme"`)
	assert.Contains(t, out, `args:    "a\u0085b"`)
	assert.Contains(t, out, `"x\ty"=1`)
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.True(t, utf8.ValidString(line), line)
	}
}

func TestJoinArgsQuotesControlCharacters(t *testing.T) {
	assert.Equal(t, `plain "a\rb" "\x1b[0m" "bad\xff" é "x\u2028y"`, joinArgs([]string{"plain", "a\rb", "\x1b[0m", "bad\xff", "é", "x\u2028y"}))
}
