package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Environment of the real execution path (execpath.sh): a FlyteAdmin whose
// executions run through kube-apiserver, flytepropeller and the local Dask
// operator.
const (
	// EnvExecEndpoint is host:port of that FlyteAdmin's gRPC listener.
	EnvExecEndpoint = "FLYTEDASK_E2E_EXEC_ENDPOINT"
	// EnvExecDaskDir is the Dask operator's directory: jobs/NS/NAME.json
	// (DaskJobRecord) and logs/NS/POD.log.
	EnvExecDaskDir = "FLYTEDASK_E2E_EXEC_DASKDIR"
	// EnvExecKubeDir holds the API server's kubeconfig, token and server URL.
	EnvExecKubeDir = "FLYTEDASK_E2E_EXEC_KUBEDIR"
)

// ExecPath is the running execution path.
type ExecPath struct {
	Endpoint string // FlyteAdmin gRPC host:port
	DaskDir  string
	KubeDir  string
}

// Exec returns the execution path's settings, or skips the test when run.sh
// did not start it (FLYTEDASK_E2E_EXECPATH=0, or outside run.sh).
func Exec(t testing.TB) ExecPath {
	t.Helper()
	e := ExecPath{
		Endpoint: os.Getenv(EnvExecEndpoint),
		DaskDir:  os.Getenv(EnvExecDaskDir),
		KubeDir:  os.Getenv(EnvExecKubeDir),
	}
	if e.Endpoint == "" || e.DaskDir == "" || e.KubeDir == "" {
		t.Skipf("%s, %s or %s not set: the execution path is not running (%s; FLYTEDASK_E2E_EXECPATH=0 turns it off)",
			EnvExecEndpoint, EnvExecDaskDir, EnvExecKubeDir, skipHint)
	}
	return e
}

// DaskJobRecord is what the local Dask operator started for one DaskJob
// (internal/e2e/cmd/daskoperator writes it).
type DaskJobRecord struct {
	Namespace        string `json:"namespace"`
	Name             string `json:"name"`
	ClusterName      string `json:"clusterName"`
	SchedulerAddress string `json:"schedulerAddress"`
	Scheduler        struct {
		Argv []string `json:"argv"`
		PID  int      `json:"pid"`
	} `json:"scheduler"`
	Workers []struct {
		Argv        []string `json:"argv"`
		PID         int      `json:"pid"`
		Name        string   `json:"name"`
		NThreads    string   `json:"nthreads"`
		MemoryLimit string   `json:"memoryLimit"`
	} `json:"workers"`
	Runner struct {
		Argv []string `json:"argv"`
		PID  int      `json:"pid"`
	} `json:"runner"`
	RunnerPodName  string `json:"runnerPodName"`
	RunnerExitCode *int   `json:"runnerExitCode"`
	JobStatus      string `json:"jobStatus"`
	Log            string `json:"log"`
}

// DaskJobRecords returns the operator's records of DaskJobs in namespace.
func (e ExecPath) DaskJobRecords(namespace string) ([]DaskJobRecord, error) {
	files, err := filepath.Glob(filepath.Join(e.DaskDir, "jobs", namespace, "*.json"))
	if err != nil {
		return nil, err
	}
	out := make([]DaskJobRecord, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r DaskJobRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, r)
	}
	return out, nil
}
