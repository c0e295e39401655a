package explain

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
)

// --- helpers ---------------------------------------------------------------------------------

var resourceNames = map[string]core.Resources_ResourceName{
	"CPU": core.Resources_CPU, "MEMORY": core.Resources_MEMORY, "GPU": core.Resources_GPU,
	"STORAGE": core.Resources_STORAGE, "EPHEMERAL_STORAGE": core.Resources_EPHEMERAL_STORAGE,
	"UNKNOWN": core.Resources_UNKNOWN,
}

// entries builds resource entries from "NAME=value" strings, in order.
func entries(t testing.TB, specs ...string) []*core.Resources_ResourceEntry {
	t.Helper()
	var out []*core.Resources_ResourceEntry
	for _, s := range specs {
		name, value, ok := strings.Cut(s, "=")
		require.True(t, ok, s)
		n, known := resourceNames[name]
		require.True(t, known, name)
		out = append(out, &core.Resources_ResourceEntry{Name: n, Value: value})
	}
	return out
}

func mustStruct(t testing.TB, js string) *structpb.Struct {
	t.Helper()
	s := &structpb.Struct{}
	require.NoError(t, protojson.Unmarshal([]byte(js), s), js)
	return s
}

// daskTemplate builds a container-target Dask template with the given custom JSON and container resources.
func daskTemplate(t testing.TB, custom string, res *core.Resources) *core.TaskTemplate {
	t.Helper()
	return &core.TaskTemplate{
		Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "wf.dask_task", Version: "v1"},
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime: &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: "1.0.0"},
		},
		Custom: mustStruct(t, custom),
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image:     "ghcr.io/org/dask:1",
			Args:      []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"},
			Resources: res,
		}},
	}
}

// customWith builds a custom JSON with the same resources for scheduler and workers.
func customWith(workers int, resourcesJSON string) string {
	return `{"scheduler":{"resources":` + resourcesJSON + `},"workers":{"numberOfWorkers":` +
		strconv.Itoa(workers) + `,"resources":` + resourcesJSON + `}}`
}

// specPlatform is the platform of the backend's dask_test.go: requests cpu 4 / mem 10G, limits cpu 10 / mem 24G.
func specPlatform() Platform {
	return Platform{
		DefaultRequests: ResourceList{ResourceCPU: resource.MustParse("4"), ResourceMemory: resource.MustParse("10G")},
		Limits:          ResourceList{ResourceCPU: resource.MustParse("10"), ResourceMemory: resource.MustParse("24G")},
	}
}

func pod(t testing.TB, j *Job, role string) Pod {
	t.Helper()
	for _, p := range j.Pods {
		if p.Role == role {
			return p
		}
	}
	t.Fatalf("no pod %q", role)
	return Pod{}
}

func rl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func workerArgsFor(nthreads, mem string) []string {
	return []string{"dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", nthreads, "--memory-limit", mem}
}

func hasNote(j *Job, role, field, substr string) bool {
	for _, n := range j.Notes {
		if n.Pod == role && n.Field == field && strings.Contains(n.Message, substr) {
			return true
		}
	}
	return false
}

// --- dask-spec.md §2.6: the backend's dask_test.go examples -------------------------------------

