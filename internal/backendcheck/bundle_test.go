package backendcheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/plugins"
	"github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/flytek8s"
	pluginUtils "github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/utils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/internal/backendcheck"
)

// projectBundles lists the bundles the main project produces for verification: every *.tgz, *.tar.gz and
// *.tar under <repoRoot>/testdata/bundles/ and <repoRoot>/examples/*/testdata/, sorted. The main module's
// internal/backendcases lists them the same way; TestCaseFileMatchesDisk compares the two lists.
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

// checkPlatform is a set of platform resources under which every bundle task is built by the real plugin and
// was explained by explain.Explain (in the main module, recorded in sdkCasesFile).
type checkPlatform struct {
	name             string
	requests, limits map[string]string // Kubernetes resource names → quantities
}

// checkPlatforms: the backend defaults (no platform resources, so the k8s plugin config's 1000m / 1024Mi
// apply), and a platform with small defaults and limits low enough to cap the examples' resources.
var checkPlatforms = []checkPlatform{
	{name: "no-platform-resources"},
	{
		name:     "defaults-500m-512Mi-limits-2-4Gi",
		requests: map[string]string{"cpu": "500m", "memory": "512Mi"},
		limits:   map[string]string{"cpu": "2", "memory": "4Gi"},
	},
}

func (p checkPlatform) options(interruptible bool) backendcheck.Options {
	return backendcheck.Options{
		PlatformResources: v1.ResourceRequirements{Requests: k8sList(p.requests), Limits: k8sList(p.limits)},
		Interruptible:     interruptible,
	}
}

func k8sList(m map[string]string) v1.ResourceList {
	l := v1.ResourceList{}
	for k, v := range m {
		l[v1.ResourceName(k)] = resource.MustParse(v)
	}
	return l
}

// TestProjectBundles runs, on every task of every bundle the project produces (as the SDK's bundle.ReadFile
// read them, recorded in sdkCasesFile): the SDK's task.ValidateSpec verdict, FlyteAdmin's compile step and,
// for Dask tasks, the real Dask plugin, under each of checkPlatforms. The plugin must not fail or panic, and
// its DaskJob must agree with explain.Explain's recorded answer on every part that flyteplugins v1.1.31 shares
// with the current backend; where they differ, the difference must be exactly the one documented in README.md
// (v1.1.31 uses Dask custom resources raw). The differences found are logged as a Markdown table (go test
// -run TestProjectBundles -v).
func TestProjectBundles(t *testing.T) {
	cases := loadSDKCases(t)
	require.NotEmpty(t, cases.Bundles, "%s lists no project bundle", sdkCasesFile)
	var diffs diffTable
	checkBundles(t, cases.Bundles, &diffs)
	t.Logf("parts where flyteplugins v1.1.31 differs from explain (current backend):\n%s", diffs.markdown())
}

// checkBundles runs checkBundleTask on every task of every bundle, one subtest per bundle named by its path
// relative to the repository (or synthetic) root.
func checkBundles(t *testing.T, bundles []caseBundle, diffs *diffTable) {
	for _, b := range bundles {
		name := b.Path
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, b.Tasks, "bundle has no task files")
			dask := 0
			for _, tk := range b.Tasks {
				if tk.Type == backendcheck.DaskPluginID {
					dask++
				}
				t.Run(tk.Path, func(t *testing.T) { checkBundleTask(t, name, tk, diffs) })
			}
			assert.Positive(t, dask, "a flytedask bundle must hold at least one Dask task")
		})
	}
}

