// Package resources models flytekit's Resources (cpu, mem, gpu,
// ephemeral_storage) as requests and limits, checks them the way Flyte's
// backend and FlyteAdmin will, and converts them to flyteidl's core.Resources.
//
// Quantities are Kubernetes quantity strings ("500m", "2Gi") and are parsed
// with k8s.io/apimachinery's resource.ParseQuantity, the same parser the Dask
// backend plugin uses. An empty string means "not set".
//
// Two conversions exist because flytekit writes two different orders:
// ToProto is the order of the Dask custom payload (CPU, MEMORY, GPU,
// EPHEMERAL_STORAGE; flytekit's convert_resources_to_resource_model) and
// ContainerProto is the order of the task container (EPHEMERAL_STORAGE, CPU,
// GPU, MEMORY; flytekit's _get_container_definition).
package resources

import (
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

	"github.com/flytedask/flytedask/field"
)

// Spec is one set of resource quantities, flytekit's Resources. The zero
// value sets nothing. Field paths use flytekit's names: cpu, mem, gpu,
// ephemeral_storage.
type Spec struct {
	// CPU in cores, e.g. "2" or "500m".
	CPU string `json:"cpu,omitempty"`
	// Mem is memory, e.g. "4Gi".
	Mem string `json:"mem,omitempty"`
	// GPU is a whole number of GPUs, e.g. "1". The backend maps it to nvidia.com/gpu.
	GPU string `json:"gpu,omitempty"`
	// EphemeralStorage is local scratch space, e.g. "10Gi".
	EphemeralStorage string `json:"ephemeral_storage,omitempty"`
}

// IsZero reports whether no quantity is set.
func (s Spec) IsZero() bool { return s == Spec{} }

// Name is a resource's flytekit name, which is also its field path element.
type Name string

// The resource names, as flytekit and the flytedask spec spell them.
const (
	CPU              Name = "cpu"
	Mem              Name = "mem"
	GPU              Name = "gpu"
	EphemeralStorage Name = "ephemeral_storage"
)

// Names returns the resource names in flytekit's custom-payload order (an
// array: callers cannot change the order others see).
func Names() [4]Name { return [4]Name{CPU, Mem, GPU, EphemeralStorage} }

// Get returns the quantity set for name ("" when unset or unknown).
func (s Spec) Get(name Name) string {
	switch name {
	case CPU:
		return s.CPU
	case Mem:
		return s.Mem
	case GPU:
		return s.GPU
	case EphemeralStorage:
		return s.EphemeralStorage
	}
	return ""
}

// Set sets the quantity for name. It reports false for an unknown name.
func (s *Spec) Set(name Name, quantity string) bool {
	switch name {
	case CPU:
		s.CPU = quantity
	case Mem:
		s.Mem = quantity
	case GPU:
		s.GPU = quantity
	case EphemeralStorage:
		s.EphemeralStorage = quantity
	default:
		return false
	}
	return true
}

// ProtoName is the flyteidl enum value of a resource name.
func (n Name) ProtoName() core.Resources_ResourceName {
	switch n {
	case CPU:
		return core.Resources_CPU
	case Mem:
		return core.Resources_MEMORY
	case GPU:
		return core.Resources_GPU
	case EphemeralStorage:
		return core.Resources_EPHEMERAL_STORAGE
	}
	return core.Resources_UNKNOWN
}

var (
	customOrder    = [...]Name{CPU, Mem, GPU, EphemeralStorage}
	containerOrder = [...]Name{EphemeralStorage, CPU, GPU, Mem}
)

func entries(s Spec, order []Name) []*core.Resources_ResourceEntry {
	n := 0
	for _, name := range order {
		if s.Get(name) != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]*core.Resources_ResourceEntry, 0, n)
	for _, name := range order {
		if v := s.Get(name); v != "" {
			out = append(out, &core.Resources_ResourceEntry{Name: name.ProtoName(), Value: v})
		}
	}
	return out
}

// ToProto converts requests and limits in the order of flytekit's Dask
// custom payload: CPU, MEMORY, GPU, EPHEMERAL_STORAGE. It never returns nil:
// like flytekit, an empty Resources message stands for "nothing set".
func ToProto(requests, limits Spec) *core.Resources {
	return &core.Resources{Requests: entries(requests, customOrder[:]), Limits: entries(limits, customOrder[:])}
}

// ContainerProto converts requests and limits in the order flytekit uses for
// a task container: EPHEMERAL_STORAGE, CPU, GPU, MEMORY. It never returns nil.
func ContainerProto(requests, limits Spec) *core.Resources {
	return &core.Resources{Requests: entries(requests, containerOrder[:]), Limits: entries(limits, containerOrder[:])}
}

// FromProto reads flyteidl resources back into requests and limits, for
// bundles written by other tools. It reports, each with its path below path,
// entries that repeat a name (Duplicate) and names flytedask does not model
// (UNKNOWN, and STORAGE, which the backend ignores).
func FromProto(path *field.Path, r *core.Resources) (requests, limits Spec, errs field.ErrorList) {
	read := func(p *field.Path, list []*core.Resources_ResourceEntry, into *Spec) {
		seen := map[Name]bool{}
		for i, e := range list {
			name := nameOf(e.GetName())
			ep := p.Index(i)
			switch {
			case name == "":
				errs = append(errs, field.NotSupported(ep.Child("name"), e.GetName().String(),
					[]string{"CPU", "MEMORY", "GPU", "EPHEMERAL_STORAGE"}))
			case seen[name]:
				errs = append(errs, field.Duplicate(ep.Child("name"), e.GetName().String(),
					fmt.Sprintf("%s is set twice: keep one entry per resource", e.GetName())))
			default:
				seen[name] = true
				into.Set(name, e.GetValue())
			}
		}
	}
	read(path.Child("requests"), r.GetRequests(), &requests)
	read(path.Child("limits"), r.GetLimits(), &limits)
	return requests, limits, errs
}

func nameOf(n core.Resources_ResourceName) Name {
	switch n {
	case core.Resources_CPU:
		return CPU
	case core.Resources_MEMORY:
		return Mem
	case core.Resources_GPU:
		return GPU
	case core.Resources_EPHEMERAL_STORAGE:
		return EphemeralStorage
	}
	return ""
}
