package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/execution"
)

// execFlags name an existing execution: EXEC as PROJECT/DOMAIN/NAME, or NAME with --project and
// --domain.
type execFlags struct {
	project, domain string
}

func (x *execFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&x.project, "project", "", "Flyte project of the execution (or give EXEC as PROJECT/DOMAIN/NAME)")
	cmd.Flags().StringVar(&x.domain, "domain", "", "Flyte domain of the execution (or give EXEC as PROJECT/DOMAIN/NAME)")
}

func (x *execFlags) id(arg string) (execution.ID, error) {
	id := execution.ID{Project: x.project, Domain: x.domain, Name: arg}
	if parts := strings.Split(arg, "/"); len(parts) == 3 {
		if (x.project != "" && x.project != parts[0]) || (x.domain != "" && x.domain != parts[1]) {
			return id, usageErrorf("%s names project %q and domain %q; --project/--domain say otherwise", arg, parts[0], parts[1])
		}
		id = execution.ID{Project: parts[0], Domain: parts[1], Name: parts[2]}
	}
	var missing []string
	if id.Project == "" {
		missing = append(missing, "--project")
	}
	if id.Domain == "" {
		missing = append(missing, "--domain")
	}
	if len(missing) > 0 {
		return id, usageErrorf("missing %s: give EXEC as PROJECT/DOMAIN/NAME or set them", strings.Join(missing, ", "))
	}
	if err := execution.ValidateName(id.Name); err != nil {
		return id, usageErrorf("%v", err)
	}
	return id, nil
}

func newStatusCmd(e *Env) *cobra.Command {
	var (
		x    execFlags
		conn connFlags
		w    waitFlags
	)
	cmd := &cobra.Command{
		Use:   "status EXEC [--project P --domain D] [--wait [--poll-interval D] [--timeout D] [--abort-on-interrupt]] [--output text|json]",
		Short: "Show an execution's phase, nodes, log links and outputs; with --wait follow it to its end",
		Long: `status shows the execution EXEC (PROJECT/DOMAIN/NAME, or NAME with --project
and --domain): its phase, and once it has ended its nodes' errors and its
outputs. With --wait it follows the execution as "run --wait" does.

Exit codes: 0 the execution SUCCEEDED, or (without --wait) has not ended yet;
1 it FAILED, was ABORTED or TIMED_OUT, or FlyteAdmin refused the call (e.g.
no such execution); 2 usage error; 3 --timeout ended the wait while the
execution still runs; 130 interrupted while waiting.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := w.check(cmd); err != nil {
				return err
			}
			id, err := x.id(args[0])
			if err != nil {
				return err
			}
			r := &runner{e: e, w: w}
			if err := r.dial(&conn); err != nil {
				return err
			}
			defer r.client.Close()
			url := id.ConsoleURL(r.console, r.cfg)
			if !w.wait {
				st, err := r.client.Status(e.Ctx, id)
				if err != nil {
					return fail(err)
				}
				if !st.Done() {
					if w.output == "json" {
						return writeJSON(e.Stdout, resultJSON(id, url, &execution.Result{Status: st}))
					}
					fmt.Fprintf(e.Stdout, "%s %s\nconsole: %s\n", id, st.Phase, url)
					return nil
				}
				// A finished execution: one Follow round gives nodes and outputs.
			}
			if w.output != "json" {
				fmt.Fprintf(e.Stdout, "console: %s\n", url)
			}
			return r.follow(id, url)
		},
	}
	x.register(cmd)
	conn.register(cmd)
	w.register(cmd)
	return cmd
}

func newAbortCmd(e *Env) *cobra.Command {
	var (
		x     execFlags
		conn  connFlags
		cause string
	)
	cmd := &cobra.Command{
		Use:   "abort EXEC [--project P --domain D] [--cause TEXT]",
		Short: "Abort a running execution",
		Long: `abort terminates the execution EXEC (PROJECT/DOMAIN/NAME, or NAME with
--project and --domain) with TerminateExecution; FlyteAdmin records the
cause, and the execution goes through ABORTING to ABORTED.

Exit codes: 0 abort requested; 1 FlyteAdmin refused (e.g. the execution has
already ended, or does not exist); 2 usage error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := x.id(args[0])
			if err != nil {
				return err
			}
			r := &runner{e: e}
			if err := r.dial(&conn); err != nil {
				return err
			}
			defer r.client.Close()
			if err := r.client.Abort(e.Ctx, id, cause); err != nil {
				return fail(err)
			}
			fmt.Fprintf(e.Stdout, "abort requested for execution %s\n", id)
			return nil
		},
	}
	x.register(cmd)
	conn.register(cmd)
	cmd.Flags().StringVar(&cause, "cause", "aborted with flytedask abort", "reason recorded by FlyteAdmin")
	return cmd
}