func TestExplainBackendExamples(t *testing.T) {
	type want struct {
		runnerReq, runnerLim map[string]string
		req, lim             map[string]string // scheduler and workers
		args                 []string
	}
	cases := []struct {
		name   string
		custom string
		task   *core.Resources
		want   want
	}{
		{
			name:   "custom requests cpu 5, limits cpu 10 mem 15G",
			custom: `{"scheduler":{"resources":{"requests":[{"name":"CPU","value":"5"}],"limits":[{"name":"CPU","value":"10"},{"name":"MEMORY","value":"15G"}]}},"workers":{"numberOfWorkers":2,"resources":{"requests":[{"name":"CPU","value":"5"}],"limits":[{"name":"CPU","value":"10"},{"name":"MEMORY","value":"15G"}]}}}`,
			task:   &core.Resources{Requests: entries(t, "CPU=1"), Limits: entries(t, "CPU=2", "MEMORY=2G")},
			want: want{
				runnerReq: rl("cpu", "1", "memory", "2G"), runnerLim: rl("cpu", "2", "memory", "2G"),
				req: rl("cpu", "5", "memory", "15G"), lim: rl("cpu", "10", "memory", "15G"),
				args: workerArgsFor("10", "15G"),
			},
		},
		{
			name:   "task requests cpu 1 mem 2G, limits cpu 16 (capped)",
			custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2,"resources":{}}}`,
			task:   &core.Resources{Requests: entries(t, "CPU=1", "MEMORY=2G"), Limits: entries(t, "CPU=16")},
			want: want{
				runnerReq: rl("cpu", "1", "memory", "2G"), runnerLim: rl("cpu", "10", "memory", "2G"),
				req: rl("cpu", "1", "memory", "2G"), lim: rl("cpu", "10", "memory", "2G"),
				args: workerArgsFor("10", "2G"),
			},
		},
		{
			name:   "task requests cpu 1, limits cpu 2 mem 2G",
			custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2,"resources":{}}}`,
			task:   &core.Resources{Requests: entries(t, "CPU=1"), Limits: entries(t, "CPU=2", "MEMORY=2G")},
			want: want{
				runnerReq: rl("cpu", "1", "memory", "2G"), runnerLim: rl("cpu", "2", "memory", "2G"),
				req: rl("cpu", "1", "memory", "2G"), lim: rl("cpu", "2", "memory", "2G"),
				args: workerArgsFor("2", "2G"),
			},
		},
		{
			name:   "happy path: requests 2/8G, limits 8/17G",
			custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2,"resources":{}}}`,
			task:   &core.Resources{Requests: entries(t, "CPU=2", "MEMORY=8G"), Limits: entries(t, "CPU=8", "MEMORY=17G")},
			want: want{
				runnerReq: rl("cpu", "2", "memory", "8G"), runnerLim: rl("cpu", "8", "memory", "17G"),
				req: rl("cpu", "2", "memory", "8G"), lim: rl("cpu", "8", "memory", "17G"),
				args: workerArgsFor("8", "17G"),
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, err := Explain(daskTemplate(t, tc.custom, tc.task), specPlatform())
			require.NoError(t, err)
			runner := pod(t, j, RoleJobRunner)
			assert.Equal(t, tc.want.runnerReq, runner.Requests, "job-runner requests")
			assert.Equal(t, tc.want.runnerLim, runner.Limits, "job-runner limits")
			for _, role := range []string{RoleScheduler, RoleWorker} {
				p := pod(t, j, role)
				assert.Equal(t, tc.want.req, p.Requests, role+" requests")
				assert.Equal(t, tc.want.lim, p.Limits, role+" limits")
			}
			assert.Equal(t, tc.want.args, pod(t, j, RoleWorker).Args)
			assert.Equal(t, []string{"dask-scheduler"}, pod(t, j, RoleScheduler).Args)
		})
	}
}

// --- dask-spec.md §5 checklist items 25–31 ------------------------------------------------------

func TestExplainChecklist25WorkerLimitsAndRequest(t *testing.T) {
	custom := `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{"requests":[{"name":"CPU","value":"5"}],"limits":[{"name":"CPU","value":"10"},{"name":"MEMORY","value":"15G"}]}}}`
	j, err := Explain(daskTemplate(t, custom, nil), DefaultPlatform())
	require.NoError(t, err)
	w := pod(t, j, RoleWorker)
	assert.Equal(t, rl("cpu", "5", "memory", "15G"), w.Requests)
	assert.Equal(t, rl("cpu", "10", "memory", "15G"), w.Limits)
	assert.Equal(t, workerArgsFor("10", "15G"), w.Args)
	assert.True(t, hasNote(j, RoleWorker, "requests.cpu", "request 5 differs from its limit 10"), j.Notes)
}

func TestExplainChecklist26OnlyLimits(t *testing.T) {
	custom := `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":"CPU","value":"500m"},{"name":"MEMORY","value":"1.5Gi"}]}}}`
	j, err := Explain(daskTemplate(t, custom, nil), DefaultPlatform())
	require.NoError(t, err)
	w := pod(t, j, RoleWorker)
	assert.Equal(t, rl("cpu", "500m", "memory", "1536Mi"), w.Requests)
	assert.Equal(t, w.Requests, w.Limits)
	assert.Equal(t, workerArgsFor("1", "1536Mi"), w.Args)
	assert.True(t, hasNote(j, RoleWorker, "args", "workers get 1 thread on a 500m CPU limit"), j.Notes)
}

func TestExplainChecklist27WorkersCopyRunner(t *testing.T) {
	task := &core.Resources{Requests: entries(t, "CPU=2", "MEMORY=3Gi")}
	j, err := Explain(daskTemplate(t, customWith(3, `{}`), task), DefaultPlatform())
	require.NoError(t, err)
	runner, w := pod(t, j, RoleJobRunner), pod(t, j, RoleWorker)
	assert.Equal(t, rl("cpu", "2", "memory", "3Gi"), runner.Requests)
	assert.Equal(t, rl("cpu", "2", "memory", "3Gi"), runner.Limits, "limits copy requests")
	assert.Equal(t, runner.Requests, w.Requests)
	assert.Equal(t, runner.Limits, w.Limits)
	assert.Equal(t, workerArgsFor("2", "3Gi"), w.Args)
	assert.Equal(t, 3, w.Replicas)
	assert.True(t, hasNote(j, RoleWorker, "resources", "workers get the job runner's resources"), j.Notes)

	// Without task resources, everything comes from the platform defaults.
	j, err = Explain(daskTemplate(t, customWith(1, `{}`), nil), DefaultPlatform())
	require.NoError(t, err)
	assert.Equal(t, workerArgsFor("1", "1Gi"), pod(t, j, RoleWorker).Args)
	assert.True(t, hasNote(j, RoleJobRunner, "requests.memory", "platform default request (1Gi)"), j.Notes)
}

