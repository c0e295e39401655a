// Command kubestub is a minimal stand-in for a Kubernetes API server, good
// enough for FlyteAdmin v1.1.131's start-up discovery.
//
// FlyteAdmin's serve command builds a controller-runtime client for its
// "in-cluster" execution target, and controller-runtime v0.12.1 runs API
// discovery eagerly: without an API server answering GET /api, /apis and
// /api/v1 the process panics before listening. kubestub answers those three
// paths with empty discovery documents (no groups, no resources), accepts
// FlyteAdmin's FlyteWorkflow creation (POST
// /apis/flyte.lyft.com/v1alpha1/namespaces/NS/flyteworkflows: 201 with the
// object, so that CreateExecution succeeds; nothing runs it), answers every
// other path with a Kubernetes 404 Status, listens on 127.0.0.1 only, and
// writes a kubeconfig pointing at itself.
//
// Usage:
//
//	kubestub -kubeconfig /path/kubeconfig [-addr 127.0.0.1:0]
//
// It runs until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address; must be a loopback address")
	kubeconfig := flag.String("kubeconfig", "", "path of the kubeconfig file to write (required)")
	flag.Parse()
	if err := run(*addr, *kubeconfig); err != nil {
		log.Fatalf("kubestub: %v", err)
	}
}

func run(addr, kubeconfig string) error {
	if kubeconfig == "" {
		return errors.New("-kubeconfig is required")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("parse -addr: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q is not a loopback address", addr)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	server := "http://" + lis.Addr().String()
	if err := os.WriteFile(kubeconfig, []byte(kubeconfigYAML(server)), 0o600); err != nil {
		_ = lis.Close()
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	log.Printf("kubestub: serving %s, kubeconfig %s", server, kubeconfig)

	srv := &http.Server{Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// kubeconfigYAML returns a kubeconfig with one anonymous, plaintext cluster.
func kubeconfigYAML(server string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kubestub
  cluster:
    server: %q
users:
- name: kubestub
  user: {}
contexts:
- name: kubestub
  context:
    cluster: kubestub
    user: kubestub
current-context: kubestub
`, server)
}

// Discovery documents: the minimum a client-go discovery client accepts.
const (
	apiVersionsJSON = `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}`
	groupListJSON   = `{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`
	coreV1JSON      = `{"kind":"APIResourceList","groupVersion":"v1","resources":[]}`
	notFoundJSON    = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"kubestub serves discovery only","reason":"NotFound","code":404}`
)

// maxObjectBytes bounds the objects kubestub accepts (etcd's default limit is 1.5 MiB).
const maxObjectBytes = 4 << 20

// isFlyteWorkflowCreate matches /apis/flyte.lyft.com/v1alpha1/namespaces/NS/flyteworkflows.
func isFlyteWorkflowCreate(p string) bool {
	const prefix, suffix = "/apis/flyte.lyft.com/v1alpha1/namespaces/", "/flyteworkflows"
	if !strings.HasPrefix(p, prefix) || !strings.HasSuffix(p, suffix) {
		return false
	}
	ns := strings.TrimSuffix(strings.TrimPrefix(p, prefix), suffix)
	return ns != "" && !strings.Contains(ns, "/")
}

func newHandler() http.Handler {
	docs := map[string]string{
		"/api":    apiVersionsJSON,
		"/apis":   groupListJSON,
		"/api/v1": coreV1JSON,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost && isFlyteWorkflowCreate(r.URL.Path) {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxObjectBytes+1))
			if err != nil || len(body) > maxObjectBytes {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				return
			}
			log.Printf("kubestub: %s %s -> 201 (%d bytes)", r.Method, r.URL.Path, len(body))
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
			return
		}
		body, ok := docs[r.URL.Path]
		if !ok || r.Method != http.MethodGet {
			log.Printf("kubestub: %s %s -> 404", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(notFoundJSON))
			return
		}
		_, _ = w.Write([]byte(body))
	})
}
