//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// record is what the operator started for one DaskJob, written as JSON to
// DIR/jobs/NAMESPACE/NAME.json (the e2e tests compare it with explain).
type record struct {
	Namespace        string         `json:"namespace"`
	Name             string         `json:"name"`
	ClusterName      string         `json:"clusterName"`
	SchedulerAddress string         `json:"schedulerAddress"`
	Scheduler        process        `json:"scheduler"`
	Workers          []workerRecord `json:"workers"`
	Runner           process        `json:"runner"`
	RunnerPodName    string         `json:"runnerPodName"`
	RunnerExitCode   *int           `json:"runnerExitCode,omitempty"`
	JobStatus        string         `json:"jobStatus"`
	Log              string         `json:"log"`
}

type process struct {
	Argv []string `json:"argv"`
	PID  int      `json:"pid"`
}

type workerRecord struct {
	process
	Name string `json:"name"`
	workerLimits
}

// operator turns DaskJobs into local processes.
type operator struct {
	kube      *kubeClient
	dir       string // records, logs, scratch
	path      string // PATH of every process started
	startWait time.Duration

	mu   sync.Mutex
	jobs map[string]context.CancelFunc // by UID
	wg   sync.WaitGroup
}

// reconcile starts a job the first time it is seen without a final status,
// and stops it when it is deleted.
func (o *operator) reconcile(ctx context.Context, typ string, j daskJob) {
	o.mu.Lock()
	defer o.mu.Unlock()
	uid := j.Metadata.UID
	if typ == "DELETED" {
		if cancel, ok := o.jobs[uid]; ok {
			log.Printf("%s/%s deleted: stopping its processes", j.Metadata.Namespace, j.Metadata.Name)
			cancel()
		}
		return
	}
	if _, ok := o.jobs[uid]; ok {
		return
	}
	switch j.Status.JobStatus {
	case jobSuccessful, jobFailed:
		o.jobs[uid] = func() {} // finished before this operator started
		return
	case "":
	default:
		// Started by an earlier operator process, whose processes died with it.
		log.Printf("%s/%s has status %q from an earlier operator: marking it Failed", j.Metadata.Namespace, j.Metadata.Name, j.Status.JobStatus)
		o.jobs[uid] = func() {}
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			_ = o.kube.patchStatus(ctx, j.Metadata.Namespace, j.Metadata.Name, map[string]any{"jobStatus": jobFailed, "endTime": kubeTime(time.Now())})
		}()
		return
	}
	jctx, cancel := context.WithCancel(ctx)
	o.jobs[uid] = cancel
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		defer cancel()
		if err := o.run(jctx, j); err != nil {
			log.Printf("%s/%s: %v", j.Metadata.Namespace, j.Metadata.Name, err)
		}
	}()
}