func TestExplainChecklist28SchedulerMemoryFromPlatform(t *testing.T) {
	custom := `{"scheduler":{"resources":{"limits":[{"name":"CPU","value":"2"}]}},"workers":{"numberOfWorkers":1,"resources":{}}}`
	task := &core.Resources{Requests: entries(t, "MEMORY=8Gi")}
	j, err := Explain(daskTemplate(t, custom, task), DefaultPlatform())
	require.NoError(t, err)
	s := pod(t, j, RoleScheduler)
	assert.Equal(t, rl("cpu", "2", "memory", "1Gi"), s.Requests)
	assert.Equal(t, rl("cpu", "2", "memory", "1Gi"), s.Limits)
	assert.Equal(t, "8Gi", pod(t, j, RoleJobRunner).Requests["memory"])
	assert.True(t, hasNote(j, RoleScheduler, "requests.memory", "not the task's (8Gi)"), j.Notes)

	// With §2.6's platform the default request is 10G.
	j, err = Explain(daskTemplate(t, custom, task), specPlatform())
	require.NoError(t, err)
	assert.Equal(t, "10G", pod(t, j, RoleScheduler).Requests["memory"])
}

func TestExplainChecklist29NamesPoliciesPorts(t *testing.T) {
	j, err := Explain(daskTemplate(t, customWith(2, `{}`), nil), DefaultPlatform())
	require.NoError(t, err)
	require.Len(t, j.Pods, 3)
	type shape struct {
		role, container, restart string
		replicas                 int
	}
	var got []shape
	for _, p := range j.Pods {
		got = append(got, shape{p.Role, p.ContainerName, p.RestartPolicy, p.Replicas})
	}
	assert.Equal(t, []shape{
		{RoleJobRunner, "job-runner", "Never", 1},
		{RoleScheduler, "scheduler", "Always", 1},
		{RoleWorker, "dask-worker", "Always", 2},
	}, got)
	s := pod(t, j, RoleScheduler)
	assert.Equal(t, []string{"dask-scheduler"}, s.Args)
	assert.Equal(t, []Port{{"tcp-comm", 8786}, {"dashboard", 8787}}, s.Ports)
	assert.Empty(t, pod(t, j, RoleJobRunner).Ports)
	assert.Empty(t, pod(t, j, RoleWorker).Ports)
	assert.Equal(t, []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"},
		pod(t, j, RoleJobRunner).Args)
	assert.Equal(t, "wf.dask_task", j.Task)
}

func TestExplainChecklist30Interruptible(t *testing.T) {
	for _, interruptible := range []bool{false, true} {
		tmpl := daskTemplate(t, customWith(1, `{}`), nil)
		tmpl.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: interruptible}
		j, err := Explain(tmpl, DefaultPlatform())
		require.NoError(t, err)
		assert.False(t, pod(t, j, RoleJobRunner).Interruptible)
		assert.False(t, pod(t, j, RoleScheduler).Interruptible)
		assert.Equal(t, interruptible, pod(t, j, RoleWorker).Interruptible)
		assert.Equal(t, interruptible, hasNote(j, RoleWorker, "interruptible", "workers only"))
	}
}

func TestExplainChecklist31CustomImages(t *testing.T) {
	cases := []struct {
		name, custom                   string
		runner, scheduler, worker, img string
	}{
		{"scheduler only", `{"scheduler":{"image":"sched:2"},"workers":{"numberOfWorkers":1}}`, "ghcr.io/org/dask:1", "sched:2", "ghcr.io/org/dask:1", RoleScheduler},
		{"worker only", `{"scheduler":{},"workers":{"numberOfWorkers":1,"image":"work:3"}}`, "ghcr.io/org/dask:1", "ghcr.io/org/dask:1", "work:3", RoleWorker},
		{"empty image keeps task image", `{"scheduler":{"image":""},"workers":{"numberOfWorkers":1,"image":""}}`, "ghcr.io/org/dask:1", "ghcr.io/org/dask:1", "ghcr.io/org/dask:1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, err := Explain(daskTemplate(t, tc.custom, nil), DefaultPlatform())
			require.NoError(t, err)
			assert.Equal(t, tc.runner, pod(t, j, RoleJobRunner).Image)
			assert.Equal(t, tc.scheduler, pod(t, j, RoleScheduler).Image)
			assert.Equal(t, tc.worker, pod(t, j, RoleWorker).Image)
			for _, role := range []string{RoleScheduler, RoleWorker} {
				assert.Equal(t, role == tc.img, hasNote(j, role, "image", "differs from the task image"), role)
			}
		})
	}
}

