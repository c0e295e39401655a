package dask_test

import (
	"math"

	"github.com/flytedask/flytedask/dask"
)

// overMax is one worker more than the proto can carry. It is computed at run
// time so the tests also compile for 32-bit platforms, where int cannot hold
// it (there it wraps, and the tests that use it are skipped: see is64).
var overMax = func() int { var n int64 = dask.MaxNumberOfWorkers; return int(n + 1) }()

// is64 reports whether int can hold more than dask.MaxNumberOfWorkers.
const is64 = math.MaxInt > math.MaxUint32
