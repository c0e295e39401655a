// Package cli is the flytedask command line: Main builds a fresh cobra
// command tree per call and runs it, so it can be tested in-process.
//
// # Commands
//
// One file per command: package.go, validate.go, render.go, inspect.go,
// explain.go, register.go, diff.go, version.go, run.go (run; wait.go
// follows an execution for run and status), status.go (status, abort). A new command is a file with a constructor func newXCmd(e *Env) *cobra.Command plus one line
// in newRoot (root.go).
//
// # Shared pieces for commands
//
//   - Env (root.go): the command's context, stdin, stdout and stderr. Write
//     to e.Stdout / e.Stderr, never to os.Stdout.
//   - specFlags (load.go): the -f/--file (repeatable, "-" is stdin),
//     --project, --domain and --version flags. Call f.register(cmd) in the
//     constructor (f.registerOptional(cmd) when -f is not required, e.g. a
//     command taking specs or a bundle) and f.load(e) in RunE: it reads and decodes the files
//     with spec.Decode (validation included), prints every problem to
//     stderr and returns an exit-1 error if there is any, otherwise prints
//     the warnings (e.printWarnings) and returns the *spec.Spec.
//     f.build(e) additionally builds the admin.TaskSpecs (a *built);
//     e.reportSpecError prints a *spec.Error one problem per line.
//   - readBundle (inspect.go): reads a bundle file, directory or "-"
//     (stdin) with the bundle package.
//   - e.printWarnings / e.printProblems (load.go): "warning: PATH: MESSAGE
//     [CODE]" and "PATH: MESSAGE" lines on stderr.
//   - Exit codes (errors.go): return failf(...) / fail(err) for exit 1
//     (invalid spec or bundle, I/O failure; printed as "flytedask: ..."),
//     usageErrorf(...) for exit 2, and errReported (exit 1, nothing more
//     printed) after printing problems yourself. Errors cobra itself returns
//     (unknown command or flag, wrong number of arguments, a missing
//     required flag) are usage errors (exit 2); any other error a RunE
//     returns untyped counts as exit 1.
//
// # Output conventions
//
// Results (rendered specs, the package summary) go to stdout, except when
// stdout carries the archive (package -o -); problems, warnings and
// diagnostics go to stderr. Nothing depends on the environment, the clock
// or map order: the same input gives the same bytes.
package cli
