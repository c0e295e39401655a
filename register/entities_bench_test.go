package register_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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

// manyEntities is n task + workflow + default launch plan sets.
func manyEntities(b testing.TB, n int) bundle.Entities {
	var e bundle.Entities
	for i := 0; i < n; i++ {
		one := lpEntities(b, fmt.Sprintf("bench.job_%04d", i), "")
		e.Tasks = append(e.Tasks, one.Tasks...)
		e.Workflows = append(e.Workflows, one.Workflows...)
		e.LaunchPlans = append(e.LaunchPlans, one.LaunchPlans...)
	}
	return e
}

// bareEntities is the floor: what a client with no validation, no retries, no diff and no result
// bookkeeping does for the same registration: build each request (clone, set the ids), then send
// the three tiers one after the other with the same number of calls in flight.
func bareEntities(ctx context.Context, b *testing.B, svc service.AdminServiceClient, e bundle.Entities, t register.Target, conc int) {
	id := func(rt core.ResourceType, name string) *core.Identifier {
		return &core.Identifier{ResourceType: rt, Project: t.Project, Domain: t.Domain, Name: name, Version: t.Version}
	}
	tier := func(n int, call func(i int) error) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < conc; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
					if err := call(i); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	tier(len(e.Tasks), func(i int) error {
		s := proto.Clone(e.Tasks[i]).(*admin.TaskSpec)
		s.Template.Id = id(core.ResourceType_TASK, s.Template.Id.Name)
		_, err := svc.CreateTask(ctx, &admin.TaskCreateRequest{Id: s.Template.Id, Spec: s})
		return err
	})
	tier(len(e.Workflows), func(i int) error {
		s := proto.Clone(e.Workflows[i]).(*admin.WorkflowSpec)
		s.Template.Id = id(core.ResourceType_WORKFLOW, s.Template.Id.Name)
		for _, n := range s.Template.Nodes {
			r := n.GetTaskNode().GetReferenceId()
			r.Project, r.Domain, r.Version = t.Project, t.Domain, t.Version
		}
		_, err := svc.CreateWorkflow(ctx, &admin.WorkflowCreateRequest{Id: s.Template.Id, Spec: s})
		return err
	})
	tier(len(e.LaunchPlans), func(i int) error {
		l := e.LaunchPlans[i]
		spec := proto.Clone(l.Spec).(*admin.LaunchPlanSpec)
		spec.WorkflowId = id(core.ResourceType_WORKFLOW, spec.WorkflowId.Name)
		_, err := svc.CreateLaunchPlan(ctx, &admin.LaunchPlanCreateRequest{Id: id(core.ResourceType_LAUNCH_PLAN, l.Id.Name), Spec: spec})
		return err
	})
}

// BenchmarkRegisterEntities1000 registers 1,000 task + workflow + launch plan sets (3,000 calls,
// 200µs of server-side latency each) with RegisterEntities and, in the same iteration, with the
// bare three-tier client above at the same concurrency, and reports the ratio (x-floor; goal <= 1.1).
func BenchmarkRegisterEntities1000(b *testing.B) {
	f := newFakeAdmin()
	f.Latency = 200 * time.Microsecond
	f.EntityHook(func(context.Context, string, proto.Message) error {
		time.Sleep(200 * time.Microsecond)
		return nil
	})
	s := startServer(b, f, false)
	c := dialFast(b, s, nil)
	conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithContextDialer(s.dial), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	bare := service.NewAdminServiceClient(conn)
	e := manyEntities(b, 1000)
	ctx := context.Background()
	var ours, floor time.Duration
	n := 0
	for ; b.Loop(); n++ {
		f.Reset()
		tgt := register.Target{Project: "p", Domain: "d", Version: fmt.Sprintf("b%d", n)}
		start := time.Now()
		bareEntities(ctx, b, bare, e, tgt, register.DefaultConcurrency)
		floor += time.Since(start)

		f.Reset()
		tgt.Version = fmt.Sprintf("o%d", n)
		start = time.Now()
		res, err := c.RegisterEntities(ctx, e, tgt)
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		if res[len(res)-1].Outcome != register.Created {
			b.Fatalf("unexpected %s", res[len(res)-1])
		}
	}
	b.ReportMetric(float64(ours)/float64(floor), "x-floor")
	b.ReportMetric(float64(ours.Milliseconds())/float64(n), "ours-ms/op")
	b.ReportMetric(float64(floor.Milliseconds())/float64(n), "floor-ms/op")
}
