package task

import (
	"strconv"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/resources"
)

// Paths into a TaskSpec (ValidateSpec's, and register's field differences) are protojson paths of
// the spec as `flytedask inspect` prints it, written as jq would address them without the leading
// dot: JSON field names (template.metadata.runtime.version), list indexes
// (template.container.resources.limits[1].value), and object or map keys as .key when the key is an
// identifier, else ["key"] (template.config.primary_container_name). See docs/api-decisions.md, item 7.

// jsonKey returns the path of the entry key of a JSON object or proto map below p, as jq writes it.
func jsonKey(p *field.Path, key string) *field.Path {
	if isIdent(key) {
		return p.Child(key)
	}
	return p.Key(strconv.Quote(key))
}

// protoPaths rewrites, in place, the paths that resources.Validate and dask's Validate/FromCustom
// report in flytedask's spec style (…resources.limits.mem, …workers.limits.cpu,
// …workers.number_of_workers) to the protojson paths of tmpl below root
// (…resources.limits[1].value, …workers.resources.limits[0].value, the workers' count key as it is
// spelled in custom). Other paths are left as they are.
func protoPaths(root *field.Path, tmpl *core.TaskTemplate, errs field.ErrorList) {
	if len(errs) == 0 {
		return
	}
	m := map[string]string{}
	add := func(from, to *field.Path) {
		if k := from.String(); m[k] == "" { // the first entry of a repeated name is the one read
			m[k] = to.String()
		}
	}
	cp := root.Child("container", "resources")
	res := tmpl.GetContainer().GetResources()
	for _, l := range []struct {
		name    string
		entries []*core.Resources_ResourceEntry
	}{{"requests", res.GetRequests()}, {"limits", res.GetLimits()}} {
		for i, e := range l.entries {
			if n := resourceName(e.GetName()); n != "" {
				add(cp.Child(l.name, string(n)), cp.Child(l.name).Index(i).Child("value"))
			}
		}
	}
	cu := root.Child("custom")
	for _, group := range []string{"scheduler", "workers"} {
		gp := cu.Child(group)
		g := tmpl.GetCustom().GetFields()[group].GetStructValue()
		if group == "workers" {
			key := "numberOfWorkers" // what flytekit writes; the backend also reads number_of_workers
			if _, camel := g.GetFields()[key]; !camel {
				if _, snake := g.GetFields()["number_of_workers"]; snake {
					key = "number_of_workers"
				}
			}
			add(gp.Child("number_of_workers"), gp.Child(key))
		}
		rp := gp.Child("resources")
		r := g.GetFields()["resources"].GetStructValue()
		for _, list := range []string{"requests", "limits"} {
			for i, v := range r.GetFields()[list].GetListValue().GetValues() {
				if n := structResourceName(v.GetStructValue().GetFields()["name"]); n != "" {
					add(gp.Child(list, string(n)), rp.Child(list).Index(i).Child("value"))
				}
			}
		}
	}
	for _, e := range errs {
		if to, ok := m[e.Field]; ok {
			e.Field = to
		}
	}
}

// resourceName is the flytedask name of a flyteidl resource name, or "" for names flytedask does not
// model.
func resourceName(n core.Resources_ResourceName) resources.Name {
	for _, name := range resources.Names() {
		if name.ProtoName() == n {
			return name
		}
	}
	return ""
}

// structResourceName reads a resource entry's name from JSON as the backend decodes it (protojson:
// the enum's name or number).
func structResourceName(v *structpb.Value) resources.Name {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		if n, ok := core.Resources_ResourceName_value[k.StringValue]; ok {
			return resourceName(core.Resources_ResourceName(n))
		}
	case *structpb.Value_NumberValue:
		if n := k.NumberValue; n == float64(int32(n)) {
			return resourceName(core.Resources_ResourceName(int32(n)))
		}
	}
	return ""
}