func checkBundleTask(t *testing.T, bundleName string, tk caseTask, diffs *diffTable) {
	require.Empty(t, tk.ValidateSpecErr, "the SDK's own validation (task.ValidateSpec)")
	require.NotEmpty(t, tk.Template, "TaskSpec without template")
	tmpl := tk.template(t) // the SDK's bytes, decoded with the legacy IDL
	require.NoError(t, backendcheck.Compile(tmpl))
	if tmpl.GetType() != backendcheck.DaskPluginID {
		return
	}
	for _, p := range checkPlatforms {
		t.Run(p.name, func(t *testing.T) {
			job, err := backendcheck.Build(context.Background(), tmpl, p.options(tmpl.GetMetadata().GetInterruptible()))
			require.NoError(t, err, "the real plugin must build the task")
			s, err := backendcheck.Summarize(job)
			require.NoError(t, err, "all three pods must carry their primary container")
			want := tk.explainFor(t, p)
			require.Empty(t, want.Err, "explain must explain what the real plugin builds")

			checkInvariants(t, tmpl, s)
			got := realParts(t, s)
			current := explainParts(t, want.Pods)
			old := v1131Parts(t, tmpl, current)
			assert.Equal(t, old, got,
				"v1.1.31 must equal explain except that Dask custom resources are used raw (README.md)")
			for _, pod := range []string{"scheduler", "worker"} {
				if completeCustomResources(t, tmpl, pod, p) {
					assert.Equal(t, current.pod(pod), got.pod(pod),
						"%s: custom resources with cpu and memory requests and limits, none capped: no difference", pod)
				}
			}
			for _, k := range differingKeys(current, got) {
				assert.Truef(t, mayDiffer(k), "%s differs, but only custom-resource parts may: explain %q, v1.1.31 %q",
					k, current[k], got[k])
				diffs.add(diffRow{bundle: bundleName, task: tk.Name, platform: p.name, part: k,
					current: current[k], old: got[k]})
			}
		})
	}
}

// checkInvariants asserts what holds on every backend version, independently of explain.
func checkInvariants(t *testing.T, tmpl *core.TaskTemplate, s backendcheck.Summary) {
	t.Helper()
	assert.Equal(t, backendcheck.JobRunnerContainer, s.Job.ContainerName)
	assert.Equal(t, backendcheck.SchedulerContainer, s.Scheduler.ContainerName)
	assert.Equal(t, backendcheck.WorkerContainer, s.Workers.ContainerName)
	if c := tmpl.GetContainer(); c != nil {
		assert.Equal(t, c.GetImage(), s.Job.Image)
	}
	// The SDK never sets a container command (a raw command goes into args), so the scheduler and the
	// workers, which inherit the command and get new args, run the image entrypoint with the Dask args.
	assert.Empty(t, s.Job.Command, "job-runner command")
	assert.Empty(t, s.Scheduler.Command, "scheduler command")
	assert.Empty(t, s.Workers.Command, "worker command")
	assert.Equal(t, []string{"dask-scheduler"}, s.Scheduler.Args)
	require.Len(t, s.Workers.Args, 7, "worker args %q", s.Workers.Args)
	assert.Equal(t, []string{"dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads"}, s.Workers.Args[:4])
	assert.Equal(t, "--memory-limit", s.Workers.Args[5])
}

// parts flattens the compared parts of a DaskJob: "<pod>.<part>" → value, pods "job-runner", "scheduler" and
// "worker". Worker args are split into their structure (values replaced by <N> and <M>), "args.nthreads"
// and "args.memory-limit".
type parts map[string]string

// pod returns the parts of one pod.
func (p parts) pod(name string) parts {
	out := parts{}
	for k, v := range p {
		if strings.HasPrefix(k, name+".") {
			out[k] = v
		}
	}
	return out
}

// podParts is the version-neutral view of one pod that both sides are converted to.
type podParts struct {
	container, image string
	command, args    []string
	requests, limits map[string]string
	replicas         int
	restartPolicy    string
	interruptible    bool
	ports            []string // "name:port"
	isWorker         bool
}

func (pp podParts) flatten(t *testing.T, prefix string, out parts) {
	t.Helper()
	set := func(k, v string) { out[prefix+"."+k] = v }
	set("container", pp.container)
	set("image", pp.image)
	set("command", jsonString(pp.command))
	args := pp.args
	if pp.isWorker {
		args = append([]string(nil), pp.args...)
		for i := 0; i+1 < len(args); i++ {
			switch args[i] {
			case "--nthreads":
				set("args.nthreads", args[i+1])
				args[i+1] = "<N>"
			case "--memory-limit":
				set("args.memory-limit", args[i+1])
				args[i+1] = "<M>"
			}
		}
	}
	set("args", jsonString(args))
	for k, v := range pp.requests {
		set("requests."+k, v)
	}
	for k, v := range pp.limits {
		set("limits."+k, v)
	}
	set("replicas", fmt.Sprint(pp.replicas))
	set("restartPolicy", pp.restartPolicy)
	set("interruptible", fmt.Sprint(pp.interruptible))
	set("ports", strings.Join(pp.ports, ","))
}

