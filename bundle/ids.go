package bundle

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
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
	c := proto.Clone(s).(*admin.TaskSpec)
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
