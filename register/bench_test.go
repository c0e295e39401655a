package register_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flytedask/flytedask/register"
)

// BenchmarkRegister1000 registers 1000 specs against the bufconn server with 200µs of server-side
// latency per CreateTask, once sequentially (concurrency 1) and once with the default concurrency, in
// the same iteration, and reports the ratio as x-speedup (plus both wall times).
func BenchmarkRegister1000(b *testing.B) {
	f := newFakeAdmin()
	f.Latency = 200 * time.Microsecond
	s := startServer(b, f, false)
	c := dialFast(b, s, nil)
	in := manySpecs(b, 1000)
	ctx := context.Background()
	run := func(version string, conc int) time.Duration {
		start := time.Now()
		tgt := register.Target{Project: "p", Domain: "d", Version: version}
		res, err := c.Register(ctx, in, tgt, register.WithConcurrency(conc))
		if err != nil {
			b.Fatal(err)
		}
		if res[len(res)-1].Outcome != register.Created {
			b.Fatalf("unexpected %s", res[len(res)-1])
		}
		return time.Since(start)
	}
	var seq, conc time.Duration
	n := 0
	for ; b.Loop(); n++ {
		f.Reset()
		seq += run(fmt.Sprintf("s%d", n), 1)
		f.Reset()
		conc += run(fmt.Sprintf("c%d", n), register.DefaultConcurrency)
	}
	b.ReportMetric(float64(seq)/float64(conc), "x-speedup")
	b.ReportMetric(float64(seq.Milliseconds())/float64(n), "seq-ms/op")
	b.ReportMetric(float64(conc.Milliseconds())/float64(n), "conc-ms/op")
}
