package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Env is what a command may use of the process: its context and standard
// streams. Commands never touch os.Stdin/os.Stdout/os.Stderr directly.
type Env struct {
	// Ctx is the command's context (cancelled on SIGINT/SIGTERM by the
	// flytedask main).
	Ctx context.Context
	// Stdin is read by "-f -" and "inspect -".
	Stdin io.Reader
	// Stdout receives results.
	Stdout io.Writer
	// Stderr receives problems, warnings and diagnostics.
	Stderr io.Writer
}

// Main runs the flytedask command line with args (without the program
// name) and returns the process exit code: ExitOK, ExitFailure or
// ExitUsage.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &Env{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	code, cause := exitCode(err)
	if cause != nil {
		fmt.Fprintf(stderr, "flytedask: %v\n", cause)
	}
	if code == ExitUsage {
		path := "flytedask"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", path)
	}
	return code
}

// newRoot builds the command tree. Register new commands here.
func newRoot(e *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "flytedask",
		Short: "Validate, package, explain and register Flyte Dask tasks described in YAML",
		Long: `flytedask turns a YAML spec of Flyte Dask tasks into a validated bundle that
"flytectl register files --archive" registers, shows what a bundle holds and
what Flyte's backend will build from it, registers tasks with FlyteAdmin
(register, diff), and runs them (run, status, abort).

Exit codes: 0 success, 1 invalid spec or bundle (every problem is printed,
one per line, as PATH: MESSAGE) or a failed execution, 2 usage error;
run/status --wait: 3 the --timeout ended the wait, 130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("missing command: run flytedask --help for the list")
		},
	}
	root.SetIn(e.Stdin)
	root.SetOut(e.Stdout)
	root.SetErr(e.Stderr)
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetHelpCommand(newHelpCmd())

	root.AddCommand(
		newPackageCmd(e),
		newValidateCmd(e),
		newRenderCmd(e),
		newInspectCmd(e),
		newVersionCmd(e),
		newRegisterCmd(e),
		newDiffCmd(e),
		newExplainCmd(e),
		newRunCmd(e),
		newStatusCmd(e),
		newAbortCmd(e),
	)

	wrapRunE(root)
	return root
}

// wrapRunE makes every error a command returns an *ExitError (exit 1
// unless it says otherwise), and flag errors usage errors.
func wrapRunE(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			var ee *ExitError
			if err == nil || errors.As(err, &ee) {
				return err
			}
			return fail(err)
		}
	}
	for _, sub := range c.Commands() {
		wrapRunE(sub)
	}
}

// newHelpCmd replaces cobra's help command, which prints the root help and
// exits 0 for an unknown topic: here that is a usage error.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return usageErrorf("unknown help topic %q: run flytedask --help for the list of commands", strings.Join(args, " "))
			}
			return cmd.Help()
		},
	}
}
