// Package resflag parses the command-line form of a resource list, as `flytedask
// explain --platform-defaults cpu=1,mem=1Gi` takes it, into an explain.ResourceList.
package resflag

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/explain"
)

// Error reports a problem with one entry of a resource list given to Parse.
type Error struct {
	// Entry is the offending entry as written (trimmed), e.g. "mem=1gi".
	Entry string
	// Reason says what is wrong with it.
	Reason string
	// Err is the underlying cause (a k8s quantity parse error), if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := fmt.Sprintf("resource list entry %q: %s", e.Entry, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// aliases maps the accepted user-facing names to Kubernetes resource names.
var aliases = map[string]string{
	"cpu":               explain.ResourceCPU,
	"mem":               explain.ResourceMemory,
	"memory":            explain.ResourceMemory,
	"gpu":               explain.ResourceGPU,
	"nvidia.com/gpu":    explain.ResourceGPU,
	"ephemeral_storage": explain.ResourceEphemeralStorage,
	"ephemeral-storage": explain.ResourceEphemeralStorage,
}

// acceptedNames lists the accepted names for error messages, sorted.
func acceptedNames() string {
	names := make([]string, 0, len(aliases))
	for n := range aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Parse parses the command-line form of a resource list, such as
// "cpu=1,mem=1Gi,gpu=1,ephemeral_storage=10Gi". Names are case-insensitive: cpu, mem or memory, gpu
// or nvidia.com/gpu, ephemeral_storage or ephemeral-storage. Values are Kubernetes quantities, parsed
// with the backend's parser (resource.ParseQuantity); negative values and repeated names are
// rejected. Spaces around entries, names and values are ignored. An empty or blank string gives an
// empty list. Errors are *Error.
func Parse(s string) (explain.ResourceList, error) {
	out := explain.ResourceList{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	seen := map[string]string{}
	for _, raw := range strings.Split(s, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			return nil, &Error{Entry: entry, Reason: "empty entry (stray comma?)"}
		}
		name, value, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, &Error{Entry: entry, Reason: "want name=quantity, e.g. cpu=1 or mem=1Gi"}
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		k8sName, known := aliases[name]
		if !known {
			return nil, &Error{Entry: entry, Reason: fmt.Sprintf("unknown resource %q (accepted: %s)", name, acceptedNames())}
		}
		if prev, dup := seen[k8sName]; dup {
			return nil, &Error{Entry: entry, Reason: fmt.Sprintf("%s given twice (also as %q)", k8sName, prev)}
		}
		if value == "" {
			return nil, &Error{Entry: entry, Reason: "missing quantity"}
		}
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return nil, &Error{Entry: entry, Reason: "invalid quantity", Err: err}
		}
		if q.Sign() < 0 {
			return nil, &Error{Entry: entry, Reason: "negative quantity"}
		}
		seen[k8sName] = entry
		out[k8sName] = q
	}
	return out, nil
}
