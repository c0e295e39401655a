package resources

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flytedask/flytedask/field"
)

// hints gives a valid example per resource, for error messages.
var hints = map[Name]string{
	CPU:              `e.g. "2" or "500m"`,
	Mem:              `e.g. "4Gi" or "512Mi" (binary suffixes are Ki, Mi, Gi, Ti: case matters)`,
	GPU:              `a whole number, e.g. "1"`,
	EphemeralStorage: `e.g. "10Gi"`,
}

// Validate checks requests and limits found at path (their paths are
// path.requests.NAME and path.limits.NAME) and returns every problem:
//   - a quantity resource.ParseQuantity rejects, or a negative one;
//   - a GPU quantity that is not a whole number;
//   - a request greater than its limit, compared exactly (FlyteAdmin rounds
//     both up to whole units first and so misses 2500m > 2100m; this does not);
//   - a GPU request different from its GPU limit, as FlyteAdmin requires.
func Validate(path *field.Path, requests, limits Spec) field.ErrorList {
	var errs field.ErrorList
	// Quantities are kept by value and paths are built only when a problem
	// is found: validation is on the hot path of Build.
	var reqQ, limQ [len(customOrder)]quantity
	check := func(list string, s Spec, into *[len(customOrder)]quantity) {
		for i, name := range customOrder {
			v := s.Get(name)
			if v == "" {
				continue
			}
			fp := lazyPath{path, list, string(name)}
			q, err := resource.ParseQuantity(v)
			if err != nil {
				errs = append(errs, field.Invalid(fp.get(), v, fmt.Sprintf(
					"invalid quantity %q: must be a Kubernetes quantity matching %s, %s",
					v, `'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`, hints[name])))
				continue
			}
			if q.Sign() < 0 {
				errs = append(errs, field.Invalid(fp.get(), v, fmt.Sprintf("negative quantity %q: resources must be zero or more", v)))
				continue
			}
			if name == GPU {
				if _, exact := q.AsScale(0); !exact {
					errs = append(errs, field.Invalid(fp.get(), v, fmt.Sprintf("gpu %q is not a whole number: request whole GPUs, e.g. \"1\"", v)))
					continue
				}
			}
			into[i] = quantity{q, true}
		}
	}
	check("requests", requests, &reqQ)
	check("limits", limits, &limQ)
	for i, name := range customOrder {
		r, l := &reqQ[i].q, &limQ[i].q
		if !reqQ[i].ok || !limQ[i].ok {
			continue
		}
		fp := lazyPath{path, "requests", string(name)}
		if name == GPU {
			if r.Cmp(*l) != 0 {
				errs = append(errs, field.Invalid(fp.get(), requests.Get(name), fmt.Sprintf(
					"gpu request %q differs from gpu limit %q: FlyteAdmin requires them to be equal; set only the limit or make them match",
					requests.Get(name), limits.Get(name))))
			}
			continue
		}
		if r.Cmp(*l) > 0 {
			errs = append(errs, field.Invalid(fp.get(), requests.Get(name), fmt.Sprintf(
				"%s request %q is greater than its limit %q: lower the request or raise the limit",
				name, requests.Get(name), limits.Get(name))))
		}
	}
	return errs
}

// lazyPath is parent.list.name, rendered only when an error needs it.
type lazyPath struct {
	parent     *field.Path
	list, name string
}

func (l lazyPath) get() *field.Path { return l.parent.Child(l.list, l.name) }

type quantity struct {
	q  resource.Quantity
	ok bool
}
