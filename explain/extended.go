package explain

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

// Node labels the k8s plugin configuration uses for GPU accelerators, at their defaults
// (gpu-device-node-label and gpu-partition-size-node-label in flytek8s/config/config.go).
const (
	// GPUDeviceNodeLabel is the node label matched against the accelerator's device.
	GPUDeviceNodeLabel = "k8s.amazonaws.com/accelerator"
	// GPUPartitionSizeNodeLabel is the node label matched against the accelerator's partition size.
	GPUPartitionSizeNodeLabel = "k8s.amazonaws.com/gpu-partition-size"
)

// NodeRequirement is one match expression of a required node-affinity term.
type NodeRequirement struct {
	// Key is the node label.
	Key string `json:"key"`
	// Operator is In, NotIn, Exists, DoesNotExist, Gt or Lt.
	Operator string `json:"operator"`
	// Values are the label values for In and NotIn.
	Values []string `json:"values,omitempty"`
}

// NodeSelectorTerm is one term of the pod's required node affinity; a node must match every
// expression of at least one term.
type NodeSelectorTerm struct {
	// MatchExpressions are the term's label requirements.
	MatchExpressions []NodeRequirement `json:"matchExpressions"`
}

// Toleration is a pod toleration.
type Toleration struct {
	// Key is the taint key.
	Key string `json:"key,omitempty"`
	// Operator is Equal or Exists.
	Operator string `json:"operator,omitempty"`
	// Value is the taint value for Equal.
	Value string `json:"value,omitempty"`
	// Effect is the taint effect, e.g. NoSchedule.
	Effect string `json:"effect,omitempty"`
}

// Volume is a pod volume. Only emptyDir volumes are described beyond their name.
type Volume struct {
	// Name is the volume name.
	Name string `json:"name"`
	// EmptyDir is set for emptyDir volumes.
	EmptyDir *EmptyDir `json:"emptyDir,omitempty"`
}

// EmptyDir describes an emptyDir volume.
type EmptyDir struct {
	// Medium is "Memory" for a tmpfs, empty for node disk.
	Medium string `json:"medium,omitempty"`
	// SizeLimit is the canonical size limit; the backend writes "0" for shared memory without a
	// size (the kubelet then bounds the tmpfs by the pod's memory).
	SizeLimit string `json:"sizeLimit,omitempty"`
}

// VolumeMount is a volume mounted in the primary container.
type VolumeMount struct {
	// Name is the volume's name.
	Name string `json:"name"`
	// MountPath is where it is mounted.
	MountPath string `json:"mountPath"`
}

// placement is what every pod of the job shares: node affinity, tolerations, volumes and the
// primary container's mounts (from the pod spec and the extended resources).
type placement struct {
	affinity     []NodeSelectorTerm
	tolerations  []Toleration
	volumes      []Volume
	volumeMounts []VolumeMount
	gpuApplied   bool // the accelerator's node affinity was added
}

