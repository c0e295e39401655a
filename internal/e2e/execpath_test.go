package e2e_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/explain"
	"github.com/flytedask/flytedask/internal/e2e/harness"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

// The real execution path (execpath.sh): a Dask task registered by flytedask
// runs through FlyteAdmin v1.1.131, kube-apiserver v1.34.4, flytepropeller
// v1.1.129 (dask plugin of flyteplugins v1.1.31) and the local Dask operator,
// which starts real dask-scheduler / dask-worker processes.

// daskSumScript is the job runner's program: it connects to the Dask cluster
// through DASK_SCHEDULER_ADDRESS (set by the operator), waits for the
// expected workers, checks what each worker reports (threads, memory limit in
// bytes) against argv, sums a dask.array across the workers and fails on a
// wrong result. It prints one DASKINFO line of JSON for the test.
const daskSumScript = `import json, os, sys
import dask.array as da
from distributed import Client
n, nthreads, mem = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = Client(os.environ["DASK_SCHEDULER_ADDRESS"], timeout=60)
c.wait_for_workers(n, timeout=120)
ws = list(c.scheduler_info()["workers"].values())
x = da.arange(2000000, chunks=100000)
total = int(x.sum().compute())
want = 2000000 * 1999999 // 2
info = {"workers": len(ws), "nthreads": sorted(w["nthreads"] for w in ws),
        "memory_limit": sorted(w["memory_limit"] for w in ws), "sum": total, "want": want}
print("DASKINFO " + json.dumps(info), flush=True)
if total != want or len(ws) != n or any(w["nthreads"] != nthreads or w["memory_limit"] != mem for w in ws):
    print("wrong result or cluster shape", file=sys.stderr)
    sys.exit(2)
`

// execPlatform is the execution admin's task_resources (execpath.sh), as
// explain needs it.
func execPlatform(t *testing.T) explain.Platform {
	t.Helper()
	return explain.Platform{
		DefaultRequests: explain.ResourceList{"cpu": resource.MustParse("100m"), "memory": resource.MustParse("200Mi")},
		Limits:          explain.ResourceList{"cpu": resource.MustParse("4"), "memory": resource.MustParse("8Gi")},
	}
}

// daskTask is a raw-command Dask task with 2 workers of 2 CPUs and 512Mi.
// The image is never pulled: the local operator runs the command on this
// machine (Debian's python3 with python3-distributed).
func daskTask(name string, command []string, args ...string) task.Task {
	return task.Task{
		Name:     name,
		Image:    "ghcr.io/flytedask/e2e-local-dask:not-pulled",
		Command:  command,
		Args:     args,
		Requests: resources.Spec{CPU: "500m", Mem: "256Mi"},
		Limits:   resources.Spec{CPU: "1", Mem: "512Mi"},
		Dask: dask.Config{Workers: dask.WorkerGroup{
			NumberOfWorkers: 2,
			Requests:        resources.Spec{CPU: "2", Mem: "512Mi"},
			Limits:          resources.Spec{CPU: "2", Mem: "512Mi"},
		}},
	}
}

// registerExecTask builds and registers tk at a fresh version and returns its template.
func registerExecTask(ctx context.Context, t *testing.T, c service.AdminServiceClient, tk task.Task) *core.TaskTemplate {
	t.Helper()
	spec, err := tk.Build(task.Settings{Project: harness.Project, Domain: harness.Domain, Version: harness.UniqueVersion("exec")})
	require.NoError(t, err)
	_, err = c.CreateTask(ctx, &admin.TaskCreateRequest{Id: spec.GetTemplate().GetId(), Spec: spec})
	require.NoError(t, err)
	return spec.GetTemplate()
}

// launchTask creates a single-task execution (spec.launch_plan = the task id).
func launchTask(ctx context.Context, t *testing.T, c service.AdminServiceClient, id *core.Identifier) *core.WorkflowExecutionIdentifier {
	t.Helper()
	resp, err := c.CreateExecution(ctx, &admin.ExecutionCreateRequest{
		Project: id.GetProject(),
		Domain:  id.GetDomain(),
		Spec: &admin.ExecutionSpec{
			LaunchPlan: id,
			Metadata:   &admin.ExecutionMetadata{Mode: admin.ExecutionMetadata_MANUAL, Principal: "flytedask-e2e"},
		},
		Inputs: &core.LiteralMap{},
	})
	require.NoError(t, err)
	return resp.GetId()
}

