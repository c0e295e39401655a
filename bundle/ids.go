package bundle

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/internal/regid"
)

// WithPinnedIDs writes every id as given instead of with empty project, domain and version.
//
// By default the writers leave project, domain and version of every template id empty, as today's
// `pyflyte package` writes them, so that `flytectl register files --archive -p P -d D --version V`
// (or `flytedask register --project P --domain D --version V`) registers every task as P/D/V. With
// WithPinnedIDs a concrete version in the file wins: flytectl then registers the task under the
// file's version and silently ignores --version (unless --force); project and domain still come
// from -p/-d (flytectl always sends those in the request id). Empty fields stay empty and are filled
// like in an unpinned bundle.
func WithPinnedIDs() WriteOption { return func(c *writeConfig) { c.pinned = true } }

// unpinned returns s, or a copy whose template id has empty project, domain and version (name,
// resource type and org kept) when it does not already.
func unpinned(s *admin.TaskSpec) *admin.TaskSpec {
	id := s.GetTemplate().GetId()
	u := regid.Unpinned(id)
	if u == id {
		return s
	}
	// Shallow copies of the spec and its template: only the id is replaced, everything else is
	// shared with the caller's messages (read-only here), so writing a bundle costs no deep copy.
	c := regid.Shallow(s)
	c.Template = regid.Shallow(s.GetTemplate())
	c.Template.Id = u
	return c
}