func jsonString(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // []string always marshals
	}
	return string(b)
}

// interruptibleToleration is backendcheck.DefaultInterruptibleTolerations in Summary form.
const interruptibleToleration = "flyte.org/interruptible=true:NoSchedule"

func realParts(t *testing.T, s backendcheck.Summary) parts {
	t.Helper()
	conv := func(p backendcheck.PodSummary, worker bool) podParts {
		pp := podParts{container: p.ContainerName, image: p.Image, command: p.Command, args: p.Args,
			requests: p.Requests, limits: p.Limits, replicas: p.Replicas, restartPolicy: p.RestartPolicy,
			isWorker: worker}
		hasTol := false
		for _, tol := range p.Tolerations {
			if tol == interruptibleToleration {
				hasTol = true
			}
		}
		hasSel := p.NodeSelector["flyte.org/interruptible"] == "true"
		assert.Equal(t, hasTol, hasSel, "%s: interruptible toleration and node selector go together", p.ContainerName)
		pp.interruptible = hasTol && hasSel
		for _, port := range p.Ports {
			name, rest, _ := strings.Cut(port, ":")
			num, proto, _ := strings.Cut(rest, "/")
			assert.Equal(t, "TCP", proto, "port %s", port)
			pp.ports = append(pp.ports, name+":"+num)
		}
		return pp
	}
	out := parts{}
	conv(s.Job, false).flatten(t, "job-runner", out)
	conv(s.Scheduler, false).flatten(t, "scheduler", out)
	conv(s.Workers, true).flatten(t, "worker", out)
	return out
}

func explainParts(t *testing.T, pods []explainPod) parts {
	t.Helper()
	require.Len(t, pods, 3)
	out := parts{}
	for i, role := range []string{roleJobRunner, roleScheduler, roleWorker} {
		p := pods[i]
		require.Equal(t, role, p.Role)
		args := p.Args
		if role == roleJobRunner {
			args = renderArgs(p.Args) // explain shows them before the backend renders them
		}
		pp := podParts{container: p.ContainerName, image: p.Image, command: p.Command, args: args,
			requests: p.Requests, limits: p.Limits, replicas: p.Replicas, restartPolicy: p.RestartPolicy,
			interruptible: p.Interruptible, isWorker: role == roleWorker}
		for _, port := range p.Ports {
			pp.ports = append(pp.ports, fmt.Sprintf("%s:%d", port.Name, port.Port))
		}
		pp.flatten(t, role, out)
	}
	return out
}

// argTemplates are the job-runner arg templates flyteplugins v1.1.31 renders (pluginmachinery/core/template),
// with the values backendcheck's mocked execution context gives them. {{.inputs.<name>}} stay as written: the
// mocked input reader returns no literals.
var argTemplates = []struct {
	re  *regexp.Regexp
	val string
}{
	{regexp.MustCompile(`(?i){{\s*[\.$]Input\s*}}`), backendcheck.FakeInputPrefix + "/inputs.pb"},
	{regexp.MustCompile(`(?i){{\s*[\.$]InputPrefix\s*}}`), backendcheck.FakeInputPrefix},
	{regexp.MustCompile(`(?i){{\s*[\.$]OutputPrefix\s*}}`), backendcheck.FakeOutputPrefix},
	{regexp.MustCompile(`(?i){{\s*[\.$]RawOutputDataPrefix\s*}}`), backendcheck.FakeRawOutputPrefix},
	{regexp.MustCompile(`(?i){{\s*[\.$]PerRetryUniqueKey\s*}}`), "backendcheck_exec_n0_0"},
	{regexp.MustCompile(`(?i){{\s*[\.$]TaskTemplatePath\s*}}`), backendcheck.FakeTaskTemplatePath},
	{regexp.MustCompile(`(?i){{\s*[\.$]PrevCheckpointPrefix\s*}}`), `""`},
	{regexp.MustCompile(`(?i){{\s*[\.$]CheckpointOutputPrefix\s*}}`), backendcheck.FakeCheckpointPrefix},
}

func renderArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		for _, tpl := range argTemplates {
			a = tpl.re.ReplaceAllLiteralString(a, tpl.val)
		}
		out[i] = a
	}
	return out
}

