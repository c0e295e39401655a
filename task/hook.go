package task

import (
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/internal/taskhook"
)

// The hook through which the CLI builds tasks spec.Decode has validated without validating them
// again (see internal/taskhook).
func init() {
	taskhook.Set(func(t *Task, s Settings, c *taskhook.Customs) (*admin.TaskSpec, error) { return t.build(s, c) })
}
