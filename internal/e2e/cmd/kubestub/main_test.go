package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)

	tests := []struct {
		path     string
		status   int
		wantKind string
	}{
		{"/api", http.StatusOK, "APIVersions"},
		{"/apis", http.StatusOK, "APIGroupList"},
		{"/api/v1", http.StatusOK, "APIResourceList"},
		{"/apis/apps/v1", http.StatusNotFound, "Status"},
		{"/api/v1/namespaces", http.StatusNotFound, "Status"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var doc struct {
				Kind string `json:"kind"`
			}
			require.NoError(t, json.Unmarshal(body, &doc))
			assert.Equal(t, tt.wantKind, doc.Kind)
		})
	}
}

func TestRunRejectsNonLoopback(t *testing.T) {
	err := run("0.0.0.0:0", t.TempDir()+"/kubeconfig")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a loopback address")
	require.ErrorContains(t, run("127.0.0.1:0", ""), "-kubeconfig is required")
}

// FlyteAdmin's CreateExecution posts a FlyteWorkflow; kubestub accepts it (201, the object back).
func TestFlyteWorkflowCreate(t *testing.T) {
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	obj := `{"apiVersion":"flyte.lyft.com/v1alpha1","kind":"FlyteWorkflow","metadata":{"name":"f123"}}`
	resp, err := http.Post(srv.URL+"/apis/flyte.lyft.com/v1alpha1/namespaces/flytesnacks-development/flyteworkflows", "application/json", strings.NewReader(obj))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, obj, string(body))

	for _, p := range []string{
		"/apis/flyte.lyft.com/v1alpha1/namespaces//flyteworkflows",
		"/apis/flyte.lyft.com/v1alpha1/namespaces/a/b/flyteworkflows",
		"/apis/flyte.lyft.com/v1alpha1/flyteworkflows",
	} {
		resp, err := http.Post(srv.URL+p, "application/json", strings.NewReader(obj))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
	}
	// GET of the collection is still not served.
	resp, err = http.Get(srv.URL + "/apis/flyte.lyft.com/v1alpha1/namespaces/flytesnacks-development/flyteworkflows")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
