//go:build linux

// Command daskoperator is the e2e harness's stand-in for the dask-kubernetes
// operator: it watches DaskJob objects in a real Kubernetes API server and,
// for each new one, starts real dask-scheduler and dask-worker processes on
// this machine (no pods, no images, no kubelet), runs the job-runner
// container's command with DASK_SCHEDULER_ADDRESS set, and writes the DaskJob
// status through /status as the operator does. See README.md.
//
// Usage:
//
//	daskoperator -server https://127.0.0.1:6443 -token-file F -dir D [-path /usr/bin:/bin]
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	server := flag.String("server", "", "Kubernetes API server URL (https://127.0.0.1:PORT)")
	tokenFile := flag.String("token-file", "", "file holding the bearer token")
	insecure := flag.Bool("insecure-skip-tls-verify", true, "do not verify the API server's (self-signed) certificate")
	dir := flag.String("dir", "", "directory for job records (jobs/NS/NAME.json), logs and scratch")
	path := flag.String("path", "/usr/bin:/bin", "PATH of the processes started (Debian's python3 and dask-* live in /usr/bin)")
	startWait := flag.Duration("scheduler-timeout", time.Minute, "how long the scheduler may take to start")
	flag.Parse()
	if *server == "" || *tokenFile == "" || *dir == "" {
		log.Fatal("daskoperator: -server, -token-file and -dir are required")
	}
	absDir, err := filepath.Abs(*dir) // processes run in their own working directories
	if err != nil {
		log.Fatalf("daskoperator: %v", err)
	}
	tok, err := os.ReadFile(*tokenFile)
	if err != nil {
		log.Fatalf("daskoperator: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := &operator{
		kube:      newKubeClient(*server, strings.TrimSpace(string(tok)), *insecure),
		dir:       absDir,
		path:      *path,
		startWait: *startWait,
		jobs:      map[string]context.CancelFunc{},
	}
	log.Printf("daskoperator: watching DaskJobs at %s", *server)
	o.loop(ctx)
	log.Printf("daskoperator: stopping, waiting for the jobs' processes")
	o.wg.Wait()
}

// loop lists and watches DaskJobs until ctx ends, listing again after a
// broken or expired watch.
func (o *operator) loop(ctx context.Context) {
	for ctx.Err() == nil {
		items, rv, err := o.kube.list(ctx)
		if err != nil {
			log.Printf("daskoperator: %v (retrying)", err)
			sleep(ctx, time.Second)
			continue
		}
		for _, j := range items {
			o.reconcile(ctx, "ADDED", j)
		}
		for ctx.Err() == nil {
			rv, err = o.kube.watch(ctx, rv, func(typ string, j daskJob) { o.reconcile(ctx, typ, j) })
			if err != nil {
				if !errors.Is(err, errGone) {
					log.Printf("daskoperator: %v (listing again)", err)
					sleep(ctx, time.Second)
				}
				break
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
