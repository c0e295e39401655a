package register

import (
	"encoding/json"
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/internal/fastregister"
)

// FlytectlForm returns a copy of spec in the form `flytectl register files` (v0.9.4) sends it to
// FlyteAdmin for a bundle without a fast-register source archive, apart from the template id (which
// FlyteAdmin overwrites with the request id anyway). Register and Diff send and compare this form,
// so that a task registered by either tool is, for FlyteAdmin, the same task: registering it again
// with the other tool at the same version is AlreadyExists, never "different structure".
//
// What flytectl changes, and so FlytectlForm too:
//   - container arguments equal to "{{ .dest_dir }}" become "." and those equal to
//     "{{ .remote_package_path }}" become "" (flytectl puts the uploaded source's location there
//     only when the bundle carries a fast*.tar.gz; without one it writes "");
//   - a task without a container but with k8s_pod.pod_spec: the pod spec is decoded into
//     Kubernetes' corev1.PodSpec and encoded back (encoding/json both ways, as flytestdlib's
//     utils.UnmarshalStructToObj / MarshalObjToStruct do). This drops what the Go type omits when
//     empty (e.g. `"command": []`, `"env": []`), drops unknown keys, adds what it always writes
//     (e.g. `"resources": {}` on every container, `"containers"`), and writes quantities in
//     canonical form ("1000m" becomes "1"). The same argument substitution applies to every pod
//     container. k8s_pod keeps only metadata, pod_spec and data_config (primary_container_name is
//     dropped, as flytectl rebuilds the message from those three). The PodSpec type is this
//     module's k8s.io/api; flytectl v0.9.4 is built with k8s.io/api v0.34, so a pod spec field
//     added to Kubernetes after v0.34 would be kept here and dropped by flytectl.
//
// The input is not modified. The error is flytectl's "Error hydrating spec" case: a pod spec that
// does not decode as a corev1.PodSpec.
func FlytectlForm(spec *admin.TaskSpec) (*admin.TaskSpec, error) {
	c := cloneSpec(spec)
	if err := toFlytectlForm(c.GetTemplate()); err != nil {
		return nil, err
	}
	return c, nil
}

// toFlytectlForm rewrites tt in place (see FlytectlForm).
func toFlytectlForm(tt *core.TaskTemplate) error {
	if tt == nil {
		return nil
	}
	if ctr := tt.GetContainer(); ctr != nil {
		if hasFastArgs(ctr.GetArgs()) {
			// The container may be shared with the caller's spec (shallowSpec): copy it first.
			ctr = proto.Clone(ctr).(*core.Container)
			ctr.Args = substituteFastArgs(ctr.Args)
			tt.Target = &core.TaskTemplate_Container{Container: ctr}
		}
		return nil
	}
	pod := tt.GetK8SPod()
	if pod == nil || pod.GetPodSpec() == nil {
		return nil
	}
	ps, err := roundTripPodSpec(pod.GetPodSpec())
	if err != nil {
		return err
	}
	tt.Target = &core.TaskTemplate_K8SPod{K8SPod: &core.K8SPod{
		Metadata:   pod.GetMetadata(),
		PodSpec:    ps,
		DataConfig: pod.GetDataConfig(),
	}}
	return nil
}

// hasFastArgs reports whether args hold a fast-register placeholder.
func hasFastArgs(args []string) bool {
	for _, a := range args {
		if a == fastregister.RemotePackagePath || a == fastregister.DestDir {
			return true
		}
	}
	return false
}

// substituteFastArgs replaces flytectl's fast-register placeholders (in place; args is returned).
func substituteFastArgs(args []string) []string {
	for i, a := range args {
		switch a {
		case fastregister.RemotePackagePath:
			args[i] = ""
		case fastregister.DestDir:
			args[i] = "."
		}
	}
	return args
}

// roundTripPodSpec is flytectl's Struct -> corev1.PodSpec -> Struct conversion with the argument
// substitution in between.
func roundTripPodSpec(s *structpb.Struct) (*structpb.Struct, error) {
	raw, err := protojson.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("k8s_pod.pod_spec: %w", err)
	}
	var ps corev1.PodSpec
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, fmt.Errorf("k8s_pod.pod_spec is not a Kubernetes PodSpec (flytectl fails with \"Error hydrating spec\"): %w", err)
	}
	for i := range ps.Containers {
		ps.Containers[i].Args = substituteFastArgs(ps.Containers[i].Args)
	}
	out, err := json.Marshal(ps)
	if err != nil {
		return nil, fmt.Errorf("k8s_pod.pod_spec: %w", err)
	}
	res := &structpb.Struct{}
	if err := protojson.Unmarshal(out, res); err != nil {
		return nil, fmt.Errorf("k8s_pod.pod_spec: %w", err)
	}
	return res, nil
}

// checkFlytectlForm reports a template flytectl could not hydrate (see FlytectlForm).
func checkFlytectlForm(tt *core.TaskTemplate) error {
	if tt.GetContainer() != nil || tt.GetK8SPod().GetPodSpec() == nil {
		return nil
	}
	_, err := roundTripPodSpec(tt.GetK8SPod().GetPodSpec())
	return err
}

// shallowSpec returns a new TaskSpec whose template is a new TaskTemplate sharing every field value
// (sub-messages, lists, maps) with spec's, so that setting a field of the new template (its id, its
// target) leaves spec untouched at a fraction of proto.Clone's cost. Whoever changes something
// below the top level of the template must copy it first (toFlytectlForm does). Unknown fields
// are kept.
func shallowSpec(spec *admin.TaskSpec) *admin.TaskSpec {
	c := shallowCopy(spec).(*admin.TaskSpec)
	if spec.GetTemplate() != nil {
		c.Template = shallowCopy(spec.GetTemplate()).(*core.TaskTemplate)
	}
	return c
}

func shallowCopy(m proto.Message) proto.Message {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	if u := src.GetUnknown(); len(u) > 0 {
		dst.SetUnknown(append(protoreflect.RawFields(nil), u...))
	}
	return dst.Interface()
}