// waitPhases polls GetExecution until a terminal phase or the timeout and
// returns the distinct phases seen in order and the final execution.
func waitPhases(ctx context.Context, t *testing.T, c service.AdminServiceClient, id *core.WorkflowExecutionIdentifier, until func(core.WorkflowExecution_Phase) bool) ([]core.WorkflowExecution_Phase, *admin.Execution) {
	t.Helper()
	var seen []core.WorkflowExecution_Phase
	for {
		ex, err := c.GetExecution(ctx, &admin.WorkflowExecutionGetRequest{Id: id})
		require.NoError(t, err, "GetExecution %s", id.GetName())
		p := ex.GetClosure().GetPhase()
		if len(seen) == 0 || seen[len(seen)-1] != p {
			seen = append(seen, p)
			t.Logf("%s: %s (%s)", id.GetName(), p, time.Now().Format(time.TimeOnly))
		}
		if until(p) {
			return seen, ex
		}
		select {
		case <-ctx.Done():
			t.Fatalf("execution %s: still %s when the test's time ran out; phases %v", id.GetName(), p, seen)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func terminal(p core.WorkflowExecution_Phase) bool {
	switch p {
	case core.WorkflowExecution_SUCCEEDED, core.WorkflowExecution_FAILED, core.WorkflowExecution_ABORTED, core.WorkflowExecution_TIMED_OUT:
		return true
	}
	return false
}

// taskLogs returns the log links of every task execution of the execution.
func taskLogs(ctx context.Context, t *testing.T, c service.AdminServiceClient, id *core.WorkflowExecutionIdentifier) []*core.TaskLog {
	t.Helper()
	nodes, err := c.ListNodeExecutions(ctx, &admin.NodeExecutionListRequest{WorkflowExecutionId: id, Limit: 100})
	require.NoError(t, err)
	var logs []*core.TaskLog
	for _, n := range nodes.GetNodeExecutions() {
		if n.GetId().GetNodeId() == "start-node" || n.GetId().GetNodeId() == "end-node" {
			continue
		}
		tes, err := c.ListTaskExecutions(ctx, &admin.TaskExecutionListRequest{NodeExecutionId: n.GetId(), Limit: 100})
		require.NoError(t, err)
		for _, te := range tes.GetTaskExecutions() {
			logs = append(logs, te.GetClosure().GetLogs()...)
		}
	}
	return logs
}

// daskJobRecord waits for the operator's record of the execution's DaskJob
// (named after the task execution: EXEC-n0-0 and the like).
func daskJobRecord(t *testing.T, ep harness.ExecPath, exec string, done bool) harness.DaskJobRecord {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		recs, err := ep.DaskJobRecords(harness.Project + "-" + harness.Domain)
		require.NoError(t, err)
		for _, r := range recs {
			if strings.HasPrefix(r.Name, exec+"-") && (!done || r.RunnerExitCode != nil) {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no DaskJob record for execution %s in %s", exec, ep.DaskDir)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// kubeGet reads an object from the e2e API server.
func kubeGet(t *testing.T, ep harness.ExecPath, path string) map[string]any {
	t.Helper()
	server, err := os.ReadFile(filepath.Join(ep.KubeDir, "server"))
	require.NoError(t, err)
	token, err := os.ReadFile(filepath.Join(ep.KubeDir, "token"))
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, strings.TrimSpace(string(server))+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // loopback, self-signed
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, b)
	var o map[string]any
	require.NoError(t, json.Unmarshal(b, &o))
	return o
}

// runnerInfo is the DASKINFO line the job runner printed.
type runnerInfo struct {
	Workers     int     `json:"workers"`
	NThreads    []int   `json:"nthreads"`
	MemoryLimit []int64 `json:"memory_limit"`
	Sum         int64   `json:"sum"`
	Want        int64   `json:"want"`
}

func readRunnerInfo(t *testing.T, logFile string) runnerInfo {
	t.Helper()
	b, err := os.ReadFile(logFile)
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "DASKINFO "); ok {
			var info runnerInfo
			require.NoError(t, json.Unmarshal([]byte(rest), &info))
			return info
		}
	}
	t.Fatalf("no DASKINFO line in %s:\n%s", logFile, b)
	return runnerInfo{}
}

// processGone reports whether pid no longer runs (or is a zombie of the operator's).
func processGone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err != nil || strings.Contains(string(b), ") Z ")
}

// TestExecDaskTaskSucceeds: a raw-command Dask task whose job runner sums a
// dask.array on the cluster reaches SUCCEEDED through the real path (phases
// in order, RUNNING before SUCCEEDED); the worker processes match what
// explain predicts (count, --nthreads, --memory-limit) and what the workers
// report to the scheduler; the DaskJob in the API server carries the
// operator's status; the task's log link names the runner.
func TestExecDaskTaskSucceeds(t *testing.T) {
	ep := harness.Exec(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := harness.Dial(t, ep.Endpoint)

	const nWorkers, nThreads = 2, 2
	mem := resource.MustParse("512Mi")
	tk := daskTask("e2e.exec.dask_sum", []string{"python3", "-c", daskSumScript},
		fmt.Sprint(nWorkers), fmt.Sprint(nThreads), fmt.Sprint(mem.Value()))
	tmpl := registerExecTask(ctx, t, c, tk)

	job, err := explain.Explain(tmpl, execPlatform(t))
	require.NoError(t, err)
	worker := job.Pods[2]
	require.Equal(t, explain.RoleWorker, worker.Role)
	require.Equal(t, nWorkers, worker.Replicas)
	require.Equal(t, []string{"dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "2", "--memory-limit", "512Mi"}, worker.Args)

	id := launchTask(ctx, t, c, tmpl.GetId())
	phases, ex := waitPhases(ctx, t, c, id, terminal)
	rec := daskJobRecord(t, ep, id.GetName(), true)
	require.Equal(t, core.WorkflowExecution_SUCCEEDED, ex.GetClosure().GetPhase(),
		"error: %v; runner log %s", ex.GetClosure().GetError(), rec.Log)
	assert.Contains(t, phases, core.WorkflowExecution_RUNNING)
	assert.Equal(t, core.WorkflowExecution_SUCCEEDED, phases[len(phases)-1])
	for i, p := range phases[1:] {
		assert.Less(t, int32(phases[i]), int32(p), "phases go forward: %v", phases)
	}

	// What the operator started = what explain predicted.
	require.Len(t, rec.Workers, worker.Replicas)
	for _, w := range rec.Workers {
		assert.Equal(t, worker.Args[4], w.NThreads, "worker %s", w.Name)
		assert.Equal(t, worker.Args[6], w.MemoryLimit, "worker %s", w.Name)
		assert.Equal(t, "dask-worker", filepath.Base(w.Argv[0]))
	}
	require.NotNil(t, rec.RunnerExitCode)
	assert.Equal(t, 0, *rec.RunnerExitCode)
	assert.Equal(t, "Successful", rec.JobStatus)
	// What the workers told the scheduler.
	info := readRunnerInfo(t, rec.Log)
	assert.Equal(t, nWorkers, info.Workers)
	assert.Equal(t, []int{nThreads, nThreads}, info.NThreads)
	assert.Equal(t, []int64{mem.Value(), mem.Value()}, info.MemoryLimit)
	assert.Equal(t, info.Want, info.Sum)

	// The DaskJob in the API server: the plugin's spec, the operator's status.
	obj := kubeGet(t, ep, "/apis/kubernetes.dask.org/v1/namespaces/"+rec.Namespace+"/daskjobs/"+rec.Name)
	st, _ := obj["status"].(map[string]any)
	assert.Equal(t, "Successful", st["jobStatus"])
	assert.Equal(t, rec.Name+"-runner", st["jobRunnerPodName"])
	assert.Equal(t, rec.Name, st["clusterName"])

	// The log link propeller reported (plugins.logs.templates) names the runner's log.
	var uris []string
	for _, l := range taskLogs(ctx, t, c, id) {
		uris = append(uris, l.GetUri())
	}
	assert.Contains(t, uris, "file://"+rec.Log)

	// The cluster is gone after the job (the operator deletes it, as the real one does).
	for _, w := range rec.Workers {
		assert.Eventually(t, func() bool { return processGone(w.PID) }, 15*time.Second, 200*time.Millisecond, "worker %s still runs", w.Name)
	}
	assert.Eventually(t, func() bool { return processGone(rec.Scheduler.PID) }, 15*time.Second, 200*time.Millisecond, "scheduler still runs")
}

// TestExecDaskTaskFails: a job runner exiting non-zero makes the execution
// FAILED with propeller's error for the Dask plugin. FlyteAdmin v1.1.131 wraps
// a single-task execution in a node with retries 3 (defaultRetryStrategy in
// pkg/manager/impl/util/single_task_execution.go), and the plugin reports a
// failed DaskJob as a retryable USER failure, so propeller runs 4 attempts,
// each a new DaskJob NAME-0..3 and a new cluster.
func TestExecDaskTaskFails(t *testing.T) {
	ep := harness.Exec(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := harness.Dial(t, ep.Endpoint)
	tk := daskTask("e2e.exec.dask_fails", []string{"python3", "-c", "import sys; print('failing on purpose', file=sys.stderr); sys.exit(3)"})
	tmpl := registerExecTask(ctx, t, c, tk)
	id := launchTask(ctx, t, c, tmpl.GetId())
	_, ex := waitPhases(ctx, t, c, id, terminal)
	require.Equal(t, core.WorkflowExecution_FAILED, ex.GetClosure().GetPhase())
	msg := ex.GetClosure().GetError().GetMessage()
	t.Logf("error: %s", msg)
	assert.Contains(t, msg, "Dask Job failed")
	assert.Contains(t, msg, "[4/4] currentAttempt done")
	recs, err := ep.DaskJobRecords(harness.Project + "-" + harness.Domain)
	require.NoError(t, err)
	attempts := 0
	for _, r := range recs {
		if !strings.HasPrefix(r.Name, id.GetName()+"-") {
			continue
		}
		attempts++
		require.NotNil(t, r.RunnerExitCode, "%s", r.Name)
		assert.Equal(t, 3, *r.RunnerExitCode, "%s", r.Name)
		assert.Equal(t, "Failed", r.JobStatus, "%s", r.Name)
		assert.Len(t, r.Workers, 2, "%s", r.Name)
	}
	assert.Equal(t, 4, attempts, "one DaskJob per attempt")
}

// TestExecDaskTaskAborted: TerminateExecution of a running Dask task makes it
// ABORTED; propeller deletes the DaskJob and the operator ends its processes.
func TestExecDaskTaskAborted(t *testing.T) {
	ep := harness.Exec(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := harness.Dial(t, ep.Endpoint)
	tk := daskTask("e2e.exec.dask_sleeps", []string{"python3", "-c", "import time; time.sleep(600)"})
	tmpl := registerExecTask(ctx, t, c, tk)
	id := launchTask(ctx, t, c, tmpl.GetId())
	waitPhases(ctx, t, c, id, func(p core.WorkflowExecution_Phase) bool { return p == core.WorkflowExecution_RUNNING || terminal(p) })
	rec := daskJobRecord(t, ep, id.GetName(), false)
	require.Eventually(t, func() bool {
		rec = daskJobRecord(t, ep, id.GetName(), false)
		return rec.Runner.PID != 0
	}, time.Minute, 200*time.Millisecond, "the runner never started")
	_, err := c.TerminateExecution(ctx, &admin.ExecutionTerminateRequest{Id: id, Cause: "e2e abort"})
	require.NoError(t, err)
	_, ex := waitPhases(ctx, t, c, id, terminal)
	assert.Equal(t, core.WorkflowExecution_ABORTED, ex.GetClosure().GetPhase())
	assert.Eventually(t, func() bool { return processGone(rec.Runner.PID) }, time.Minute, 200*time.Millisecond, "runner still runs after abort")
	for _, w := range rec.Workers {
		assert.Eventually(t, func() bool { return processGone(w.PID) }, 15*time.Second, 200*time.Millisecond, "worker %s still runs", w.Name)
	}
}
