package cli

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flytedask/flytedask/register"
)

func newDiffCmd(e *Env) *cobra.Command {
	var (
		f           specFlags
		conn        connFlags
		concurrency int
	)
	cmd := &cobra.Command{
		Use:   "diff (-f SPEC.yaml... | BUNDLE) --project P --domain D --version V [--config FILE] [--endpoint E] [--insecure] [--allow-tokens-over-plaintext] [--concurrency N]",
		Short: "Compare local tasks, workflows and launch plans with those registered in FlyteAdmin",
		Long: `diff fetches, for every task, workflow and launch plan of the spec files or
the BUNDLE, the entity FlyteAdmin has under the same project, domain, name
and version (GetTask, GetWorkflow, GetLaunchPlan) and compares it with the
local one as register would send it (a workflow by its template, ignoring
the start/end nodes and upstream node ids FlyteAdmin's compiler adds; a
launch plan by its spec). Input, target and connection flags are those of
register.

It prints one line per entity to stdout, in register's order (tasks,
workflows, launch plans; a workflow or launch plan is prefixed with its
kind):
  NAME: same
  NAME: not registered
  workflow NAME: changed
followed, for a changed entity, by the fields that differ as
"PATH: REGISTERED -> LOCAL", or NAME: error: REASON when the lookup failed.

Exit codes: 0 every entity is the same as registered, 1 any entity is not
registered, changed or could not be compared (or a configuration problem),
2 usage error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if concurrency < 1 {
				return usageErrorf("--concurrency must be at least 1, got %d", concurrency)
			}
			in, err := loadInput(e, &f, args)
			if err != nil {
				return err
			}
			client, cfg, err := conn.dial(e)
			if err != nil {
				return err
			}
			defer client.Close()

			fmt.Fprintf(e.Stderr, "comparing %s with %s at %s\n", in.describe(), in.target, cfg.Endpoint)
			var results []register.DiffResult
			var errs []error
			if len(in.entities.Workflows)+len(in.entities.LaunchPlans) == 0 {
				results, errs = diffAll(e.Ctx, client, in.specs, in.target, concurrency, cfg.Retry.MaxRetries == 0)
			} else {
				results, err = client.DiffEntities(e.Ctx, in.entities, in.target, register.WithConcurrency(concurrency))
				if err != nil {
					return fail(err)
				}
				errs = make([]error, len(results))
				for i, r := range results {
					errs[i] = r.Err
				}
			}

			notSame := 0
			for i, r := range results {
				name := entityLabel(r.Kind(), r.ID.GetName())
				switch {
				case errs[i] != nil:
					notSame++
					fmt.Fprintf(e.Stdout, "%s: error: %v\n", name, errs[i])
				case r.Status == register.Same:
					fmt.Fprintf(e.Stdout, "%s: same\n", name)
				case r.Status == register.NotRegistered:
					notSame++
					fmt.Fprintf(e.Stdout, "%s: not registered\n", name)
				default:
					notSame++
					fmt.Fprintf(e.Stdout, "%s: changed\n", name)
					for _, l := range diffLines("  ", r.Differences) {
						fmt.Fprintln(e.Stdout, l)
					}
				}
			}
			if notSame > 0 {
				return failf("%d of %d %s are not the same as registered", notSame, len(results), in.noun())
			}
			return nil
		},
	}
	f.registerOptional(cmd)
	f.registerForce(cmd)
	conn.register(cmd)
	cmd.Flags().IntVar(&concurrency, "concurrency", register.DefaultConcurrency, "number of tasks compared at once")
	return cmd
}

// diffAll looks up every spec with up to concurrency lookups at once. The lookups share one retry
// window (windowMode: no retry count configured); once one has used it up against an unavailable
// FlyteAdmin, no new lookup starts (each would only wait out its minimum retries) and the rest are
// reported not compared.
func diffAll(ctx context.Context, client *register.Client, specs []*admin.TaskSpec, target register.Target, concurrency int, windowMode bool) ([]register.DiffResult, []error) {
	results := make([]register.DiffResult, len(specs))
	errs := make([]error, len(specs))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	ctx = register.WithRetryRun(ctx)
	var gaveUp atomic.Pointer[error]
	for i, s := range specs {
		sem <- struct{}{}
		if g := gaveUp.Load(); g != nil {
			<-sem
			errs[i] = fmt.Errorf("not compared: an earlier lookup gave up: %w", *g)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], errs[i] = client.Diff(ctx, s, target)
			if windowMode && status.Code(errs[i]) == codes.Unavailable {
				gaveUp.CompareAndSwap(nil, &errs[i])
			}
		}()
	}
	wg.Wait()
	return results, errs
}
