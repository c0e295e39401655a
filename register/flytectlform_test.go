package register_test

import (
	"context"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/internal/fastregister"
	"github.com/flytedask/flytedask/register"
)

func podSpecTask(t *testing.T, podJSON string) *admin.TaskSpec {
	t.Helper()
	s := daskSpec(t, "wf.pod", 2)
	ps := &structpb.Struct{}
	require.NoError(t, protojson.Unmarshal([]byte(podJSON), ps))
	s.Template.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{
		Metadata:             &core.K8SObjectMetadata{Labels: map[string]string{"team": "x"}},
		PodSpec:              ps,
		PrimaryContainerName: "primary",
	}}
	return s
}

func podJSON(t *testing.T, s *admin.TaskSpec) string {
	t.Helper()
	b, err := protojson.Marshal(s.GetTemplate().GetK8SPod().GetPodSpec())
	require.NoError(t, err)
	return string(b)
}

// FlytectlForm reproduces flytectl's PodSpec round trip: `"command": []` and unknown keys are
// dropped, quantities become canonical, `"resources": {}` appears, fast-register placeholders are
// substituted, primary_container_name is dropped; metadata is kept; the input is untouched.
func TestFlytectlFormPodSpec(t *testing.T) {
	in := podSpecTask(t, `{"containers":[{"name":"primary","image":"img:1","command":[],"args":["run","{{ .remote_package_path }}","{{ .dest_dir }}"],"env":[],
		"resources":{"limits":{"cpu":"1000m","memory":"4096Mi"}}},{"name":"side","image":"img:2","bogus":1}],"nodeSelector":{"a":"b"},"madeUp":true}`)
	orig := proto.Clone(in)
	out, err := register.FlytectlForm(in)
	require.NoError(t, err)
	assert.True(t, proto.Equal(orig, in), "input not modified")
	want := `{"containers":[{"args":["run","","."],"image":"img:1","name":"primary","resources":{"limits":{"cpu":"1","memory":"4Gi"}}},{"image":"img:2","name":"side","resources":{}}],"nodeSelector":{"a":"b"}}`
	assert.JSONEq(t, want, podJSON(t, out))
	assert.Empty(t, out.GetTemplate().GetK8SPod().GetPrimaryContainerName())
	assert.Equal(t, map[string]string{"team": "x"}, out.GetTemplate().GetK8SPod().GetMetadata().GetLabels())
	assert.True(t, fastregister.UsesRemotePackagePath(in))
	assert.False(t, fastregister.UsesRemotePackagePath(out))

	// Idempotent: the flytectl form of the flytectl form is itself.
	again, err := register.FlytectlForm(out)
	require.NoError(t, err)
	assert.True(t, proto.Equal(out, again))
}

func TestFlytectlFormContainerArgs(t *testing.T) {
	in := daskSpec(t, "wf.c", 1)
	in.Template.GetContainer().Args = []string{"pyflyte-fast-execute", "--additional-distribution", "{{ .remote_package_path }}", "--dest-dir", "{{ .dest_dir }}", "--", "{{.input}}"}
	in.Template.GetContainer().Command = []string{}
	out, err := register.FlytectlForm(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"pyflyte-fast-execute", "--additional-distribution", "", "--dest-dir", ".", "--", "{{.input}}"}, out.GetTemplate().GetContainer().GetArgs())
	assert.Equal(t, "{{ .remote_package_path }}", in.GetTemplate().GetContainer().GetArgs()[2], "input not modified")
}

// Register sends the flytectl form, so FlyteAdmin stores what flytectl would have stored.
func TestRegisterSendsFlytectlForm(t *testing.T) {
	f := newFakeAdmin()
	s := startServer(t, f, false)
	c := dialFast(t, s, nil)
	in := podSpecTask(t, `{"containers":[{"name":"primary","image":"img:1","command":[]}]}`)
	_, err := c.Register(context.Background(), []*admin.TaskSpec{in}, target)
	require.NoError(t, err)
	tts := f.Templates()
	require.Len(t, tts, 1)
	stored := tts[0]
	b, err := protojson.Marshal(stored.GetK8SPod().GetPodSpec())
	require.NoError(t, err)
	assert.JSONEq(t, `{"containers":[{"image":"img:1","name":"primary","resources":{}}]}`, string(b))

	// diff compares the same form: no change.
	d, err := c.Diff(context.Background(), in, target)
	require.NoError(t, err)
	assert.Equal(t, register.Same, d.Status, "%v", d.Differences)
}

// A pod spec flytectl cannot decode is refused locally, as flytectl refuses it.
func TestPreflightRefusesUndecodablePodSpec(t *testing.T) {
	in := podSpecTask(t, `{"containers":"not a list"}`)
	err := register.Preflight(in)
	require.ErrorIs(t, err, register.ErrInvalidSpec)
	assert.ErrorContains(t, err, "not a Kubernetes PodSpec")
}

// Register shares the caller's messages when it can (no deep copy per task) but never changes
// them: not the container arguments it substitutes, not the pod spec it rewrites.
func TestRegisterDoesNotModifyInputWhenRewriting(t *testing.T) {
	c := daskSpec(t, "wf.c", 1)
	c.Template.GetContainer().Args = []string{"run", "{{ .remote_package_path }}", "{{ .dest_dir }}"}
	p := podSpecTask(t, `{"containers":[{"name":"primary","image":"img:1","command":[],"args":["{{ .dest_dir }}"]}]}`)
	in := []*admin.TaskSpec{c, p}
	orig := []proto.Message{proto.Clone(c), proto.Clone(p)}
	f := newFakeAdmin()
	s := startServer(t, f, false)
	_, err := dialFast(t, s, nil).Register(context.Background(), in, target)
	require.NoError(t, err)
	for i := range in {
		assert.True(t, proto.Equal(orig[i], in[i]), "input %d modified", i)
	}
	for _, tt := range f.Templates() {
		if ctr := tt.GetContainer(); ctr != nil {
			assert.Equal(t, []string{"run", "", "."}, ctr.GetArgs())
		}
	}
}