// run drives one DaskJob as the dask-kubernetes operator does, with processes
// in place of pods: status JobCreated; scheduler (+ service) → ClusterCreated;
// workers and the job runner → Running (startTime, jobRunnerPodName); runner
// exit 0 → Successful, else Failed (endTime); then the cluster is removed.
func (o *operator) run(ctx context.Context, j daskJob) error {
	ns, name := j.Metadata.Namespace, j.Metadata.Name
	jobDir := filepath.Join(o.dir, "jobs", ns, name)
	if err := os.MkdirAll(jobDir, 0o755); err != nil {
		return err
	}
	rec := &record{Namespace: ns, Name: name, ClusterName: name, RunnerPodName: name + "-runner",
		Log: filepath.Join(o.dir, "logs", ns, name+"-runner.log")}
	write := func() {
		b, _ := json.MarshalIndent(rec, "", "  ")
		tmp := filepath.Join(o.dir, "jobs", ns, name+".json.tmp")
		if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err == nil {
			_ = os.Rename(tmp, filepath.Join(o.dir, "jobs", ns, name+".json"))
		}
	}
	setStatus := func(st map[string]any) error {
		if s, ok := st["jobStatus"].(string); ok {
			rec.JobStatus = s
		}
		write()
		return o.kube.patchStatus(ctx, ns, name, st)
	}
	fail := func(err error) error {
		_ = setStatus(map[string]any{"jobStatus": jobFailed, "endTime": kubeTime(time.Now())})
		return err
	}

	if err := setStatus(map[string]any{"jobStatus": jobCreated}); err != nil {
		return err
	}
	log.Printf("%s/%s: JobCreated", ns, name)

	var procs []*proc
	defer func() { stopAll(procs) }()

	// Scheduler. The scheduler container's args are ["dask-scheduler"]; the
	// Service (8786/8787) becomes a loopback address chosen by the scheduler.
	sched, err := j.Spec.Cluster.Spec.Scheduler.Spec.containerNamed("scheduler")
	if err != nil {
		return fail(fmt.Errorf("scheduler: %w", err))
	}
	schedFile := filepath.Join(jobDir, "scheduler.json")
	_ = os.Remove(schedFile)
	schedEnv := envMap(sched.Env)
	argv := expandAll(sched.commandLine(), schedEnv)
	argv = append(argv, "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", schedFile)
	cmd, err := o.start(ctx, argv, schedEnv, jobDir, filepath.Join(o.dir, "logs", ns, name+"-scheduler.log"))
	if err != nil {
		return fail(fmt.Errorf("scheduler: %w", err))
	}
	procs = append(procs, cmd)
	rec.Scheduler = process{Argv: argv, PID: cmd.pid()}
	addr, err := waitSchedulerFile(ctx, schedFile, cmd, o.startWait)
	if err != nil {
		return fail(fmt.Errorf("scheduler: %w", err))
	}
	rec.SchedulerAddress = addr
	if err := setStatus(map[string]any{"clusterName": name, "jobStatus": jobClusterCreated}); err != nil {
		return err
	}
	log.Printf("%s/%s: ClusterCreated, scheduler %s", ns, name, addr)

	// Workers: replicas of the worker container, whose args the plugin wrote
	// (dask-worker --name $(DASK_WORKER_NAME) [--nthreads N] [--memory-limit M]).
	wc, err := j.Spec.Cluster.Spec.Worker.Spec.containerNamed("dask-worker")
	if err != nil {
		return fail(fmt.Errorf("worker: %w", err))
	}
	for i := 0; i < j.Spec.Cluster.Spec.Worker.Replicas; i++ {
		wname := fmt.Sprintf("%s-default-worker-%d", name, i)
		env := envMap(wc.Env, "DASK_WORKER_NAME", wname, "DASK_SCHEDULER_ADDRESS", addr)
		argv := expandAll(wc.commandLine(), env)
		lim := parseWorkerLimits(argv)
		argv = append(argv, "--host", "127.0.0.1", "--no-dashboard", "--local-directory", filepath.Join(jobDir, wname), addr)
		cmd, err := o.start(ctx, argv, env, jobDir, filepath.Join(o.dir, "logs", ns, wname+".log"))
		if err != nil {
			return fail(fmt.Errorf("worker %d: %w", i, err))
		}
		procs = append(procs, cmd)
		rec.Workers = append(rec.Workers, workerRecord{process: process{Argv: argv, PID: cmd.pid()}, Name: wname, workerLimits: lim})
	}
	write()

	// Job runner: the task's container with DASK_SCHEDULER_ADDRESS set.
	rc, err := j.Spec.Job.Spec.containerNamed("job-runner")
	if err != nil {
		return fail(fmt.Errorf("job runner: %w", err))
	}
	renv := envMap(rc.Env, "DASK_SCHEDULER_ADDRESS", addr)
	rargv := expandAll(rc.commandLine(), renv)
	if len(rargv) == 0 {
		return fail(errors.New("job runner: empty command"))
	}
	runner, err := o.start(ctx, rargv, renv, jobDir, rec.Log)
	if err != nil {
		return fail(fmt.Errorf("job runner: %w", err))
	}
	procs = append(procs, runner)
	rec.Runner = process{Argv: rargv, PID: runner.pid()}
	if err := setStatus(map[string]any{"jobStatus": jobRunning, "startTime": kubeTime(time.Now()), "jobRunnerPodName": rec.RunnerPodName}); err != nil {
		return err
	}
	log.Printf("%s/%s: Running (%d workers, runner pid %d)", ns, name, len(rec.Workers), runner.pid())

	select {
	case <-runner.done:
	case <-ctx.Done():
		log.Printf("%s/%s: stopped (deleted or operator shutting down)", ns, name)
		return nil
	}
	werr := runner.err
	code := runner.cmd.ProcessState.ExitCode()
	rec.RunnerExitCode = &code
	final := jobSuccessful
	if werr != nil || code != 0 {
		final = jobFailed
	}
	log.Printf("%s/%s: runner exited %d: %s", ns, name, code, final)
	return setStatus(map[string]any{"jobStatus": final, "endTime": kubeTime(time.Now())})
}

func expandAll(argv []string, env map[string]string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = expand(a, env)
	}
	return out
}

// start runs argv[0] (looked up in o.path) with exactly env plus PATH, HOME
// and LANG (a pod does not inherit the node's environment), output to logFile,
// in its own process group, killed if the operator dies.
func (o *operator) start(ctx context.Context, argv []string, env map[string]string, dir, logFile string) (*proc, error) {
	if len(argv) == 0 {
		return nil, errors.New("empty command")
	}
	bin := argv[0]
	if !strings.Contains(bin, "/") {
		found := ""
		for _, d := range filepath.SplitList(o.path) {
			p := filepath.Join(d, bin)
			if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				found = p
				break
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%s: not found in %s", bin, o.path)
		}
		bin = found
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	full := map[string]string{"PATH": o.path, "HOME": dir, "LANG": "C.UTF-8"}
	for k, v := range env {
		full[k] = v
	}
	keys := make([]string, 0, len(full))
	for k := range full {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cmd := exec.Command(bin, argv[1:]...)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+full[k])
	}
	cmd.Dir = dir
	cmd.Stdout = lf
	cmd.Stderr = lf
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	// Ends with the job's context: the whole process group (dask-worker's
	// nanny starts the worker as a child).
	go func() {
		select {
		case <-ctx.Done():
			_ = syscall.Kill(-p.pid(), syscall.SIGTERM)
		case <-p.done:
		}
	}()
	return p, nil
}

// proc is a started process; done closes when it has been reaped (err set).
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// stopAll ends the processes (TERM to their groups, KILL after 5 s) and reaps them.
func stopAll(procs []*proc) {
	for _, p := range procs {
		_ = syscall.Kill(-p.pid(), syscall.SIGTERM)
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
			<-p.done
		}
	}
}

// waitSchedulerFile waits until the scheduler wrote its address.
func waitSchedulerFile(ctx context.Context, file string, p *proc, timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		if b, err := os.ReadFile(file); err == nil {
			var sf struct {
				Address string `json:"address"`
			}
			if json.Unmarshal(b, &sf) == nil && sf.Address != "" {
				return sf.Address, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-deadline:
			return "", fmt.Errorf("no address in %s after %s", file, timeout)
		case <-p.done:
			return "", errors.New("dask-scheduler exited before it was ready")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
