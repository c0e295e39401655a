package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
)

// latencyAdmin answers every CreateTask with OK after a fixed delay, like a
// FlyteAdmin whose database takes that long; it stores nothing, so the
// same bundle can be registered again and again.
type latencyAdmin struct {
	service.UnimplementedAdminServiceServer
	latency time.Duration
}

func (a *latencyAdmin) CreateTask(context.Context, *admin.TaskCreateRequest) (*admin.TaskCreateResponse, error) {
	time.Sleep(a.latency)
	return &admin.TaskCreateResponse{}, nil
}

func startLatencyAdmin(b *testing.B, latency time.Duration) string {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer()
	service.RegisterAdminServiceServer(srv, &latencyAdmin{latency: latency})
	go func() { _ = srv.Serve(lis) }()
	b.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// thousandTaskBundle writes a bundle of n copies of the quickstart task
// (distinct names) and returns its path.
func thousandTaskBundle(b *testing.B, n int) string {
	b.Helper()
	qs, err := bundle.ReadFile(quickstartTGZ)
	if err != nil {
		b.Fatal(err)
	}
	base := qs.Specs()[0]
	specs := make([]*admin.TaskSpec, n)
	for i := range specs {
		s := proto.Clone(base).(*admin.TaskSpec)
		s.Template.Id.Name = fmt.Sprintf("wf.bench.task_%04d", i)
		specs[i] = s
	}
	path := filepath.Join(b.TempDir(), "bench.tgz")
	if err := bundle.WriteFile(path, specs); err != nil {
		b.Fatal(err)
	}
	return path
}

// bareRegister is the floor: read the bundle, then CreateTask every task
// with 8 calls in flight on one connection, nothing else (no validation, no
// retries, no output).
func bareRegister(b *testing.B, conn *grpc.ClientConn, path, version string) {
	bun, err := bundle.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	client := service.NewAdminServiceClient(conn)
	specs := bun.Specs()
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < register.DefaultConcurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(specs) {
					return
				}
				s := specs[i]
				id := &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "p", Domain: "d", Name: s.GetTemplate().GetId().GetName(), Version: version}
				s.Template.Id = id
				if _, err := client.CreateTask(context.Background(), &admin.TaskCreateRequest{Id: id, Spec: s}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkRegister1000Tasks compares `flytedask register BUNDLE` (in
// process: reading, validation, the flytectl form, progress lines and the
// table, against a server with the given per-call latency) with the floor
// measured in the same iteration, a bare client keeping 8 CreateTask calls
// in flight on the same bundle. It reports x-floor (flytedask / floor) and,
// to show where the difference goes, the time of the parts flytedask adds,
// measured once per iteration outside the timed comparison: read-ms (read
// the bundle), validate-ms (register.DryRun with the CLI's validator, what
// register runs before sending), output-ms (the progress lines and the
// table for 1,000 results).
func BenchmarkRegister1000Tasks(b *testing.B) {
	for _, latency := range []time.Duration{time.Millisecond, 10 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%s", latency), func(b *testing.B) {
			b.Setenv("HOME", b.TempDir())
			b.Setenv(register.EnvFlytectlConfig, "")
			const n = 1000
			addr := startLatencyAdmin(b, latency)
			path := thousandTaskBundle(b, n)
			conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			bareRegister(b, conn, path, "warmup")

			var cli, floor, read, validate, output time.Duration
			iters := 0
			for b.Loop() {
				iters++
				start := time.Now()
				bareRegister(b, conn, path, "floor")
				floor += time.Since(start)

				start = time.Now()
				var stdout, stderr bytes.Buffer
				code := Main(context.Background(), []string{"register", path, "--endpoint", addr, "--insecure",
					"--project", "p", "--domain", "d", "--version", "v1"}, strings.NewReader(""), &stdout, &stderr)
				cli += time.Since(start)
				if code != ExitOK {
					b.Fatalf("exit %d: %s", code, stderr.String())
				}

				// The parts, one by one.
				start = time.Now()
				bun, err := bundle.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				read += time.Since(start)
				start = time.Now()
				res := register.DryRun(bun.Specs(), register.Target{Project: "p", Domain: "d", Version: "v1"}, register.WithValidator(bundleValidator))
				validate += time.Since(start)
				start = time.Now()
				p := newProgress(io.Discard, len(res))
				for _, r := range res {
					p.done(r)
				}
				p.finish()
				writeResults(io.Discard, res)
				output += time.Since(start)
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(iters) }
			b.ReportMetric(float64(cli)/float64(floor), "x-floor")
			b.ReportMetric(ms(cli), "flytedask-ms")
			b.ReportMetric(ms(floor), "floor-ms")
			b.ReportMetric(ms(read), "read-ms")
			b.ReportMetric(ms(validate), "validate-ms")
			b.ReportMetric(ms(output), "output-ms")
		})
	}
}
