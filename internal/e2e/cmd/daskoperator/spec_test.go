//go:build linux

package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseWorkerLimits(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want workerLimits
	}{
		{[]string{"dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "2", "--memory-limit", "512Mi"}, workerLimits{"2", "512Mi"}},
		{[]string{"dask-worker", "--nthreads=4", "--memory-limit=8Gi"}, workerLimits{"4", "8Gi"}},
		{[]string{"dask-worker", "--name", "x"}, workerLimits{}},
		{[]string{"dask-worker", "--nthreads"}, workerLimits{}}, // value missing
	} {
		assert.Equal(t, tc.want, parseWorkerLimits(tc.args), "%q", tc.args)
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"DASK_WORKER_NAME": "w-0", "A": "1"}
	assert.Equal(t, "w-0", expand("$(DASK_WORKER_NAME)", env))
	assert.Equal(t, "x1y", expand("x$(A)y", env))
	assert.Equal(t, "$(UNKNOWN)", expand("$(UNKNOWN)", env))
	assert.Equal(t, "$(A)", expand("$$(A)", env), "$$ escapes, as the kubelet does")
	assert.Equal(t, "{{.inputs.n}}", expand("{{.inputs.n}}", env))
}

// TestDecodeDaskJob reads a DaskJob as flyteplugins v1.1.31's dask plugin
// writes it (trimmed): the runner, scheduler and worker containers.
func TestDecodeDaskJob(t *testing.T) {
	const obj = `{"apiVersion":"kubernetes.dask.org/v1","kind":"DaskJob",
	"metadata":{"name":"abc-n0-0","namespace":"flytesnacks-development","uid":"u1","resourceVersion":"7"},
	"spec":{"job":{"spec":{"containers":[{"name":"job-runner","image":"img","args":["python3","-c","print(1)"],
	  "env":[{"name":"FLYTE_INTERNAL_EXECUTION_ID","value":"abc"}]}],"restartPolicy":"Never"}},
	"cluster":{"metadata":{},"spec":{
	  "worker":{"replicas":3,"spec":{"containers":[{"name":"dask-worker","image":"img",
	    "args":["dask-worker","--name","$(DASK_WORKER_NAME)","--nthreads","2","--memory-limit","512Mi"]}]}},
	  "scheduler":{"spec":{"containers":[{"name":"scheduler","image":"img","args":["dask-scheduler"]}]},"service":{}}}}},
	"status":{"jobStatus":""}}`
	var j daskJob
	require.NoError(t, json.Unmarshal([]byte(obj), &j))
	assert.Equal(t, "abc-n0-0", j.Metadata.Name)
	assert.Equal(t, 3, j.Spec.Cluster.Spec.Worker.Replicas)
	w, err := j.Spec.Cluster.Spec.Worker.Spec.containerNamed("dask-worker")
	require.NoError(t, err)
	assert.Equal(t, workerLimits{"2", "512Mi"}, parseWorkerLimits(w.commandLine()))
	r, err := j.Spec.Job.Spec.containerNamed("job-runner")
	require.NoError(t, err)
	assert.Equal(t, []string{"python3", "-c", "print(1)"}, r.commandLine())
	assert.Equal(t, "abc", envMap(r.Env, "DASK_SCHEDULER_ADDRESS", "tcp://x")["FLYTE_INTERNAL_EXECUTION_ID"])
	s, err := j.Spec.Cluster.Spec.Scheduler.Spec.containerNamed("scheduler")
	require.NoError(t, err)
	assert.Equal(t, []string{"dask-scheduler"}, s.commandLine())
	_, err = podSpec{}.containerNamed("x")
	assert.Error(t, err)
}
