// Command kubesetup prepares and provisions the e2e's real kube-apiserver:
//
//	kubesetup init -dir D -server https://127.0.0.1:PORT
//	    writes D/token (random bearer token), D/tokens.csv (its static token
//	    file line, user admin in system:masters), D/sa.key and D/sa.pub (RSA
//	    service-account signing key) and D/kubeconfig (the token,
//	    insecure-skip-tls-verify: the server signs its own certificate).
//	kubesetup wait -dir D [-timeout 2m]
//	    waits until /readyz answers 200.
//	kubesetup apply -dir D -namespaces a,b,c
//	    creates the FlyteWorkflow (flyte.lyft.com/v1alpha1) and DaskJob
//	    (kubernetes.dask.org/v1, status subresource) CRDs with permissive
//	    schemas, waits until both are Established, and creates the namespaces.
//
// The token is never printed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: kubesetup init|wait|apply [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", "", "state directory")
	server := fs.String("server", "", "API server URL (init)")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait (wait, apply)")
	namespaces := fs.String("namespaces", "", "comma-separated namespaces to create (apply)")
	_ = fs.Parse(os.Args[2:])
	if *dir == "" {
		log.Fatal("kubesetup: -dir is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	switch os.Args[1] {
	case "init":
		err = initDir(*dir, *server)
	case "wait":
		err = waitReady(ctx, *dir)
	case "apply":
		err = apply(ctx, *dir, *namespaces)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatalf("kubesetup %s: %v", os.Args[1], err)
	}
}

func initDir(dir, server string) error {
	if server == "" {
		return errors.New("-server is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := hex.EncodeToString(b)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: %s
contexts:
- name: e2e
  context:
    cluster: e2e
    user: admin
current-context: e2e
`, server, token)
	files := map[string][]byte{
		"token":      []byte(token + "\n"),
		"tokens.csv": []byte(token + ",admin,admin-uid,system:masters\n"),
		"sa.key":     pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		"sa.pub":     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		"server":     []byte(server + "\n"),
		"kubeconfig": []byte(kubeconfig),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

type client struct {
	server, token string
	hc            *http.Client
}

func load(dir string) (*client, error) {
	s, err := os.ReadFile(filepath.Join(dir, "server"))
	if err != nil {
		return nil, err
	}
	t, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // self-signed, loopback
	return &client{server: strings.TrimSpace(string(s)), token: strings.TrimSpace(string(t)), hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}, nil
}

func (c *client) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

func waitReady(ctx context.Context, dir string) error {
	c, err := load(dir)
	if err != nil {
		return err
	}
	var last string
	for {
		code, body, err := c.do(ctx, http.MethodGet, "/readyz", nil)
		if err == nil && code == http.StatusOK {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("HTTP %d: %.300s", code, body)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %s", last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// crd returns a CustomResourceDefinition with a schema that accepts anything
// (the real CRDs' schemas are not needed: the objects are written by
// FlyteAdmin and flytepropeller and read back as they were written).
func crd(group, version, kind, plural, singular string, status bool) map[string]any {
	v := map[string]any{
		"name": version, "served": true, "storage": true,
		"schema": map[string]any{"openAPIV3Schema": map[string]any{
			"type": "object", "x-kubernetes-preserve-unknown-fields": true,
		}},
	}
	if status {
		v["subresources"] = map[string]any{"status": map[string]any{}}
	}
	return map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": plural + "." + group},
		"spec": map[string]any{
			"group":    group,
			"scope":    "Namespaced",
			"names":    map[string]any{"kind": kind, "plural": plural, "singular": singular, "listKind": kind + "List"},
			"versions": []any{v},
		},
	}
}

func apply(ctx context.Context, dir, namespaces string) error {
	c, err := load(dir)
	if err != nil {
		return err
	}
	crds := []map[string]any{
		// FlyteWorkflow: no status subresource (propeller writes status with the object).
		crd("flyte.lyft.com", "v1alpha1", "FlyteWorkflow", "flyteworkflows", "flyteworkflow", false),
		crd("kubernetes.dask.org", "v1", "DaskJob", "daskjobs", "daskjob", true),
	}
	for _, d := range crds {
		code, body, err := c.do(ctx, http.MethodPost, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", d)
		if err != nil {
			return err
		}
		if code != http.StatusCreated && code != http.StatusConflict {
			return fmt.Errorf("create CRD %s: HTTP %d: %.500s", d["metadata"].(map[string]any)["name"], code, body)
		}
	}
	for _, d := range crds {
		name := d["metadata"].(map[string]any)["name"].(string)
		if err := waitEstablished(ctx, c, name); err != nil {
			return err
		}
	}
	for _, ns := range strings.Split(namespaces, ",") {
		if ns = strings.TrimSpace(ns); ns == "" {
			continue
		}
		code, body, err := c.do(ctx, http.MethodPost, "/api/v1/namespaces", map[string]any{
			"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns},
		})
		if err != nil {
			return err
		}
		if code != http.StatusCreated && code != http.StatusConflict {
			return fmt.Errorf("create namespace %s: HTTP %d: %.500s", ns, code, body)
		}
	}
	return nil
}

func waitEstablished(ctx context.Context, c *client, name string) error {
	for {
		code, body, err := c.do(ctx, http.MethodGet, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, nil)
		if err == nil && code == http.StatusOK {
			var o struct {
				Status struct {
					Conditions []struct {
						Type, Status string
					} `json:"conditions"`
				} `json:"status"`
			}
			if json.Unmarshal(body, &o) == nil {
				for _, cond := range o.Status.Conditions {
					if cond.Type == "Established" && cond.Status == "True" {
						return nil
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD %s not Established", name)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
