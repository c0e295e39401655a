//go:build modpin

// Package modpin is never built (the modpin build tag is never set). It exists so that `go mod tidy`
// keeps the requirement on github.com/flyteorg/flyte/flytestdlib v1.16.8 in this module's go.mod.
//
// Why: the go.mod of github.com/flyteorg/flyte/flyteidl v1.16.8 requires
// github.com/flyteorg/flyte/flytestdlib at v0.0.0-00010101000000-000000000000, a placeholder for
// the monorepo's `replace ../flytestdlib` line, which no module proxy serves. Any module whose
// graph holds that placeholder fails `go list -m all` and `go mod verify`. Requiring a real
// version here makes minimal version selection pick v1.16.8 instead, for this module and for
// every module that requires flytedask (requirements propagate; replace lines would not), so
// consumers need no replace line of their own. No package of flytestdlib is linked into any
// flytedask binary or test.
package modpin

import _ "github.com/flyteorg/flyte/flytestdlib/atomic"