// --- worker args: rounding and canonicalisation ------------------------------------------------

func TestExplainWorkerArgsRounding(t *testing.T) {
	cases := []struct{ cpu, nthreads string }{
		{"500m", "1"}, {"0.5", "1"}, {"1.5", "2"}, {"1001m", "2"}, {"1000m", "1"}, {"2", "2"}, {"10", "10"}, {"2001m", "3"},
	}
	for _, tc := range cases {
		t.Run(tc.cpu, func(t *testing.T) {
			custom := `{"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":"CPU","value":"` + tc.cpu + `"},{"name":"MEMORY","value":"1Gi"}]}}}`
			j, err := Explain(daskTemplate(t, custom, nil), DefaultPlatform())
			require.NoError(t, err)
			assert.Equal(t, workerArgsFor(tc.nthreads, "1Gi"), pod(t, j, RoleWorker).Args)
			q := resource.MustParse(tc.cpu)
			fractional := q.MilliValue()%1000 != 0
			assert.Equal(t, fractional, hasNote(j, RoleWorker, "args", "rounds up"), j.Notes)
		})
	}
}

func TestExplainWorkerArgsMemoryCanonical(t *testing.T) {
	cases := []struct{ mem, want string }{
		{"1.5Gi", "1536Mi"}, {"1000M", "1G"}, {"1.5G", "1500M"}, {"1024Mi", "1Gi"}, {"17G", "17G"}, {"2048", "2048"},
	}
	for _, tc := range cases {
		t.Run(tc.mem, func(t *testing.T) {
			custom := `{"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":"CPU","value":"1"},{"name":"MEMORY","value":"` + tc.mem + `"}]}}}`
			j, err := Explain(daskTemplate(t, custom, nil), DefaultPlatform())
			require.NoError(t, err)
			w := pod(t, j, RoleWorker)
			assert.Equal(t, workerArgsFor("1", tc.want), w.Args)
			assert.Equal(t, tc.want, w.Limits["memory"])
			assert.Equal(t, tc.want, w.Requests["memory"])
		})
	}
}

// --- resource resolution details ---------------------------------------------------------------