// applyExtendedResources mirrors what flytek8s.ApplyFlytePodConfiguration (flyteplugins v1.16.8
// pod_helper.go) does with template.extended_resources after the resources are resolved:
// ApplyGPUNodeSelectors, only when some container of the base pod has a GPU limit (the job runner's
// resolved limits or another container's), then ApplySharedMemory on the primary container. The
// Dask plugin builds its three pods from that base pod, so all three get the result.
func applyExtendedResources(er *core.ExtendedResources, base *basePod, runner requirements, pl *placement) error {
	if acc := er.GetGpuAccelerator(); acc != nil && (hasGPULimit(runner) || base.othersGPU) {
		pl.gpuApplied = true
		var reqs []NodeRequirement
		if d := acc.GetDevice(); d != "" {
			reqs = append(reqs, NodeRequirement{Key: GPUDeviceNodeLabel, Operator: "In", Values: []string{d}})
			pl.tolerations = append(pl.tolerations, Toleration{Key: GPUDeviceNodeLabel, Operator: "Equal", Value: d, Effect: "NoSchedule"})
		}
		switch p := acc.GetPartitionSizeValue().(type) {
		case *core.GPUAccelerator_Unpartitioned:
			if p.Unpartitioned {
				reqs = append(reqs, NodeRequirement{Key: GPUPartitionSizeNodeLabel, Operator: "DoesNotExist"})
			}
		case *core.GPUAccelerator_PartitionSize:
			reqs = append(reqs, NodeRequirement{Key: GPUPartitionSizeNodeLabel, Operator: "In", Values: []string{p.PartitionSize}})
			pl.tolerations = append(pl.tolerations, Toleration{Key: GPUPartitionSizeNodeLabel, Operator: "Equal", Value: p.PartitionSize, Effect: "NoSchedule"})
		}
		// AddRequiredNodeSelectorRequirements, once per requirement as the backend calls it.
		for _, r := range reqs {
			if len(pl.affinity) == 0 {
				pl.affinity = []NodeSelectorTerm{{}}
			}
			for i := range pl.affinity {
				pl.affinity[i].MatchExpressions = append(pl.affinity[i].MatchExpressions, r)
			}
		}
	}
	if sm := er.GetSharedMemory(); sm != nil {
		name, path := sm.GetMountName(), sm.GetMountPath()
		switch {
		case name == "":
			return badSpec("mount name is not set")
		case path == "":
			return badSpec("mount path is not set")
		}
		for _, v := range pl.volumes {
			if v.Name == name {
				return badSpec("A volume is already named %v in pod spec", name)
			}
		}
		for _, m := range pl.volumeMounts {
			if m.Name == name {
				return badSpec("A volume is already named %v in container", name)
			}
			if m.MountPath == path {
				return badSpec("%s is already mounted in container", path)
			}
		}
		var size resource.Quantity
		if s := sm.GetSizeLimit(); s != "" {
			q, err := resource.ParseQuantity(s)
			if err != nil {
				return badSpec("Unable to parse size limit: %v", err.Error())
			}
			size = q
		}
		pl.volumes = append(pl.volumes, Volume{Name: name, EmptyDir: &EmptyDir{Medium: "Memory", SizeLimit: size.String()}})
		pl.volumeMounts = append(pl.volumeMounts, VolumeMount{Name: name, MountPath: path})
	}
	return nil
}

// hasGPULimit reports whether the resolved job-runner resources have a GPU limit (the backend sets
// the limit from a lone request).
func hasGPULimit(r requirements) bool {
	_, ok := r.limits[ResourceGPU]
	return ok
}

func (pl *placement) apply(p *Pod) {
	p.NodeAffinity = cloneTerms(pl.affinity)
	p.Tolerations = append([]Toleration(nil), pl.tolerations...)
	if len(p.Tolerations) == 0 {
		p.Tolerations = nil
	}
	p.Volumes = nil
	for _, v := range pl.volumes {
		if v.EmptyDir != nil {
			ed := *v.EmptyDir
			v.EmptyDir = &ed
		}
		p.Volumes = append(p.Volumes, v)
	}
	p.VolumeMounts = append([]VolumeMount(nil), pl.volumeMounts...)
	if len(p.VolumeMounts) == 0 {
		p.VolumeMounts = nil
	}
}

func cloneTerms(in []NodeSelectorTerm) []NodeSelectorTerm {
	if len(in) == 0 {
		return nil
	}
	out := make([]NodeSelectorTerm, len(in))
	for i, t := range in {
		out[i].MatchExpressions = append([]NodeRequirement(nil), t.MatchExpressions...)
	}
	return out
}

// placementLines renders the node affinity, tolerations, volumes and mounts of a pod for WriteText.
func (p Pod) placementLines() [][2]string {
	var out [][2]string
	for _, t := range p.NodeAffinity {
		parts := make([]string, len(t.MatchExpressions))
		for i, r := range t.MatchExpressions {
			parts[i] = display(r.Key) + " " + r.Operator
			if len(r.Values) > 0 {
				parts[i] += " " + joinArgs(r.Values)
			}
		}
		out = append(out, [2]string{"node affinity:", strings.Join(parts, ", ")})
	}
	for _, t := range p.Tolerations {
		s := display(t.Key) + " " + t.Operator
		if t.Value != "" {
			s += " " + display(t.Value)
		}
		if t.Effect != "" {
			s += " " + t.Effect
		}
		out = append(out, [2]string{"toleration:", s})
	}
	for _, v := range p.Volumes {
		s := display(v.Name)
		if v.EmptyDir != nil {
			s += " emptyDir"
			if v.EmptyDir.Medium != "" {
				s += " medium=" + display(v.EmptyDir.Medium)
			}
			if v.EmptyDir.SizeLimit != "" {
				s += " sizeLimit=" + display(v.EmptyDir.SizeLimit)
			}
		}
		out = append(out, [2]string{"volume:", s})
	}
	for _, m := range p.VolumeMounts {
		out = append(out, [2]string{"mount:", display(m.Name) + " at " + display(m.MountPath)})
	}
	return out
}