// daskCustom decodes the template's DaskJob custom the way flyteplugins v1.1.31 does.
func daskCustom(t *testing.T, tmpl *core.TaskTemplate) *plugins.DaskJob {
	t.Helper()
	job := &plugins.DaskJob{}
	require.NoError(t, pluginUtils.UnmarshalStruct(tmpl.GetCustom(), job))
	return job
}

func customResources(t *testing.T, tmpl *core.TaskTemplate, pod string) *core.Resources {
	t.Helper()
	job := daskCustom(t, tmpl)
	if pod == "scheduler" {
		return job.GetScheduler().GetResources()
	}
	return job.GetWorkers().GetResources()
}

// v1131Parts is what flyteplugins v1.1.31 builds according to README.md: explain's answer, except that a
// scheduler or worker with Dask custom resources (at least one request or limit entry) gets them raw, converted
// by v1.1.31's own flytek8s.ToK8sResourceRequirements (no defaults, no requests from limits, no capping), and
// the worker's --nthreads and --memory-limit come from those raw limits ("0" when missing).
func v1131Parts(t *testing.T, tmpl *core.TaskTemplate, current parts) parts {
	t.Helper()
	out := parts{}
	for k, v := range current {
		out[k] = v
	}
	for _, pod := range []string{"scheduler", "worker"} {
		res := customResources(t, tmpl, pod)
		if len(res.GetRequests()) == 0 && len(res.GetLimits()) == 0 {
			continue
		}
		raw, err := flytek8s.ToK8sResourceRequirements(res)
		require.NoError(t, err)
		for k := range out {
			if strings.HasPrefix(k, pod+".requests.") || strings.HasPrefix(k, pod+".limits.") {
				delete(out, k)
			}
		}
		for name, q := range raw.Requests {
			out[pod+".requests."+string(name)] = q.String()
		}
		for name, q := range raw.Limits {
			out[pod+".limits."+string(name)] = q.String()
		}
		if pod == "worker" {
			out["worker.args.nthreads"] = fmt.Sprint(raw.Limits.Cpu().Value())
			out["worker.args.memory-limit"] = raw.Limits.Memory().String()
		}
	}
	return out
}

// completeCustomResources reports whether the pod's Dask custom resources make the two backend versions agree
// by construction: cpu and memory given as both request and limit, nothing else, no request above its limit,
// and no limit above the platform limit.
func completeCustomResources(t *testing.T, tmpl *core.TaskTemplate, pod string, p checkPlatform) bool {
	t.Helper()
	raw, err := flytek8s.ToK8sResourceRequirements(customResources(t, tmpl, pod))
	require.NoError(t, err)
	if len(raw.Requests) != 2 || len(raw.Limits) != 2 {
		return false
	}
	platformLimits := k8sList(p.limits)
	for _, name := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory} {
		req, okReq := raw.Requests[name]
		lim, okLim := raw.Limits[name]
		if !okReq || !okLim || req.Cmp(lim) > 0 {
			return false
		}
		if pl, ok := platformLimits[name]; ok && !pl.IsZero() && lim.Cmp(pl) > 0 {
			return false
		}
	}
	return true
}

func differingKeys(a, b parts) []string {
	var keys []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			keys = append(keys, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// mayDiffer reports whether a part is one that README.md documents as version-dependent: the scheduler's and
// the workers' requests and limits, and the workers' --nthreads and --memory-limit values.
func mayDiffer(key string) bool {
	for _, pod := range []string{"scheduler.", "worker."} {
		if strings.HasPrefix(key, pod+"requests.") || strings.HasPrefix(key, pod+"limits.") {
			return true
		}
	}
	return key == "worker.args.nthreads" || key == "worker.args.memory-limit"
}

// diffRow is one part where v1.1.31 differs from explain for one task under one platform.
type diffRow struct {
	bundle, task, platform, part, current, old string
}

// diffTable collects diffRows; it is safe for concurrent use.
type diffTable struct {
	mu   sync.Mutex
	rows []diffRow
}

func (d *diffTable) add(r diffRow) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rows = append(d.rows, r)
}

func (d *diffTable) markdown() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	rows := append([]diffRow(nil), d.rows...)
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.bundle != b.bundle {
			return a.bundle < b.bundle
		}
		if a.task != b.task {
			return a.task < b.task
		}
		if a.platform != b.platform {
			return a.platform < b.platform
		}
		return a.part < b.part
	})
	show := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return "`" + s + "`"
	}
	var b strings.Builder
	b.WriteString("| bundle | task | platform | part | current (explain) | v1.1.31 |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.bundle, r.task, r.platform, r.part,
			show(r.current), show(r.old))
	}
	return b.String()
}

