package explain

import (
	"fmt"
	"maps"
	"slices"
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
// ResourceEphemeralStorage) to quantities. It is the input type of Platform; other names are
// refused by Explain (a key such as "mem" or "Memory" would otherwise be silently ignored).
type ResourceList map[string]resource.Quantity

// Platform holds the platform resources the backend resolves task resources against: flyteadmin's
// task resource defaults (DefaultRequests) and limits (Limits), as propeller hands them to the plugin.
//
// A missing cpu or memory default request falls back to the k8s plugin configuration's
// default-cpus (1000m) and default-memory (1024Mi), exactly as the backend does. A missing or zero
// limit means "no cap". Keys must be the Kubernetes names ResourceCPU ("cpu"), ResourceMemory
// ("memory"), ResourceGPU ("nvidia.com/gpu") and ResourceEphemeralStorage ("ephemeral-storage"), the
// resources flyteadmin's task resource attributes have; Explain returns an error naming any other key
// and the name meant.
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

// platformNames are the keys a Platform's lists may hold, and the spellings users reach for
// instead (flytedask's spec names, flyteidl's enum names, any case) mapped to the key meant.
var (
	platformNames = map[string]bool{ResourceCPU: true, ResourceMemory: true, ResourceGPU: true, ResourceEphemeralStorage: true}
	platformAlias = map[string]string{
		"mem": ResourceMemory, "gpu": ResourceGPU, "ephemeral_storage": ResourceEphemeralStorage,
		"ephemeralstorage": ResourceEphemeralStorage, "storage": ResourceEphemeralStorage,
	}
)

// validate reports every key of p's lists that is not a Kubernetes resource name Explain models.
func (p Platform) validate() error {
	var problems []string
	for _, l := range []struct {
		field string
		list  ResourceList
	}{{"DefaultRequests", p.DefaultRequests}, {"Limits", p.Limits}} {
		for _, k := range slices.Sorted(maps.Keys(l.list)) {
			if platformNames[k] {
				continue
			}
			hint := "use " + ResourceCPU + ", " + ResourceMemory + ", " + ResourceGPU + " or " + ResourceEphemeralStorage
			low := strings.ToLower(k)
			if meant, ok := platformAlias[low]; ok {
				hint = fmt.Sprintf("did you mean %q?", meant)
			} else if platformNames[low] {
				hint = fmt.Sprintf("did you mean %q? (names are lower case)", low)
			}
			problems = append(problems, fmt.Sprintf("%s[%q]: unknown resource name, %s", l.field, k, hint))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("explain: invalid platform: %s", strings.Join(problems, "; "))
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
