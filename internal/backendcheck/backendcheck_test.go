package backendcheck_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flytestdlib/logger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/internal/backendcheck"
)

func TestMain(m *testing.M) {
	// flyteplugins logs every resource resolution at info level; keep test output readable.
	if err := logger.SetConfig(&logger.Config{Level: logger.ErrorLevel}); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// Canonical DaskJob customs as flytekit emits them (dask-spec.md §1.4).
const (
	// customDefault is Dask().
	customDefault = `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{}}}`
	// customFull is the full example of flytekit's test_task.py.
	customFull = `{"scheduler": {"image": "scheduler:latest", "resources": {"requests": [{"name": "CPU", "value": "1"}], "limits": [{"name": "CPU", "value": "2"}]}}, "workers": {"numberOfWorkers": 123, "image": "dask_cluster:latest", "resources": {"requests": [{"name": "CPU", "value": "3"}], "limits": [{"name": "CPU", "value": "4"}]}}}`
)

var renderedJobArgs = []string{
	"pyflyte-execute", "--inputs", backendcheck.FakeInputPrefix + "/inputs.pb",
	"--output-prefix", backendcheck.FakeOutputPrefix,
	"--raw-output-data-prefix", backendcheck.FakeRawOutputPrefix,
	"--checkpoint-path", backendcheck.FakeCheckpointPrefix,
	"--prev-checkpoint", `""`,
	"--resolver", "flytekit.core.python_auto_container.default_task_resolver", "--",
	"task-module", "workflows.dask_wf", "task-name", "hello_dask",
}

func workerArgs(nthreads, memoryLimit string) []string {
	return []string{"dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", nthreads, "--memory-limit", memoryLimit}
}

func rl(kv ...string) v1.ResourceList {
	l := v1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[v1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func qm(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// podWant is what a test expects of one pod kind. Nil maps mean "no entries".
type podWant struct {
	image    string
	requests map[string]string
	limits   map[string]string
}

func TestBuildFlytekitShapedTemplates(t *testing.T) {
	platform := v1.ResourceRequirements{Requests: rl("cpu", "4", "memory", "10G"), Limits: rl("cpu", "10", "memory", "24G")}
	defaults := qm("cpu", "1", "memory", "1Gi") // k8s plugin config DefaultCPURequest / DefaultMemoryRequest

	tests := []struct {
		name string
		// custom is the DaskJob custom JSON.
		custom string
		// taskResources are the task container's resources (flytekit: requests/limits of @task).
		taskResources *core.Resources
		opts          backendcheck.Options

		job, scheduler, workers podWant
		replicas                int
		workerArgs              []string
	}{
		{
			name:   "Dask() defaults",
			custom: customDefault,
			job:    podWant{image: taskImage, requests: defaults, limits: defaults},
			// No custom resources: scheduler and workers keep the job runner's resolved resources.
			scheduler:  podWant{image: taskImage, requests: defaults, limits: defaults},
			workers:    podWant{image: taskImage, requests: defaults, limits: defaults},
			replicas:   1,
			workerArgs: workerArgs("1", "1Gi"),
		},
		{
			name:      "full flytekit example: images and CPU requests/limits",
			custom:    customFull,
			job:       podWant{image: taskImage, requests: defaults, limits: defaults},
			scheduler: podWant{image: "scheduler:latest", requests: qm("cpu", "1"), limits: qm("cpu", "2")},
			// v1.1.31 uses custom resources raw: no memory at all, hence --memory-limit 0.
			// Current backend (>= v1.15.1): memory request/limit 1Gi (platform default), --memory-limit 1Gi.
			workers:    podWant{image: "dask_cluster:latest", requests: qm("cpu", "3"), limits: qm("cpu", "4")},
			replicas:   123,
			workerArgs: workerArgs("4", "0"),
		},
		{
			name:      "worker limits CPU 10, MEMORY 15G",
			custom:    `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2,"resources":{"limits":[{"name":"CPU","value":"10"},{"name":"MEMORY","value":"15G"}]}}}`,
			job:       podWant{image: taskImage, requests: defaults, limits: defaults},
			scheduler: podWant{image: taskImage, requests: defaults, limits: defaults},
			// v1.1.31: requests stay empty. Current backend: requests == limits.
			workers:    podWant{image: taskImage, limits: qm("cpu", "10", "memory", "15G")},
			replicas:   2,
			workerArgs: workerArgs("10", "15G"),
		},
		{
			name:       "worker limits CPU 500m, MEMORY 1.5Gi",
			custom:     `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":3,"resources":{"limits":[{"name":"CPU","value":"500m"},{"name":"MEMORY","value":"1.5Gi"}]}}}`,
			job:        podWant{image: taskImage, requests: defaults, limits: defaults},
			scheduler:  podWant{image: taskImage, requests: defaults, limits: defaults},
			workers:    podWant{image: taskImage, limits: qm("cpu", "500m", "memory", "1536Mi")},
			replicas:   3,
			workerArgs: workerArgs("1", "1536Mi"), // Value() rounds 500m up; 1.5Gi is canonically 1536Mi
		},
		{
			name:      "worker requests only",
			custom:    `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{"requests":[{"name":"CPU","value":"500m"}]}}}`,
			job:       podWant{image: taskImage, requests: defaults, limits: defaults},
			scheduler: podWant{image: taskImage, requests: defaults, limits: defaults},
			// v1.1.31: the limits map is non-nil but empty, so both flags read zero quantities.
			// Current backend: limits cpu 500m, memory 1Gi, --nthreads 1 --memory-limit 1Gi.
			workers:    podWant{image: taskImage, requests: qm("cpu", "500m")},
			replicas:   1,
			workerArgs: workerArgs("0", "0"),
		},
		{
			name:          "task container resources flow to all pods",
			custom:        customDefault,
			taskResources: &core.Resources{Requests: entries("CPU", "2", "MEMORY", "4Gi"), Limits: entries("CPU", "2", "MEMORY", "4Gi")},
			job:           podWant{image: taskImage, requests: qm("cpu", "2", "memory", "4Gi"), limits: qm("cpu", "2", "memory", "4Gi")},
			scheduler:     podWant{image: taskImage, requests: qm("cpu", "2", "memory", "4Gi"), limits: qm("cpu", "2", "memory", "4Gi")},
			workers:       podWant{image: taskImage, requests: qm("cpu", "2", "memory", "4Gi"), limits: qm("cpu", "2", "memory", "4Gi")},
			replicas:      1,
			workerArgs:    workerArgs("2", "4Gi"),
		},
		{
			// dask-spec.md §2.6, third test-backed example.
			name:   "override requests cpu 1, limits cpu 2 memory 2G",
			custom: customDefault,
			opts: backendcheck.Options{
				Resources:         v1.ResourceRequirements{Requests: rl("cpu", "1"), Limits: rl("cpu", "2", "memory", "2G")},
				PlatformResources: platform,
			},
			job:        podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "2", "memory", "2G")},
			scheduler:  podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "2", "memory", "2G")},
			workers:    podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "2", "memory", "2G")},
			replicas:   1,
			workerArgs: workerArgs("2", "2G"),
		},
		{
			// dask-spec.md §2.6, second test-backed example: the cpu limit is capped at the platform limit.
			name:   "override limit above platform limit is capped",
			custom: customDefault,
			opts: backendcheck.Options{
				Resources:         v1.ResourceRequirements{Requests: rl("cpu", "1", "memory", "2G"), Limits: rl("cpu", "16")},
				PlatformResources: platform,
			},
			job:        podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "10", "memory", "2G")},
			scheduler:  podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "10", "memory", "2G")},
			workers:    podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "10", "memory", "2G")},
			replicas:   1,
			workerArgs: workerArgs("10", "2G"),
		},
		{
			// v1.1.31 does not cap custom resources at the platform limits (the container path above is capped).
			// Current backend: worker limits cpu 10 (capped), --nthreads 10.
			name:   "custom worker limits above platform limits are not capped",
			custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":"CPU","value":"16"},{"name":"MEMORY","value":"32G"}]}}}`,
			opts: backendcheck.Options{
				Resources:         v1.ResourceRequirements{Requests: rl("cpu", "1", "memory", "2G"), Limits: rl("cpu", "2", "memory", "2G")},
				PlatformResources: platform,
			},
			job:        podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "2", "memory", "2G")},
			scheduler:  podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "2", "memory", "2G")},
			workers:    podWant{image: taskImage, limits: qm("cpu", "16", "memory", "32G")},
			replicas:   1,
			workerArgs: workerArgs("16", "32G"),
		},
		{
			// dask-spec.md §2.6, first test-backed example. Current backend: scheduler and workers get
			// requests {cpu 5, memory 15G}; v1.1.31 keeps the custom requests raw.
			name:   "custom requests cpu 5, limits cpu 10 memory 15G",
			custom: `{"scheduler":{"resources":{"requests":[{"name":"CPU","value":"5"}],"limits":[{"name":"CPU","value":"10"},{"name":"MEMORY","value":"15G"}]}},"workers":{"numberOfWorkers":10,"resources":{"requests":[{"name":"CPU","value":"5"}],"limits":[{"name":"CPU","value":"10"},{"name":"MEMORY","value":"15G"}]}}}`,
			opts: backendcheck.Options{
				Resources:         v1.ResourceRequirements{Requests: rl("cpu", "1"), Limits: rl("cpu", "2", "memory", "2G")},
				PlatformResources: platform,
			},
			job:        podWant{image: taskImage, requests: qm("cpu", "1", "memory", "2G"), limits: qm("cpu", "2", "memory", "2G")},
			scheduler:  podWant{image: taskImage, requests: qm("cpu", "5"), limits: qm("cpu", "10", "memory", "15G")},
			workers:    podWant{image: taskImage, requests: qm("cpu", "5"), limits: qm("cpu", "10", "memory", "15G")},
			replicas:   10,
			workerArgs: workerArgs("10", "15G"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := flytekitTemplate(t, tc.custom)
			if tc.taskResources != nil {
				tmpl.GetContainer().Resources = tc.taskResources
			}
			require.NoError(t, backendcheck.Compile(tmpl))

			job, err := backendcheck.Build(context.Background(), tmpl, tc.opts)
			require.NoError(t, err)
			s, err := backendcheck.Summarize(job)
			require.NoError(t, err)

			assert.Equal(t, "kubernetes.dask.org/v1", s.APIVersion)
			assert.Equal(t, "DaskJob", s.Kind)

			// Job runner: the task's own container, rendered.
			assert.Equal(t, backendcheck.JobRunnerContainer, s.Job.ContainerName)
			assert.Equal(t, "Never", s.Job.RestartPolicy)
			assert.Equal(t, renderedJobArgs, s.Job.Args)
			assert.Empty(t, s.Job.Command)
			assert.Equal(t, 1, s.Job.Replicas)
			assert.Equal(t, 1, s.Job.ContainerCount)
			assert.Contains(t, s.Job.Env, "FLYTE_INTERNAL_EXECUTION_ID")
			assertPod(t, "job", tc.job, s.Job)

			// Scheduler.
			assert.Equal(t, backendcheck.SchedulerContainer, s.Scheduler.ContainerName)
			assert.Equal(t, "Always", s.Scheduler.RestartPolicy)
			assert.Equal(t, []string{"dask-scheduler"}, s.Scheduler.Args)
			assert.Equal(t, []string{"tcp-comm:8786/TCP", "dashboard:8787/TCP"}, s.Scheduler.Ports)
			assert.Equal(t, 1, s.Scheduler.Replicas)
			assertPod(t, "scheduler", tc.scheduler, s.Scheduler)
			assert.Equal(t, backendcheck.ServiceSummary{
				Type:     "NodePort",
				Selector: map[string]string{"dask.org/cluster-name": backendcheck.DefaultGeneratedName, "dask.org/component": "scheduler"},
				Ports:    []string{"tcp-comm:8786->tcp-comm/TCP", "dashboard:8787->dashboard/TCP"},
			}, s.SchedulerService)

			// Workers.
			assert.Equal(t, backendcheck.WorkerContainer, s.Workers.ContainerName)
			assert.Equal(t, "Always", s.Workers.RestartPolicy)
			assert.Equal(t, tc.workerArgs, s.Workers.Args)
			assert.Empty(t, s.Workers.Ports)
			assert.Equal(t, tc.replicas, s.Workers.Replicas)
			assertPod(t, "workers", tc.workers, s.Workers)

			// Not interruptible: nobody gets the interruptible tolerations.
			for _, p := range []backendcheck.PodSummary{s.Job, s.Scheduler, s.Workers} {
				assert.Empty(t, p.Tolerations, p.ContainerName)
				assert.Empty(t, p.NodeSelector, p.ContainerName)
			}
		})
	}
}