func TestExplainResourceResolution(t *testing.T) {
	cases := []struct {
		name      string
		platform  Platform
		workerRes string
		req, lim  map[string]string
		noteField string
		noteText  string
	}{
		{
			name: "only memory limit: cpu from platform default", platform: DefaultPlatform(),
			workerRes: `{"limits":[{"name":"MEMORY","value":"4Gi"}]}`,
			req:       rl("cpu", "1", "memory", "4Gi"), lim: rl("cpu", "1", "memory", "4Gi"),
			noteField: "limits.cpu", noteText: "worker cpu limit comes from the platform default (1)",
		},
		{
			name: "only cpu limit: memory from platform default", platform: DefaultPlatform(),
			workerRes: `{"limits":[{"name":"CPU","value":"2"}]}`,
			req:       rl("cpu", "2", "memory", "1Gi"), lim: rl("cpu", "2", "memory", "1Gi"),
			noteField: "limits.memory", noteText: "worker memory limit comes from the platform default (1Gi): set dask.workers.limits.mem",
		},
		{
			name: "only requests: limits copy them", platform: DefaultPlatform(),
			workerRes: `{"requests":[{"name":"CPU","value":"3"},{"name":"MEMORY","value":"6Gi"}]}`,
			req:       rl("cpu", "3", "memory", "6Gi"), lim: rl("cpu", "3", "memory", "6Gi"),
			noteField: "limits.cpu", noteText: "limit copies the request (3)",
		},
		{
			name: "capped at platform limit", platform: specPlatform(),
			workerRes: `{"limits":[{"name":"CPU","value":"16"},{"name":"MEMORY","value":"32G"}]}`,
			req:       rl("cpu", "10", "memory", "24G"), lim: rl("cpu", "10", "memory", "24G"),
			noteField: "limits.cpu", noteText: "cpu limit 16 is lowered to the platform limit 10",
		},
		{
			name: "request above limit is lowered to the limit", platform: DefaultPlatform(),
			workerRes: `{"requests":[{"name":"CPU","value":"4"}],"limits":[{"name":"CPU","value":"2"},{"name":"MEMORY","value":"1Gi"}]}`,
			req:       rl("cpu", "2", "memory", "1Gi"), lim: rl("cpu", "2", "memory", "1Gi"),
			noteField: "requests.cpu", noteText: "cpu request 4 is lowered to its limit 2",
		},
		{
			name: "zero values are dropped", platform: DefaultPlatform(),
			workerRes: `{"limits":[{"name":"CPU","value":"0"},{"name":"MEMORY","value":"2Gi"}]}`,
			req:       rl("cpu", "1", "memory", "2Gi"), lim: rl("cpu", "1", "memory", "2Gi"),
			noteField: "limits.cpu", noteText: "platform default",
		},
		{
			name: "STORAGE-only entries still replace task resources", platform: DefaultPlatform(),
			workerRes: `{"limits":[{"name":"STORAGE","value":"10Gi"}]}`,
			req:       rl("cpu", "1", "memory", "1Gi"), lim: rl("cpu", "1", "memory", "1Gi"),
			noteField: "limits.memory", noteText: "platform default",
		},
		{
			name: "gpu and ephemeral storage when present", platform: DefaultPlatform(),
			workerRes: `{"requests":[{"name":"EPHEMERAL_STORAGE","value":"10Gi"}],"limits":[{"name":"CPU","value":"1"},{"name":"MEMORY","value":"1Gi"},{"name":"GPU","value":"1"}]}`,
			req:       rl("cpu", "1", "memory", "1Gi", "nvidia.com/gpu", "1", "ephemeral-storage", "10Gi"),
			lim:       rl("cpu", "1", "memory", "1Gi", "nvidia.com/gpu", "1", "ephemeral-storage", "10Gi"),
			noteField: "limits.nvidia.com/gpu", noteText: "GPU is requested for workers only",
		},
		{
			name: "platform without cpu/memory defaults falls back to 1000m/1024Mi", platform: Platform{},
			workerRes: `{"limits":[{"name":"EPHEMERAL_STORAGE","value":"1Gi"}]}`,
			req:       rl("cpu", "1", "memory", "1Gi", "ephemeral-storage", "1Gi"),
			lim:       rl("cpu", "1", "memory", "1Gi", "ephemeral-storage", "1Gi"),
			noteField: "limits.cpu", noteText: "platform default (1)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			custom := `{"scheduler":{},"workers":{"numberOfWorkers":1,"resources":` + tc.workerRes + `}}`
			task := &core.Resources{Requests: entries(t, "CPU=7", "MEMORY=7Gi")}
			j, err := Explain(daskTemplate(t, custom, task), tc.platform)
			require.NoError(t, err)
			w := pod(t, j, RoleWorker)
			assert.Equal(t, tc.req, w.Requests, "requests")
			assert.Equal(t, tc.lim, w.Limits, "limits")
			assert.True(t, hasNote(j, RoleWorker, tc.noteField, tc.noteText), "want note %s %q in %v", tc.noteField, tc.noteText, j.Notes)
		})
	}
}

func TestExplainTaskResourcesDropStorageAndZero(t *testing.T) {
	task := &core.Resources{
		Requests: entries(t, "STORAGE=5Gi", "UNKNOWN=3", "CPU=0", "MEMORY=2Gi"),
		Limits:   entries(t, "GPU=1"),
	}
	j, err := Explain(daskTemplate(t, customWith(1, `{}`), task), DefaultPlatform())
	require.NoError(t, err)
	r := pod(t, j, RoleJobRunner)
	assert.Equal(t, rl("cpu", "1", "memory", "2Gi", "nvidia.com/gpu", "1"), r.Requests)
	assert.Equal(t, rl("cpu", "1", "memory", "2Gi", "nvidia.com/gpu", "1"), r.Limits)
}

// --- custom decoding ----------------------------------------------------------------------------

func TestExplainCustomDecoding(t *testing.T) {
	cases := []struct {
		name     string
		custom   string
		replicas int
	}{
		{"camelCase", `{"workers":{"numberOfWorkers":7}}`, 7},
		{"snake_case", `{"workers":{"number_of_workers":7}}`, 7},
		{"number as string", `{"workers":{"numberOfWorkers":"7"}}`, 7},
		{"unknown keys ignored", `{"workers":{"numberOfWorkers":2,"extra":true},"future":{"x":1}}`, 2},
		{"enum as number", `{"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":3,"value":"2Gi"}]}}}`, 1},
		{"empty object: no workers", `{}`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, err := Explain(daskTemplate(t, tc.custom, nil), DefaultPlatform())
			require.NoError(t, err)
			assert.Equal(t, tc.replicas, pod(t, j, RoleWorker).Replicas)
			assert.Equal(t, tc.replicas == 0, hasNote(j, RoleWorker, "replicas", "no worker replicas"))
		})
	}
	j, err := Explain(daskTemplate(t, cases[4].custom, nil), DefaultPlatform())
	require.NoError(t, err)
	assert.Equal(t, "2Gi", pod(t, j, RoleWorker).Limits["memory"], "enum 3 is MEMORY")
}

