//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// daskJobsPath is the collection of DaskJobs across all namespaces.
const daskJobsPath = "/apis/kubernetes.dask.org/v1/daskjobs"

// kubeClient is a minimal REST client for the DaskJob custom resource: list,
// watch and merge-patch of the /status subresource, with a static bearer token.
type kubeClient struct {
	server string // https://127.0.0.1:PORT
	token  string
	hc     *http.Client
}

func newKubeClient(server, token string, insecure bool) *kubeClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		// The e2e API server signs its own serving certificate (loopback only).
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec
	}
	return &kubeClient{server: strings.TrimRight(server, "/"), token: token, hc: &http.Client{Transport: tr}}
}

func (k *kubeClient) do(ctx context.Context, method, path, contentType string, body []byte) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, k.server+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return k.hc.Do(req)
}

// statusError reads a non-2xx response into an error (never the token).
func statusError(resp *http.Response, what string) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return fmt.Errorf("%s: HTTP %d: %s", what, resp.StatusCode, strings.TrimSpace(string(b)))
}

// daskJobList is the list response for DaskJobs.
type daskJobList struct {
	Metadata struct {
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
	Items []daskJob `json:"items"`
}

// list returns every DaskJob and the list's resourceVersion to watch from.
func (k *kubeClient) list(ctx context.Context) ([]daskJob, string, error) {
	resp, err := k.do(ctx, http.MethodGet, daskJobsPath, "", nil)
	if err != nil {
		return nil, "", fmt.Errorf("list daskjobs: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", statusError(resp, "list daskjobs")
	}
	var l daskJobList
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return nil, "", fmt.Errorf("list daskjobs: decode: %w", err)
	}
	return l.Items, l.Metadata.ResourceVersion, nil
}

// watchEvent is one line of a Kubernetes watch stream.
type watchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// errGone reports that the watch's resourceVersion is too old: list again.
var errGone = errors.New("watch: resource version gone")

// watch streams DaskJob events from rv until the server ends the stream, the
// context ends or an error occurs; fn sees every ADDED/MODIFIED/DELETED job.
// It returns the last resourceVersion seen.
func (k *kubeClient) watch(ctx context.Context, rv string, fn func(typ string, j daskJob)) (string, error) {
	q := url.Values{"watch": {"1"}, "resourceVersion": {rv}, "allowWatchBookmarks": {"true"}, "timeoutSeconds": {"300"}}
	resp, err := k.do(ctx, http.MethodGet, daskJobsPath+"?"+q.Encode(), "", nil)
	if err != nil {
		return rv, fmt.Errorf("watch daskjobs: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusGone {
		return rv, errGone
	}
	if resp.StatusCode != http.StatusOK {
		return rv, statusError(resp, "watch daskjobs")
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var ev watchEvent
		if err := dec.Decode(&ev); err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return rv, nil
			}
			return rv, fmt.Errorf("watch daskjobs: decode: %w", err)
		}
		switch ev.Type {
		case "ERROR":
			var st struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(ev.Object, &st)
			if st.Code == http.StatusGone {
				return rv, errGone
			}
			return rv, fmt.Errorf("watch daskjobs: %d %s", st.Code, st.Message)
		case "BOOKMARK":
			var j daskJob
			if err := json.Unmarshal(ev.Object, &j); err == nil && j.Metadata.ResourceVersion != "" {
				rv = j.Metadata.ResourceVersion
			}
		case "ADDED", "MODIFIED", "DELETED":
			var j daskJob
			if err := json.Unmarshal(ev.Object, &j); err != nil {
				return rv, fmt.Errorf("watch daskjobs: %s object: %w", ev.Type, err)
			}
			rv = j.Metadata.ResourceVersion
			fn(ev.Type, j)
		}
	}
}

// patchStatus merge-patches the DaskJob's status subresource, as the
// dask-kubernetes operator does (kopf patches status with a merge patch).
func (k *kubeClient) patchStatus(ctx context.Context, namespace, name string, status map[string]any) error {
	body, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return err
	}
	path := fmt.Sprintf("/apis/kubernetes.dask.org/v1/namespaces/%s/daskjobs/%s/status", url.PathEscape(namespace), url.PathEscape(name))
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		resp, err := k.do(ctx, http.MethodPatch, path, "application/merge-patch+json", body)
		if err == nil {
			if resp.StatusCode == http.StatusOK {
				resp.Body.Close()
				return nil
			}
			err = statusError(resp, "patch status of "+namespace+"/"+name)
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				return err
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return last
}

// kubeTime formats t as the operator does (KUBERNETES_DATETIME_FORMAT).
func kubeTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
