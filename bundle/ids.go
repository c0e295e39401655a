package bundle

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// flytekit's registration placeholders (flytekit/configuration/__init__.py), which
// `flytectl register files` replaces with its -p, -d and --version values.
const (
	ProjectPlaceholder = "{{ registration.project }}"
	DomainPlaceholder  = "{{ registration.domain }}"
	VersionPlaceholder = "{{ registration.version }}"
)

// WithPinnedIDs writes every template id as given instead of with the registration placeholders.
//
// By default the writers put flytekit's placeholders ([ProjectPlaceholder], [DomainPlaceholder],
// [VersionPlaceholder]) into template.id.project, .domain and .version, as pyflyte bundles carry
// them, so that `flytectl register files --archive -p P -d D --version V` registers every task as
// P/D/V. With WithPinnedIDs a concrete version in the file wins: flytectl then registers the task
// under the file's version and silently ignores --version (unless --force); project and domain
// still come from -p/-d (flytectl always sends those in the request id). Empty fields stay empty,
// which flytectl fills like placeholders.
func WithPinnedIDs() WriteOption { return func(c *writeConfig) { c.pinned = true } }

// IsPlaceholder reports whether v is empty or one of flytekit's registration placeholders: a value
// flytectl replaces at registration.
func IsPlaceholder(v string) bool {
	return v == "" || v == ProjectPlaceholder || v == DomainPlaceholder || v == VersionPlaceholder
}

// withPlaceholders returns s, or a copy whose template id carries the registration placeholders
// (name and resource type kept) when it does not already.
func withPlaceholders(s *admin.TaskSpec) *admin.TaskSpec {
	id := s.GetTemplate().GetId()
	if id.GetProject() == ProjectPlaceholder && id.GetDomain() == DomainPlaceholder && id.GetVersion() == VersionPlaceholder {
		return s
	}
	// Shallow copies of the spec and its template: only the id is replaced, everything else is
	// shared with the caller's messages (read-only here), so writing a bundle costs no deep copy.
	c := shallow(s)
	c.Template = shallow(s.GetTemplate())
	c.Template.Id = &core.Identifier{
		ResourceType: id.GetResourceType(),
		Project:      ProjectPlaceholder,
		Domain:       DomainPlaceholder,
		Name:         id.GetName(),
		Version:      VersionPlaceholder,
		Org:          id.GetOrg(),
	}
	return c
}

// shallow returns a new message of m's type whose fields (and unknown fields) are m's own values:
// sub-messages, lists and maps are shared, not copied.
func shallow[M proto.Message](m M) M {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	dst.SetUnknown(src.GetUnknown())
	return dst.Interface().(M)
}