func TestExplainErrors(t *testing.T) {
	quantityMsg := "Failed to parse resource as a valid quantity.: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
	noTarget := daskTemplate(t, `{}`, nil)
	noTarget.Target = nil
	sql := daskTemplate(t, `{}`, nil)
	sql.Target = &core.TaskTemplate_Sql{Sql: &core.Sql{Statement: "select 1"}}
	nilCustom := daskTemplate(t, `{}`, nil)
	nilCustom.Custom = nil
	badTask := daskTemplate(t, `{}`, &core.Resources{Limits: entries(t, "MEMORY=2gi")})
	podNoSpec := daskTemplate(t, `{}`, nil)
	podNoSpec.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{}}
	podNoPrimary := daskTemplate(t, `{}`, nil)
	podNoPrimary.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, `{"containers":[{"name":"main"}]}`)}}
	podWrongPrimary := daskTemplate(t, `{}`, nil)
	podWrongPrimary.Target = podNoPrimary.Target
	podWrongPrimary.Config = map[string]string{"primary_container_name": "primary"}
	podBadQuantity := daskTemplate(t, `{}`, nil)
	podBadQuantity.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, `{"containers":[{"name":"primary","resources":{"limits":{"cpu":"lots"}}}]}`)}}
	podBadQuantity.Config = map[string]string{"primary_container_name": "primary"}

	cases := []struct {
		name   string
		tmpl   *core.TaskTemplate
		code   string
		exact  string // full message, if checked exactly
		prefix string
		has    string
		isErr  error
	}{
		{name: "nil template", tmpl: nil, code: CodeBadTaskSpecification, exact: "[BadTaskSpecification] nil task specification"},
		{name: "nil custom", tmpl: nilCustom, code: CodeBadTaskSpecification,
			exact: "[BadTaskSpecification] invalid TaskSpecification [<nil>], failed to unmarshal, caused by: nil Struct object passed"},
		{name: "fractional workers", tmpl: daskTemplate(t, `{"workers":{"numberOfWorkers":2.5}}`, nil), code: CodeBadTaskSpecification,
			prefix: `[BadTaskSpecification] invalid TaskSpecification [{"workers":{"numberOfWorkers":2.5}}], failed to unmarshal, caused by: Failed to unmarshal json obj into proto: `},
		{name: "negative workers", tmpl: daskTemplate(t, `{"workers":{"numberOfWorkers":-1}}`, nil), code: CodeBadTaskSpecification, has: "failed to unmarshal"},
		{name: "too many workers", tmpl: daskTemplate(t, `{"workers":{"numberOfWorkers":4294967296}}`, nil), code: CodeBadTaskSpecification, has: "failed to unmarshal"},
		{name: "unknown enum name", tmpl: daskTemplate(t, `{"workers":{"resources":{"limits":[{"name":"BOGUS","value":"1"}]}}}`, nil), code: CodeBadTaskSpecification,
			has: `unknown value "\"BOGUS\"" for enum flyteidl.core.Resources.ResourceName`},
		{name: "wrong shape", tmpl: daskTemplate(t, `{"scheduler":"x"}`, nil), code: CodeBadTaskSpecification, has: "failed to unmarshal"},
		{name: "custom quantity 2gi", tmpl: daskTemplate(t, `{"workers":{"resources":{"limits":[{"name":"MEMORY","value":"2gi"}]}}}`, nil),
			exact: quantityMsg, isErr: resource.ErrFormatWrong},
		{name: "custom quantity empty", tmpl: daskTemplate(t, `{"scheduler":{"resources":{"requests":[{"name":"CPU","value":""}]}}}`, nil),
			exact: quantityMsg, isErr: resource.ErrFormatWrong},
		{name: "custom quantity abc", tmpl: daskTemplate(t, `{"scheduler":{"resources":{"requests":[{"name":"CPU","value":"abc"}]}}}`, nil),
			exact: quantityMsg, isErr: resource.ErrFormatWrong},
		{name: "task quantity", tmpl: badTask, exact: quantityMsg, isErr: resource.ErrFormatWrong},
		{name: "no target", tmpl: noTarget, code: CodeBadTaskSpecification,
			exact: "[BadTaskSpecification] invalid TaskSpecification, unable to determine Pod configuration"},
		{name: "sql target", tmpl: sql, code: CodeBadTaskSpecification,
			exact: "[BadTaskSpecification] invalid TaskSpecification, unable to determine Pod configuration"},
		{name: "k8s_pod without pod spec", tmpl: podNoSpec, code: CodeBadTaskSpecification,
			exact: "[BadTaskSpecification] Pod tasks with task type version > 1 should specify their target as a K8sPod with a defined pod spec"},
		{name: "k8s_pod without primary_container_name", tmpl: podNoPrimary, code: CodeBadTaskSpecification,
			exact: "[BadTaskSpecification] invalid TaskSpecification, config missing [primary_container_name] key in [map[]]"},
		{name: "k8s_pod primary container missing", tmpl: podWrongPrimary, code: CodeBadTaskSpecification,
			exact: "[BadTaskSpecification] invalid TaskSpecification, primary container [primary] not defined"},
		{name: "k8s_pod bad quantity", tmpl: podBadQuantity, code: CodeBadTaskSpecification,
			// Compact JSON in every build (protojson alone may add spaces after commas in some).
			exact: `[BadTaskSpecification] Unable to unmarshal task k8s pod [{"containers":[{"name":"primary","resources":{"limits":{"cpu":"lots"}}}]}], ` +
				`Err: [quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$']`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, err := Explain(tc.tmpl, DefaultPlatform())
			require.Error(t, err)
			assert.Nil(t, j)
			var be *BuildError
			require.True(t, errors.As(err, &be), "error %T is not a *BuildError", err)
			assert.Equal(t, tc.code, be.Code)
			if tc.exact != "" {
				assert.Equal(t, tc.exact, err.Error())
			}
			if tc.prefix != "" {
				assert.True(t, strings.HasPrefix(err.Error(), tc.prefix), err.Error())
			}
			if tc.has != "" {
				assert.Contains(t, err.Error(), tc.has)
			}
			if tc.isErr != nil {
				assert.ErrorIs(t, err, tc.isErr)
			}
		})
	}
}