func assertPod(t *testing.T, what string, want podWant, got backendcheck.PodSummary) {
	t.Helper()
	assert.Equal(t, want.image, got.Image, what+" image")
	assert.Equal(t, nilIfEmpty(want.requests), got.Requests, what+" requests")
	assert.Equal(t, nilIfEmpty(want.limits), got.Limits, what+" limits")
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func entries(kv ...string) []*core.Resources_ResourceEntry {
	var out []*core.Resources_ResourceEntry
	for i := 0; i < len(kv); i += 2 {
		out = append(out, &core.Resources_ResourceEntry{
			Name:  core.Resources_ResourceName(core.Resources_ResourceName_value[kv[i]]),
			Value: kv[i+1],
		})
	}
	return out
}

func TestBuildInterruptibleOnlyWorkers(t *testing.T) {
	custom := []v1.Toleration{{Key: "x/flyte", Operator: v1.TolerationOpEqual, Value: "interruptible", Effect: v1.TaintEffectNoSchedule}}
	tests := []struct {
		name          string
		opts          backendcheck.Options
		wantWorkerTol []string
		wantWorkerSel map[string]string
	}{
		{
			name:          "not interruptible",
			opts:          backendcheck.Options{},
			wantWorkerTol: nil,
			wantWorkerSel: nil,
		},
		{
			name:          "interruptible, default config",
			opts:          backendcheck.Options{Interruptible: true},
			wantWorkerTol: []string{"flyte.org/interruptible=true:NoSchedule"},
			wantWorkerSel: map[string]string{"flyte.org/interruptible": "true"},
		},
		{
			name: "interruptible, custom config",
			opts: backendcheck.Options{
				Interruptible:             true,
				InterruptibleTolerations:  custom,
				InterruptibleNodeSelector: map[string]string{"x/interruptible": "true"},
			},
			wantWorkerTol: []string{"x/flyte=interruptible:NoSchedule"},
			wantWorkerSel: map[string]string{"x/interruptible": "true"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := flytekitTemplate(t, customFull)
			tmpl.Metadata.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: tc.opts.Interruptible}
			require.NoError(t, backendcheck.Compile(tmpl))
			job, err := backendcheck.Build(context.Background(), tmpl, tc.opts)
			require.NoError(t, err)
			s, err := backendcheck.Summarize(job)
			require.NoError(t, err)

			assert.Equal(t, tc.wantWorkerTol, s.Workers.Tolerations)
			assert.Equal(t, tc.wantWorkerSel, s.Workers.NodeSelector)
			// The job runner and the scheduler are built from a context forced to non-interruptible.
			assert.Empty(t, s.Job.Tolerations)
			assert.Empty(t, s.Job.NodeSelector)
			assert.Empty(t, s.Scheduler.Tolerations)
			assert.Empty(t, s.Scheduler.NodeSelector)
		})
	}

	// The interruptible config is restored after Build: a later non-interruptible build is unaffected
	// and so is a later interruptible build with the defaults.
	job, err := backendcheck.Build(context.Background(), flytekitTemplate(t, customDefault), backendcheck.Options{Interruptible: true})
	require.NoError(t, err)
	assert.Equal(t, backendcheck.DefaultInterruptibleTolerations, job.Spec.Cluster.Spec.Worker.Spec.Tolerations)
}

