package spec

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/spechook"
)

// The hook through which the CLI builds the entities of a spec whose tasks it has built without
// validating them again (see internal/spechook).
func init() {
	spechook.Set(func(s *Spec, tasks []*admin.TaskSpec) (bundle.Entities, error) { return s.entities(tasks) })
}