// --- k8s_pod target -----------------------------------------------------------------------------

func podTemplate(t testing.TB, custom string) *core.TaskTemplate {
	tmpl := daskTemplate(t, custom, nil)
	tmpl.Config = map[string]string{"primary_container_name": "primary"}
	tmpl.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: mustStruct(t, `{
		"restartPolicy": "OnFailure",
		"containers": [
			{"name": "sidecar", "image": "busybox", "resources": {"limits": {"cpu": "9"}}},
			{"name": "primary", "image": "ghcr.io/org/pod:2", "args": ["pyflyte-execute", "--inputs", "{{.input}}"],
			 "env": [{"name": "DASK_SCHEDULER_ADDRESS", "value": "x"}],
			 "resources": {"requests": {"cpu": "500m"}, "limits": {"memory": "3Gi", "gpu": 1}}}
		]}`)}}
	return tmpl
}

func TestExplainK8sPodTarget(t *testing.T) {
	j, err := Explain(podTemplate(t, customWith(2, `{}`)), DefaultPlatform())
	require.NoError(t, err)
	r := pod(t, j, RoleJobRunner)
	assert.Equal(t, "ghcr.io/org/pod:2", r.Image)
	assert.Equal(t, []string{"pyflyte-execute", "--inputs", "{{.input}}"}, r.Args)
	assert.Equal(t, rl("cpu", "500m", "memory", "3Gi", "nvidia.com/gpu", "1"), r.Requests)
	assert.Equal(t, rl("cpu", "500m", "memory", "3Gi", "nvidia.com/gpu", "1"), r.Limits)
	assert.Equal(t, "ghcr.io/org/pod:2", pod(t, j, RoleScheduler).Image)
	w := pod(t, j, RoleWorker)
	assert.Equal(t, "ghcr.io/org/pod:2", w.Image)
	assert.Equal(t, workerArgsFor("1", "3Gi"), w.Args)
	assert.Equal(t, "Always", w.RestartPolicy)
	assert.True(t, hasNote(j, "", "containers", "(sidecar) are copied into all three pods"), j.Notes)
	assert.True(t, hasNote(j, "", "restartPolicy", "OnFailure is replaced"), j.Notes)
	assert.True(t, hasNote(j, "", "env", "DASK_SCHEDULER_ADDRESS"), j.Notes)
	assert.True(t, hasNote(j, RoleScheduler, "limits.nvidia.com/gpu", "holds the task's GPU (1)"), j.Notes)
}

// --- other notes ----------------------------------------------------------------------------------

