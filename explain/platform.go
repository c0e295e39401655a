package explain

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Kubernetes resource names used in requests and limits, as the backend writes them.
const (
	// ResourceCPU is the Kubernetes name of the cpu resource.
	ResourceCPU = "cpu"
	// ResourceMemory is the Kubernetes name of the memory resource.
	ResourceMemory = "memory"
	// ResourceGPU is the Kubernetes name the backend gives to flyteidl's GPU resource
	// (flytek8s.ResourceNvidiaGPU, also the default of the k8s plugin's gpu-resource-name setting).
	ResourceGPU = "nvidia.com/gpu"
	// ResourceEphemeralStorage is the Kubernetes name of the ephemeral-storage resource.
	ResourceEphemeralStorage = "ephemeral-storage"
)

// Backend fallbacks for missing platform default requests: the k8s plugin configuration's
// default-cpus (1000m) and default-memory (1024Mi) (flytek8s/config/config.go).
var (
	defaultCPURequest    = resource.MustParse("1000m")
	defaultMemoryRequest = resource.MustParse("1024Mi")
)

// ResourceList maps Kubernetes resource names (ResourceCPU, ResourceMemory, ResourceGPU,
// ResourceEphemeralStorage) to quantities.
type ResourceList map[string]resource.Quantity

// Platform holds the platform resources the backend resolves task resources against: flyteadmin's
// task resource defaults (DefaultRequests) and limits (Limits), as propeller hands them to the plugin.
//
// A missing cpu or memory default request falls back to the k8s plugin configuration's
// default-cpus (1000m) and default-memory (1024Mi), exactly as the backend does. A missing or zero
// limit means "no cap".
type Platform struct {
	// DefaultRequests is used for a request that is set neither as a request nor as a limit.
	DefaultRequests ResourceList
	// Limits caps requests and limits; zero or missing entries do not cap.
	Limits ResourceList
}

// DefaultPlatform returns the platform the backend falls back to when flyteadmin supplies no task
// resource attributes: requests cpu 1000m and memory 1024Mi, no limits. Real deployments usually
// configure flyteadmin's task_resources (defaults and limits); pass those for exact answers.
func DefaultPlatform() Platform {
	return Platform{
		DefaultRequests: ResourceList{
			ResourceCPU:    defaultCPURequest.DeepCopy(),
			ResourceMemory: defaultMemoryRequest.DeepCopy(),
		},
		Limits: ResourceList{},
	}
}

// ResourceListError reports a problem with one entry of a resource list given to ParseResourceList.
type ResourceListError struct {
	// Entry is the offending entry as written (trimmed), e.g. "mem=1gi".
	Entry string
	// Reason says what is wrong with it.
	Reason string
	// Err is the underlying cause (a k8s quantity parse error), if any.
	Err error
}

// Error implements error.
func (e *ResourceListError) Error() string {
	msg := fmt.Sprintf("resource list entry %q: %s", e.Entry, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *ResourceListError) Unwrap() error { return e.Err }

// resourceAliases maps the accepted user-facing names to Kubernetes resource names.
var resourceAliases = map[string]string{
	"cpu":               ResourceCPU,
	"mem":               ResourceMemory,
	"memory":            ResourceMemory,
	"gpu":               ResourceGPU,
	"nvidia.com/gpu":    ResourceGPU,
	"ephemeral_storage": ResourceEphemeralStorage,
	"ephemeral-storage": ResourceEphemeralStorage,
}

// acceptedNames lists the accepted names for error messages, sorted.
func acceptedNames() string {
	names := make([]string, 0, len(resourceAliases))
	for n := range resourceAliases {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ParseResourceList parses the command-line form of a resource list, such as
// "cpu=1,mem=1Gi,gpu=1,ephemeral_storage=10Gi". Names are case-insensitive: cpu, mem or memory, gpu
// or nvidia.com/gpu, ephemeral_storage or ephemeral-storage. Values are Kubernetes quantities, parsed with the
// backend's parser (resource.ParseQuantity); negative values and repeated names are rejected.
// Spaces around entries, names and values are ignored. An empty or blank string gives an empty
// list. Errors are *ResourceListError.
func ParseResourceList(s string) (ResourceList, error) {
	out := ResourceList{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	seen := map[string]string{}
	for _, raw := range strings.Split(s, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			return nil, &ResourceListError{Entry: entry, Reason: "empty entry (stray comma?)"}
		}
		name, value, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, &ResourceListError{Entry: entry, Reason: "want name=quantity, e.g. cpu=1 or mem=1Gi"}
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		k8sName, known := resourceAliases[name]
		if !known {
			return nil, &ResourceListError{Entry: entry,
				Reason: fmt.Sprintf("unknown resource %q (accepted: %s)", name, acceptedNames())}
		}
		if prev, dup := seen[k8sName]; dup {
			return nil, &ResourceListError{Entry: entry,
				Reason: fmt.Sprintf("%s given twice (also as %q)", k8sName, prev)}
		}
		if value == "" {
			return nil, &ResourceListError{Entry: entry, Reason: "missing quantity"}
		}
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return nil, &ResourceListError{Entry: entry, Reason: "invalid quantity", Err: err}
		}
		if q.Sign() < 0 {
			return nil, &ResourceListError{Entry: entry, Reason: "negative quantity"}
		}
		seen[k8sName] = entry
		out[k8sName] = q
	}
	return out, nil
}

// String renders the list in the form ParseResourceList accepts, using Kubernetes names in the
// order cpu, memory, nvidia.com/gpu, ephemeral-storage, then any others sorted, with canonical
// quantities. ParseResourceList reads the result back when all names are ones it accepts.
func (l ResourceList) String() string {
	parts := make([]string, 0, len(l))
	for _, name := range orderedNames(keysOf(l)) {
		q := l[name]
		parts = append(parts, name+"="+q.String())
	}
	return strings.Join(parts, ",")
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// resourceOrder is the display order of well-known resource names.
var resourceOrder = map[string]int{
	ResourceCPU:              0,
	ResourceMemory:           1,
	ResourceGPU:              2,
	ResourceEphemeralStorage: 3,
}

// orderedNames sorts names: well-known ones first in display order, others alphabetically.
func orderedNames(names []string) []string {
	sort.Slice(names, func(i, j int) bool {
		ri, iok := resourceOrder[names[i]]
		rj, jok := resourceOrder[names[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		default:
			return names[i] < names[j]
		}
	})
	return names
}

// withFallbacks returns the platform default requests with the backend's config fallbacks for cpu
// and memory (resolvePlatformDefaults in flytek8s/container_helper.go).
func (p Platform) withFallbacks() (requests, limits ResourceList) {
	requests = ResourceList{}
	for k, v := range p.DefaultRequests {
		requests[k] = v
	}
	if _, ok := requests[ResourceCPU]; !ok {
		requests[ResourceCPU] = defaultCPURequest
	}
	if _, ok := requests[ResourceMemory]; !ok {
		requests[ResourceMemory] = defaultMemoryRequest
	}
	limits = ResourceList{}
	for k, v := range p.Limits {
		limits[k] = v
	}
	return requests, limits
}
