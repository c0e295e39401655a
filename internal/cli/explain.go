package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/explain"
	"github.com/flytedask/flytedask/internal/resflag"
	"github.com/flytedask/flytedask/spec"
)

// explainFormats are the --format values of explain.
var explainFormats = []string{"text", "json"}

// explained is one task's explanation with the validation warnings about it.
type explained struct {
	*explain.Job
	Warnings []string `json:"warnings,omitempty"`
}

func newExplainCmd(e *Env) *cobra.Command {
	var (
		f                specFlags
		defaults, limits string
		format           string
	)
	cmd := &cobra.Command{
		Use:   "explain (-f SPEC.yaml... | BUNDLE) [--platform-defaults cpu=1,mem=1Gi] [--platform-limits cpu=8,mem=32Gi] [--format text|json]",
		Short: "Show what Flyte's backend will build for each Dask task: pods, resources, worker threads and memory",
		Long: `explain computes, before registration, the DaskJob Flyte's Dask backend plugin
builds for each task: the job runner, the scheduler and the workers, with their
images, args, replicas, restart policies, and requests and limits after the
backend's defaulting (custom scheduler/worker resources replace the task's, a
missing request is copied from the limit, missing resources get the platform
default request, everything is capped at the platform limits). Workers start
"dask-worker --nthreads N --memory-limit M" with N the cpu limit rounded up.

The model is Flyte's current backend (v1.15.1 and later); see the explain
package documentation for what differs on older backends.

--platform-defaults and --platform-limits are FlyteAdmin's task resource
defaults and limits for the project and domain (names: cpu, mem|memory, gpu,
ephemeral_storage). Without them the backend's own defaults apply: requests
cpu=1000m,mem=1024Mi and no limits.

Validation warnings of spec files are printed under the task they are about.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErrorf("--format: unsupported value %q: use one of %s", format, strings.Join(explainFormats, ", "))
			}
			p := explain.DefaultPlatform()
			if defaults != "" {
				list, err := resflag.Parse(defaults)
				if err != nil {
					return usageErrorf("--platform-defaults: %v", err)
				}
				p.DefaultRequests = list
			}
			if limits != "" {
				list, err := resflag.Parse(limits)
				if err != nil {
					return usageErrorf("--platform-limits: %v", err)
				}
				p.Limits = list
			}
			specs, warnings, err := explainInput(e, &f, args)
			if err != nil {
				return err
			}
			results := make([]explained, 0, len(specs))
			for i, s := range specs {
				job, err := explain.Explain(s.GetTemplate(), p)
				if err != nil {
					return failf("%s: %w", s.GetTemplate().GetId().GetName(), err)
				}
				results = append(results, explained{Job: job, Warnings: warnings[i]})
			}
			return writeExplained(e, format, results)
		},
	}
	f.registerOptional(cmd)
	f.quietWarnings = true // printed under each task instead
	cmd.Flags().StringVar(&defaults, "platform-defaults", "", "platform default requests, e.g. cpu=1,mem=1Gi (default: the backend's cpu=1000m,mem=1024Mi)")
	cmd.Flags().StringVar(&limits, "platform-limits", "", "platform limits, e.g. cpu=8,mem=32Gi,gpu=1 (default: none)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// explainInput returns the specs to explain, from -f spec files or a bundle
// argument, and per spec the warnings about it ("PATH: MESSAGE [CODE]").
func explainInput(e *Env, f *specFlags, args []string) ([]*admin.TaskSpec, [][]string, error) {
	switch {
	case len(f.files) > 0 && len(args) > 0:
		return nil, nil, usageErrorf("give either -f SPEC.yaml or a BUNDLE, not both")
	case len(args) == 1:
		b, err := readBundle(e, args[0])
		if err != nil {
			return nil, nil, err
		}
		specs := b.Specs()
		return specs, make([][]string, len(specs)), nil
	case len(f.files) == 0:
		return nil, nil, usageErrorf("missing input: give -f SPEC.yaml or a BUNDLE")
	}
	b, err := f.build(e)
	if err != nil {
		return nil, nil, err
	}
	return b.specs, warningsPerTask(b.spec, b.warnings), nil
}

// warningsPerTask sorts warnings under the task whose path they start with.
func warningsPerTask(s *spec.Spec, warnings []spec.Problem) [][]string {
	out := make([][]string, len(s.Tasks))
	for i, o := range s.Origins {
		prefix := o.Path().String()
		for _, w := range warnings {
			if w.File == o.File && (w.Path == prefix || strings.HasPrefix(w.Path, prefix+".") || strings.HasPrefix(w.Path, prefix+"[")) {
				out[i] = append(out[i], w.Format(false))
			}
		}
	}
	return out
}

func writeExplained(e *Env, format string, results []explained) error {
	if format == "json" {
		out, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return fail(err)
		}
		_, err = fmt.Fprintf(e.Stdout, "%s\n", out)
		return err
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(e.Stdout)
		}
		if err := r.WriteText(e.Stdout); err != nil {
			return fail(err)
		}
		if len(r.Warnings) > 0 {
			fmt.Fprintln(e.Stdout, "Warnings:")
			for _, w := range r.Warnings {
				fmt.Fprintf(e.Stdout, "  - %s\n", w)
			}
		}
	}
	return nil
}