func TestExplainNotes(t *testing.T) {
	tmpl := daskTemplate(t, customWith(1, `{}`), nil)
	tmpl.Type = "python-task"
	tmpl.GetContainer().Command = []string{"/bin/entry"}
	j, err := Explain(tmpl, DefaultPlatform())
	require.NoError(t, err)
	assert.True(t, hasNote(j, "", "type", `task type is "python-task"`), j.Notes)
	assert.True(t, hasNote(j, RoleScheduler, "command", "[/bin/entry] is kept"), j.Notes)
	assert.True(t, hasNote(j, RoleWorker, "command", "[/bin/entry] is kept"), j.Notes)
	assert.Equal(t, []string{"/bin/entry"}, pod(t, j, RoleWorker).Command)
	assert.Equal(t, "", j.Notes[0].Pod, "task-level notes come first")

	// A fully specified task gives no resource notes about defaults.
	custom := `{"scheduler":{"resources":{"limits":[{"name":"CPU","value":"1"},{"name":"MEMORY","value":"2Gi"}]}},"workers":{"numberOfWorkers":2,"resources":{"limits":[{"name":"CPU","value":"2"},{"name":"MEMORY","value":"4Gi"}]}}}`
	j, err = Explain(daskTemplate(t, custom, &core.Resources{Limits: entries(t, "CPU=1", "MEMORY=1Gi")}), DefaultPlatform())
	require.NoError(t, err)
	assert.Empty(t, j.Notes)
	assert.NotNil(t, j.Notes, "notes render as [] in JSON")
}

func TestExplainDoesNotMutateInput(t *testing.T) {
	tmpl := podTemplate(t, customWith(2, `{"limits":[{"name":"CPU","value":"1"}]}`))
	before := protojson.Format(tmpl.GetCustom())
	j1, err := Explain(tmpl, specPlatform())
	require.NoError(t, err)
	j2, err := Explain(tmpl, specPlatform())
	require.NoError(t, err)
	assert.Equal(t, j1, j2)
	assert.Equal(t, before, protojson.Format(tmpl.GetCustom()))
}

// FuzzExplain feeds arbitrary custom objects and pod specs (as they could come from a bundle) to
// Explain: it must not panic, must fail only with *BuildError, and must otherwise return the three
// pods with complete worker args.
func FuzzExplain(f *testing.F) {
	f.Add(`{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{}}}`, ``)
	f.Add(`{"workers":{"numberOfWorkers":"3","resources":{"limits":[{"name":"CPU","value":"1.5"},{"name":3,"value":"1e3Mi"}]}}}`, ``)
	f.Add(`{"scheduler":{"image":"x","resources":{"requests":[{"name":"GPU","value":"-1"}]}}}`, `{"containers":[{"name":"primary","resources":{"limits":{"gpu":"1","cpu":"0"}}}]}`)
	f.Add(`{"workers":{"numberOfWorkers":2.5}}`, `{"containers":"x"}`)
	f.Add(`{}`, `{"restartPolicy":"Always","containers":[{"name":"primary","image":"i","env":[{"name":"DASK_WORKER_NAME"}]},{"name":"s"}]}`)
	f.Fuzz(func(t *testing.T, custom, podSpec string) {
		s := &structpb.Struct{}
		if protojson.Unmarshal([]byte(custom), s) != nil {
			return
		}
		tmpl := daskTemplate(t, `{}`, nil)
		tmpl.Custom = s
		if podSpec != "" {
			ps := &structpb.Struct{}
			if protojson.Unmarshal([]byte(podSpec), ps) != nil {
				return
			}
			tmpl.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{PodSpec: ps}}
			tmpl.Config = map[string]string{"primary_container_name": "primary"}
		}
		j, err := Explain(tmpl, DefaultPlatform())
		if err != nil {
			var be *BuildError
			if !errors.As(err, &be) {
				t.Fatalf("error %T is not a *BuildError: %v", err, err)
			}
			return
		}
		if len(j.Pods) != 3 || len(j.Pods[2].Args) != 7 || j.Pods[1].Args[0] != "dask-scheduler" {
			t.Fatalf("unexpected job: %+v", j)
		}
		var buf strings.Builder
		if err := j.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
	})
}

// A template without metadata or id is explained (nothing is interruptible, the task is unnamed).
func TestExplainMissingMetadataAndID(t *testing.T) {
	tmpl := daskTemplate(t, customWith(2, `{}`), nil)
	tmpl.Metadata, tmpl.Id = nil, nil
	j, err := Explain(tmpl, DefaultPlatform())
	require.NoError(t, err)
	assert.Equal(t, "", j.Task)
	for _, p := range j.Pods {
		assert.False(t, p.Interruptible, p.Role)
	}
	var buf strings.Builder
	require.NoError(t, j.WriteText(&buf))
	assert.True(t, strings.HasPrefix(buf.String(), "Task: (unnamed)\n"), buf.String())
}
