// Package regid holds the one rule for the registration coordinates (project, domain, version) in
// the ids of bundle entities: by default they are written empty, as today's `pyflyte package`
// writes them, and `flytectl register files -p P -d D --version V` (or `flytedask register`) fills
// them. Older bundles (flytekit before 1.0, 2021-22) carry flytekit's "{{ registration.* }}"
// placeholders instead; flytectl fills those alike, so readers accept both.
//
// The bundle writer applies Unpinned to every task template id; workflows, launch plans and the ids
// they reference (node reference ids, a launch plan's workflow id) use the same function.
package regid

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// flytekit's pre-1.0 registration placeholders (flytekit/configuration/__init__.py), which
// `flytectl register files` replaces with its -p, -d and --version values, as it fills empty ones.
const (
	ProjectPlaceholder = "{{ registration.project }}"
	DomainPlaceholder  = "{{ registration.domain }}"
	VersionPlaceholder = "{{ registration.version }}"
)

// FilledAtRegistration reports whether an id's project, domain or version v is left to the
// registering command: empty, or one of flytekit's placeholders.
func FilledAtRegistration(v string) bool {
	return v == "" || v == ProjectPlaceholder || v == DomainPlaceholder || v == VersionPlaceholder
}

// Unpinned returns id with empty project, domain and version: id itself when they are already
// empty (or id is nil), otherwise a new Identifier with id's resource type, name and org. id is
// never modified.
func Unpinned(id *core.Identifier) *core.Identifier {
	if id == nil || (id.GetProject() == "" && id.GetDomain() == "" && id.GetVersion() == "") {
		return id
	}
	return &core.Identifier{
		ResourceType: id.GetResourceType(),
		Name:         id.GetName(),
		Org:          id.GetOrg(),
	}
}

// Shallow returns a new message of m's type whose fields (and unknown fields) are m's own values:
// sub-messages, lists and maps are shared, not copied. Writers use it to replace an id in a copy of
// a caller's message without a deep copy.
func Shallow[M proto.Message](m M) M {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	dst.SetUnknown(src.GetUnknown())
	return dst.Interface().(M)
}
