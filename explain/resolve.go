package explain

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"k8s.io/apimachinery/pkg/api/resource"
)

// origin records where a resolved request or limit came from, so that notes can explain it.
type origin int

const (
	originGiven       origin = iota // set in the input (task container, pod spec or Dask custom)
	originFromLimit                 // request unset: copied from the limit
	originFromRequest               // limit unset: copied from the (possibly defaulted) request
	originDefault                   // request and limit unset: platform default request
)

// entry is one resolved quantity with its provenance.
type entry struct {
	q        resource.Quantity
	from     origin
	capped   bool              // lowered by capAt
	cappedBy string            // what it was lowered to: "the platform limit" or "its limit"
	was      resource.Quantity // value before capping
}

// requirements is a resolved set of requests and limits with provenance.
type requirements struct {
	requests requirementsList
	limits   requirementsList
}

// rawRequirements are requests and limits before defaulting, as the backend holds them in a
// v1.ResourceRequirements.
type rawRequirements struct {
	requests ResourceList
	limits   ResourceList
}

// quantityError is the plain (not BadTaskSpecification) error the backend's ToK8sResourceList returns.
func quantityError(err error) error {
	return &BuildError{Message: "Failed to parse resource as a valid quantity.", Err: err}
}

// toResourceList mirrors flytek8s.ToK8sResourceList (current backend): every value is parsed with
// resource.ParseQuantity (a failure fails the build), CPU/MEMORY/GPU/EPHEMERAL_STORAGE map to their
// Kubernetes names, zero quantities are dropped, STORAGE and UNKNOWN are ignored. A later entry with
// the same name wins, as in the backend's map assignment.
func toResourceList(entries []*core.Resources_ResourceEntry) (ResourceList, error) {
	out := ResourceList{}
	for _, e := range entries {
		q, err := resource.ParseQuantity(e.GetValue())
		if err != nil {
			return nil, quantityError(err)
		}
		var name string
		switch e.GetName() {
		case core.Resources_CPU:
			name = ResourceCPU
		case core.Resources_MEMORY:
			name = ResourceMemory
		case core.Resources_GPU:
			name = ResourceGPU
		case core.Resources_EPHEMERAL_STORAGE:
			name = ResourceEphemeralStorage
		default:
			continue
		}
		if !q.IsZero() {
			out[name] = q
		}
	}
	return out, nil
}

// toRequirements mirrors flytek8s.ToK8sResourceRequirements.
func toRequirements(r *core.Resources) (rawRequirements, error) {
	req, err := toResourceList(r.GetRequests())
	if err != nil {
		return rawRequirements{}, err
	}
	lim, err := toResourceList(r.GetLimits())
	if err != nil {
		return rawRequirements{}, err
	}
	return rawRequirements{requests: req, limits: lim}, nil
}

// applyOverrides mirrors flytek8s.ApplyResourceOverrides with assignIfUnset=true (the path taken by
// the job runner's primary container and, since Flyte v1.15.1, by ApplyK8sResourceOverrides for
// Dask custom resources): cpu and memory always, ephemeral-storage and nvidia.com/gpu only when
// present. For each, an unset (or zero) request becomes the limit or else the platform default
// request, an unset limit becomes the request, then both are capped at the platform limit and the
// request at the limit. Other resource names are kept as given.
func applyOverrides(in rawRequirements, p Platform) requirements {
	out := requirements{requests: requirementsList{}, limits: requirementsList{}}
	for k, v := range in.requests {
		out.requests[k] = entry{q: v}
	}
	for k, v := range in.limits {
		out.limits[k] = entry{q: v}
	}
	defaults, caps := p.withFallbacks()
	names := []string{ResourceCPU, ResourceMemory}
	for _, optional := range []string{ResourceEphemeralStorage, ResourceGPU} {
		_, inReq := in.requests[optional]
		_, inLim := in.limits[optional]
		if inReq || inLim {
			names = append(names, optional)
		}
	}
	for _, name := range names {
		req, lim := out.requests[name], out.limits[name]
		if req.q.IsZero() {
			if !lim.q.IsZero() {
				req = entry{q: lim.q, from: originFromLimit}
			} else {
				req = entry{q: defaults[name], from: originDefault}
			}
		}
		if lim.q.IsZero() {
			lim = entry{q: req.q, from: originFromRequest}
			if req.from == originDefault {
				lim.from = originDefault
			}
		}
		platformLimit := caps[name]
		req = capAt(req, platformLimit, "the platform limit")
		lim = capAt(lim, platformLimit, "the platform limit")
		req = capAt(req, lim.q, "its limit")
		out.requests[name], out.limits[name] = req, lim
	}
	return out
}

// capAt mirrors ensureResourceLimit: a non-zero value above a non-zero limit becomes the limit.
func capAt(e entry, limit resource.Quantity, by string) entry {
	if e.q.IsZero() || limit.IsZero() {
		return e
	}
	if e.q.Cmp(limit) == 1 {
		if !e.capped {
			e.was = e.q
		}
		e.q = limit
		e.capped = true
		e.cappedBy = by
	}
	return e
}

// hasEntries reports whether the backend would use Dask custom resources: at least one request or
// limit entry, whatever its name or value (STORAGE, UNKNOWN and zero entries count too).
func hasEntries(r *core.Resources) bool {
	return len(r.GetRequests()) >= 1 || len(r.GetLimits()) >= 1
}

// strings renders resolved entries as canonical quantity strings.
func (l requirementsList) strings() map[string]string {
	out := make(map[string]string, len(l))
	for k, e := range l {
		out[k] = e.q.String()
	}
	return out
}

// requirementsList is one side (requests or limits) of resolved requirements.
type requirementsList map[string]entry