// TestReadPyflyteBundles runs FlyteAdmin's compile step on the real pyflyte bundles of ../../testdata/pyflyte
// (no Dask task among them), as the main module's bundle reader read them (recorded in sdkCasesFile).
func TestReadPyflyteBundles(t *testing.T) {
	cases := loadSDKCases(t)
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
			var b *casePyflyte
			for i := range cases.Pyflyte {
				if cases.Pyflyte[i].File == tc.file {
					b = &cases.Pyflyte[i]
				}
			}
			if b == nil {
				t.Skipf("test bundle missing: %s not in ../../testdata/pyflyte (TestCaseFileMatchesDisk checks the list)", tc.file)
			}
			if tc.wantErr {
				require.NotEmpty(t, b.Err, "bundle.ReadFile must fail")
				return
			}
			require.Empty(t, b.Err, "bundle.ReadFile")
			require.Len(t, b.Tasks, tc.wantTasks)
			for _, tk := range b.Tasks {
				tmpl := tk.template(t)
				assert.NotEqual(t, backendcheck.DaskPluginID, tmpl.GetType(), tk.Path)
				assert.NoError(t, backendcheck.Compile(tmpl), tk.Path)
			}
		})
	}
}

// TestBundleCheckOnSyntheticBundles runs the checks of TestProjectBundles on the synthetic bundles of
// sdkCasesFile, so that the comparison code is exercised on custom resources the project's examples do not use
// (flytekit's full example: cpu only, requests below limits) and on an interruptible task. The main module's
// internal/backendcases writes those bundles (a .tgz under testdata/bundles/ and a .tar under
// examples/hello/testdata/, each with the task, a non-task entry and AppleDouble junk, next to a README) and
// checks that discovery and the reader keep just the task; here the recorded template must be exactly the one
// flytekitTemplate builds.
func TestBundleCheckOnSyntheticBundles(t *testing.T) {
	cases := loadSDKCases(t)
	want := flytekitTemplate(t, customFull)
	want.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: true} // the examples are not
	var paths []string
	for _, b := range cases.Synthetic {
		paths = append(paths, b.Path)
		require.Len(t, b.Tasks, 1, "%s: the non-task entry and the AppleDouble junk are not tasks", b.Path)
		assert.Equal(t, "00_workflows.dask_wf.hello_dask_1.pb", b.Tasks[0].Path)
		got := b.Tasks[0].template(t)
		assert.True(t, proto.Equal(protoadapt.MessageV2Of(want), protoadapt.MessageV2Of(got)),
			"%s: the synthetic template must be flytekitTemplate(customFull), interruptible:\nwant %v\ngot  %v", b.Path, want, got)
	}
	require.Equal(t, []string{"examples/hello/testdata/hello.tar", "testdata/bundles/dask.tgz"}, paths)

	var diffs diffTable
	checkBundles(t, cases.Synthetic, &diffs)
	// customFull: scheduler requests cpu 1 / limits cpu 2, workers requests cpu 3 / limits cpu 4, no memory.
	// Raw in v1.1.31, so memory is missing there and --memory-limit is 0.
	parts := map[string]bool{}
	for _, r := range diffs.rows {
		parts[r.platform+" "+r.part+" "+r.current+" -> "+r.old] = true
	}
	for _, want := range []string{
		"no-platform-resources worker.args.memory-limit 1Gi -> 0",
		"no-platform-resources worker.limits.memory 1Gi -> ",
		"no-platform-resources scheduler.requests.memory 1Gi -> ",
		"defaults-500m-512Mi-limits-2-4Gi worker.args.nthreads 2 -> 4",
		"defaults-500m-512Mi-limits-2-4Gi worker.limits.cpu 2 -> 4",
	} {
		assert.True(t, parts[want], "expected difference %q among %v", want, parts)
	}
}