func TestBuildLabelsAnnotationsAndName(t *testing.T) {
	opts := backendcheck.Options{
		GeneratedName: "abc123-n1-0",
		Labels:        map[string]string{"label-1": "val1"},
		Annotations:   map[string]string{"annotation-1": "val1"},
	}
	job, err := backendcheck.Build(context.Background(), flytekitTemplate(t, customDefault), opts)
	require.NoError(t, err)
	assert.Equal(t, opts.Labels, job.Labels)
	assert.Equal(t, opts.Annotations, job.Annotations)
	assert.Equal(t, opts.Labels, job.Spec.Cluster.Labels)
	assert.Equal(t, opts.Annotations, job.Spec.Cluster.Annotations)
	assert.Equal(t, "abc123-n1-0", job.Spec.Cluster.Spec.Scheduler.Service.Selector["dask.org/cluster-name"])
}

// TestBuildBrokenCustoms shows what the real v1.1.31 plugin does with customs flytekit never emits. The
// panics are why a Go SDK must, like flytekit, always emit "scheduler" and "workers", each with
// "resources" (possibly {}). Registration does not catch any of this: Compile passes for all of them.
func TestBuildBrokenCustoms(t *testing.T) {
	tests := []struct {
		name   string
		custom string // "" means no custom at all
		// wantPanicIn is the plugin function whose nil dereference panics; "" means a plain error.
		wantPanicIn string
		wantErr     string
	}{
		{name: "empty object", custom: `{}`, wantPanicIn: "dask.daskResourceHandler.BuildResource"},
		{name: "missing scheduler", custom: `{"workers":{"numberOfWorkers":1,"resources":{}}}`, wantPanicIn: "dask.daskResourceHandler.BuildResource"},
		{name: "missing workers", custom: `{"scheduler":{"resources":{}}}`, wantPanicIn: "dask.daskResourceHandler.BuildResource"},
		{name: "scheduler without resources", custom: `{"scheduler":{},"workers":{"numberOfWorkers":1,"resources":{}}}`, wantPanicIn: "dask.createSchedulerSpec"},
		{name: "workers without resources", custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1}}`, wantPanicIn: "dask.createWorkerSpec"},
		{name: "no custom", custom: "", wantErr: "nil Struct Object passed"},
		{name: "invalid quantity", custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":"MEMORY","value":"2gi"}]}}}`, wantErr: "Failed to parse resource as a valid quantity"},
		{name: "unknown resource name", custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":1,"resources":{"limits":[{"name":"BOGUS","value":"1"}]}}}`, wantErr: "unknown value"},
		{name: "fractional worker count", custom: `{"scheduler":{"resources":{}},"workers":{"numberOfWorkers":2.5,"resources":{}}}`, wantErr: "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := flytekitTemplate(t, customDefault)
			tmpl.Custom = nil
			if tc.custom != "" {
				tmpl.Custom = customStruct(t, tc.custom)
			}
			require.NoError(t, backendcheck.Compile(tmpl), "FlyteAdmin's compile step does not look at custom")

			job, err := backendcheck.Build(context.Background(), tmpl, backendcheck.Options{})
			require.Error(t, err)
			assert.Nil(t, job)
			var pe *backendcheck.PanicError
			if tc.wantPanicIn != "" {
				require.ErrorIs(t, err, backendcheck.ErrPanic)
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, "BuildResource", pe.Op)
				assert.Contains(t, err.Error(), "panicked")
				assert.Contains(t, err.Error(), "nil pointer dereference")
				assert.Contains(t, string(pe.Stack), tc.wantPanicIn)
				return
			}
			assert.NotErrorIs(t, err, backendcheck.ErrPanic)
			assert.False(t, errors.As(err, &pe))
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestBuildBadTargets(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*core.TaskTemplate)
		wantErr string
	}{
		{name: "nil template", mutate: nil, wantErr: "nil task specification"},
		{name: "no target", mutate: func(tt *core.TaskTemplate) { tt.Target = nil }, wantErr: "unable to determine Pod configuration"},
		{name: "invalid container quantity", mutate: func(tt *core.TaskTemplate) {
			tt.GetContainer().Resources = &core.Resources{Limits: entries("CPU", "abc")}
		}, wantErr: "Failed to parse resource as a valid quantity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tmpl *core.TaskTemplate
			if tc.mutate != nil {
				tmpl = flytekitTemplate(t, customDefault)
				tc.mutate(tmpl)
			}
			_, err := backendcheck.Build(context.Background(), tmpl, backendcheck.Options{})
			require.Error(t, err)
			assert.NotErrorIs(t, err, backendcheck.ErrPanic)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*core.TaskTemplate)
		wantErr string // "" means success
	}{
		{name: "flytekit-shaped", mutate: func(*core.TaskTemplate) {}},
		{name: "missing id", mutate: func(tt *core.TaskTemplate) { tt.Id = nil }, wantErr: "Id"},
		{name: "empty image", mutate: func(tt *core.TaskTemplate) { tt.GetContainer().Image = "" }, wantErr: "image"},
		{name: "invalid container quantity", mutate: func(tt *core.TaskTemplate) {
			tt.GetContainer().Resources = &core.Resources{Requests: entries("MEMORY", "2gi")}
		}, wantErr: "2gi"},
		// CompileTask only validates the target it finds; a missing target is left to the plugin
		// (see TestBuildBadTargets).
		{name: "no target passes", mutate: func(tt *core.TaskTemplate) { tt.Target = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := flytekitTemplate(t, customFull)
			tc.mutate(tmpl)
			err := backendcheck.Compile(tmpl)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.NotErrorIs(t, err, backendcheck.ErrPanic)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
	require.Error(t, backendcheck.Compile(nil))
}

func TestSummarizeMissingContainer(t *testing.T) {
	job, err := backendcheck.Build(context.Background(), flytekitTemplate(t, customDefault), backendcheck.Options{})
	require.NoError(t, err)
	job.Spec.Cluster.Spec.Worker.Spec.Containers[0].Name = "renamed"
	_, err = backendcheck.Summarize(job)
	require.ErrorIs(t, err, backendcheck.ErrMissingContainer)
	_, err = backendcheck.Summarize(nil)
	require.Error(t, err)
}
