package dask

import (
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flytedask/flytedask/internal/daskhook"
)

// The hook through which the CLI's package shares the roles' "resources" values between tasks
// (see internal/daskhook and internal/taskhook.Customs).
func init() {
	daskhook.Set(func(c Config, rv daskhook.ResourcesValue) (*structpb.Struct, error) { return c.custom(rv) }, resourcesValue)
}
