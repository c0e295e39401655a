package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/regid"
	"github.com/flytedask/flytedask/register"
)

func newRegisterCmd(e *Env) *cobra.Command {
	var (
		f               specFlags
		conn            connFlags
		concurrency     int
		dryRun          bool
		continueOnError bool
		activate        bool
	)
	cmd := &cobra.Command{
		Use:   "register (-f SPEC.yaml... | BUNDLE) --project P --domain D --version V [--config FILE] [--endpoint E] [--insecure] [--allow-tokens-over-plaintext] [--concurrency N] [--dry-run]",
		Short: "Register the tasks, workflows and launch plans of spec files or a bundle with FlyteAdmin",
		Long: `register creates the tasks of the spec files (-f, validated and built as
"package" does) or of a BUNDLE (an archive, a directory of .pb files, or -
for an archive on stdin) in FlyteAdmin, over gRPC.

Every task is registered as --project/--domain/--version. With -f, a value
not given as a flag comes from the spec (its top-level project, domain and
version); with a BUNDLE all three flags are required. Every task is
validated locally first (bundle tasks with the checks "validate" applies to
built specs); if any is invalid nothing is sent.

FlyteAdmin is found like flytectl finds it: the admin section of --config
FILE, else of $FLYTECTL_CONFIG, else of ~/.flyte/config.yaml. --endpoint and
--insecure override the file's values; with --endpoint no file is needed.
Authentication is flytectl's: admin.authType ClientSecret, Pkce, DeviceFlow
or ExternalCommand, with flytectl's keys; the token URL, scopes and header
are discovered from FlyteAdmin when not configured. As in flytectl, a token
is obtained only once FlyteAdmin answers Unauthenticated. Tokens are never
sent over plaintext (--insecure) unless --allow-tokens-over-plaintext (or
admin.allowTokensOverPlaintext: true). Tokens and secrets are never printed.

Progress goes to stderr (a bar on a terminal, else one "registered NAME:
OUTCOME" line per task), then a table (NAME, VERSION, OUTCOME, ATTEMPTS,
INFO) in input order goes to stdout. A task that already exists identically
counts as registered (AlreadyExisted). When a task of the same version
exists with other content, the fields that differ are printed under its row
as "PATH: REGISTERED -> LOCAL". As flytectl, the first failure stops
starting new tasks (they are NotAttempted) unless --continue-on-error.

Workflows and launch plans (a bundle's *_2.pb and *_3.pb files) are
registered after the tasks, in that order (FlyteAdmin compiles a workflow
against registered tasks; a launch plan needs its workflow); the table then
starts with a KIND column. --activate-launch-plans activates every launch
plan after registering it, also when it already existed (unlike flytectl's
--enableSchedule), so re-running the same job leaves its schedules on.

--dry-run validates and prints what would be registered, with no network
access and no config file needed.

Exit codes: 0 every task Created or AlreadyExisted, 1 any task invalid or
not registered or a configuration problem, 2 usage error (e.g. a missing
--version).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if concurrency < 1 {
				return usageErrorf("--concurrency must be at least 1, got %d", concurrency)
			}
			in, err := loadInput(e, &f, args)
			if err != nil {
				return err
			}
			opts := []register.CallOption{register.WithConcurrency(concurrency)}
			if in.validate != nil {
				opts = append(opts, register.WithValidator(in.validate))
			}
			if activate {
				opts = append(opts, register.WithActivateLaunchPlans())
			}
			what := in.describe()
			// An invalid spec needs no server: without a usable config (or
			// with --dry-run) validate first and report invalid specs before
			// the configuration problem. With a config, Register validates
			// (once: validation is most of the local cost of a large
			// registration, see BenchmarkRegister1000Tasks) before it sends
			// anything, and Dial does not contact the server.
			cfg, cerr := conn.resolve(e)
			if cerr != nil || dryRun {
				planned := register.DryRunEntities(in.entities, in.target, opts...)
				if n := countOutcome(planned, register.Invalid); n > 0 || dryRun {
					writeResults(e.Stdout, planned)
					if n > 0 {
						return failf("%d of %d %s are invalid; nothing was sent", n, len(planned), in.noun())
					}
					verb := "would be registered"
					if activate && len(in.entities.LaunchPlans) > 0 {
						verb += " (launch plans activated)"
					}
					fmt.Fprintf(e.Stderr, "dry run: %s %s to %s; nothing was sent\n", what, verb, in.target)
					return nil
				}
				return cerr
			}
			client, err := conn.dialConfig(e, cfg)
			if err != nil {
				return err
			}
			defer client.Close()

			fmt.Fprintf(e.Stderr, "registering %s to %s at %s\n", what, in.target, cfg.Endpoint)
			p := newProgress(e.Stderr, in.entities.Len())
			opts = append(opts, register.WithProgress(p.done))
			if continueOnError {
				opts = append(opts, register.WithContinueOnError())
			}
			results, err := client.RegisterEntities(e.Ctx, in.entities, in.target, opts...)
			p.finish()
			writeResults(e.Stdout, results)
			if err == nil {
				return nil
			}
			return fail(registrationError(err, results, in))
		},
	}
	f.registerOptional(cmd)
	f.registerForce(cmd)
	conn.register(cmd)
	cmd.Flags().IntVar(&concurrency, "concurrency", register.DefaultConcurrency, "number of tasks registered at once")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate and print what would be registered; send nothing")
	cmd.Flags().BoolVar(&continueOnError, "continue-on-error", false, "keep registering after a task fails")
	cmd.Flags().BoolVar(&activate, "activate-launch-plans", false, "activate every launch plan after registering it, also when it already existed (schedules start)")
	return cmd
}

// registrationError is the error to report for a failed RegisterEntities call (register and
// run -f): counts for invalid or failed entities, else err.
func registrationError(err error, results []register.Result, in *input) error {
	var ve *register.ValidationError
	var be *register.BatchError
	switch {
	case errors.As(err, &ve):
		return fmt.Errorf("%d of %d %s are invalid; nothing was sent", len(ve.Problems), len(results), in.noun())
	case errors.As(err, &be):
		msg := fmt.Sprintf("%d of %d %s failed, %d not attempted", be.Failed, be.Total, in.noun(), be.NotAttempted)
		if be.Cause != nil {
			msg += fmt.Sprintf(" (%v)", be.Cause)
		}
		if f := be.First; f != nil && (f.Code == codes.Unauthenticated || f.Code == codes.Unavailable) {
			// Every entity fails the same way (no token, or FlyteAdmin or its token endpoint
			// out of reach): say why once, where CI logs end.
			msg += ": " + f.Reason
		}
		return errors.New(msg)
	}
	return err
}

// connFlags are the flags that say how to reach FlyteAdmin.
type connFlags struct {
	config, endpoint   string
	insecure           bool
	allowPlaintextAuth bool
	cmd                *cobra.Command
}

func (c *connFlags) register(cmd *cobra.Command) {
	c.cmd = cmd
	fl := cmd.Flags()
	fl.StringVar(&c.config, "config", "", "flytectl config file (default $"+register.EnvFlytectlConfig+", else ~/.flyte/config.yaml)")
	fl.StringVar(&c.endpoint, "endpoint", "", `FlyteAdmin gRPC endpoint, "dns:///host:port" or "host:port" (overrides the config file's admin.endpoint)`)
	fl.BoolVar(&c.insecure, "insecure", false, "plaintext instead of TLS (overrides the config file's admin.insecure)")
	fl.BoolVar(&c.allowPlaintextAuth, "allow-tokens-over-plaintext", false, "send tokens over a plaintext (--insecure) connection, e.g. through kubectl port-forward (admin.allowTokensOverPlaintext)")
}

// dial resolves the connection config and dials FlyteAdmin; errors are
// ready to return from RunE.
func (c *connFlags) dial(e *Env) (*register.Client, register.Options, error) {
	cfg, err := c.resolve(e)
	if err != nil {
		return nil, cfg, err
	}
	client, err := c.dialConfig(e, cfg)
	return client, cfg, err
}

// dialConfig dials FlyteAdmin with a resolved config; the client reports
// its retries on stderr.
func (c *connFlags) dialConfig(e *Env, cfg register.Options) (*register.Client, error) {
	client, err := register.New(cfg, func(o *register.Options) {
		o.Auth.Prompt = e.Stderr
		o.OnRetry = (&retryReporter{e: e, endpoint: cfg.Endpoint}).report
	})
	if err != nil {
		return nil, fail(err)
	}
	return client, nil
}

// resolve finds and reads the flytectl config and applies --endpoint and
// --insecure. Only the default ~/.flyte/config.yaml may be absent, and only
// when --endpoint is given: a --config or $FLYTECTL_CONFIG path that does
// not exist is an error, so a typo never silently selects another server.
func (c *connFlags) resolve(e *Env) (register.Options, error) {
	var cfg register.Options
	implicit := c.config == "" && os.Getenv(register.EnvFlytectlConfig) == ""
	path, err := register.FindFlytectlConfig(c.config)
	switch {
	case err == nil:
		cfg, err = register.LoadFlytectlConfig(path)
		if err != nil {
			return cfg, failf("flytectl config: %w", err)
		}
	case implicit && c.endpoint != "":
		// No config file needed.
	case implicit:
		return cfg, failf("no FlyteAdmin endpoint: pass --endpoint or --config FILE, set $%s, or create ~/.flyte/config.yaml (%w)", register.EnvFlytectlConfig, err)
	default:
		return cfg, fail(err)
	}
	if c.endpoint != "" {
		cfg.Endpoint = c.endpoint
	}
	if c.cmd.Flags().Changed("insecure") {
		cfg.Insecure = c.insecure
	}
	if c.allowPlaintextAuth {
		cfg.Auth.AllowTokensOverPlaintext = true
	}
	return cfg, nil
}

// input is what register and diff work on.
type input struct {
	specs []*admin.TaskSpec
	// entities are specs (as Tasks) plus the workflows and launch plans.
	entities bundle.Entities
	target   register.Target
	// validate is the extra validation of specs that do not come from
	// spec.Spec.Build (bundles); nil for -f.
	validate func(*admin.TaskSpec) error
}

// loadInput reads the spec files or the bundle and resolves the target.
// A missing or invalid project, domain or version is a usage error.
func loadInput(e *Env, f *specFlags, args []string) (*input, error) {
	switch {
	case len(f.files) > 0 && len(args) > 0:
		return nil, usageErrorf("give spec files (-f) or a BUNDLE, not both")
	case len(f.files) == 0 && len(args) == 0:
		return nil, usageErrorf("missing input: give -f SPEC.yaml or a BUNDLE")
	}
	if len(args) == 1 {
		b, err := readBundle(e, args[0])
		if err != nil {
			return nil, err
		}
		e.printSkipped(b)
		if b.Entities().Len() == 0 {
			return nil, failf("%s: the bundle holds no task, workflow or launch plan", args[0])
		}
		specs := dedupeIdentical(e, b)
		ents := b.Entities()
		ents.Tasks = specs
		t, err := bundleTarget(e, f, entityIDs(ents), f.force)
		if err != nil {
			return nil, err
		}
		if err := bundleChecks(e, b, args[0]); err != nil {
			return nil, err
		}
		return &input{specs: specs, entities: ents, target: t, validate: bundleValidator}, nil
	}

	b, err := f.build(e)
	if err != nil {
		return nil, err
	}
	specs, settings := b.specs, b.spec.Settings
	t := register.Target{Project: settings.Project, Domain: settings.Domain, Version: settings.Version}
	hint := "give it as a flag or set it in the spec"
	if t.Version == regid.VersionPlaceholder {
		t.Version = ""
		hint = fmt.Sprintf("the spec's version %q is filled by flytectl only", regid.VersionPlaceholder)
	}
	if err := checkTarget(t, hint); err != nil {
		return nil, err
	}
	if len(specs) == 0 {
		return nil, failf("the spec files hold no task")
	}
	return &input{specs: specs, entities: b.entities, target: t}, nil
}

// checkTarget reports missing values by flag name, then invalid ones.
func checkTarget(t register.Target, hint string) error {
	var missing []string
	for _, v := range []struct{ flag, val string }{{"--project", t.Project}, {"--domain", t.Domain}, {"--version", t.Version}} {
		if v.val == "" {
			missing = append(missing, v.flag)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("missing %s: %s", strings.Join(missing, ", "), hint)
	}
	if err := register.ValidateVersion(t.Version); err != nil {
		return usageErrorf("--version: %v", err)
	}
	if err := t.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	return nil
}

func countOutcome(rs []register.Result, o register.Outcome) int {
	n := 0
	for _, r := range rs {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// resultHeader returns the column names matching resultRow.
func resultHeader() []string { return []string{"NAME", "VERSION", "OUTCOME", "ATTEMPTS", "INFO"} }

// resultRow renders a result as table cells: the reason, after the gRPC code
// of a failure. (A structure conflict's field differences are printed under
// the row, see writeResults.)
func resultRow(r register.Result) []string {
	info := r.Reason
	if r.Code != codes.OK && r.Outcome != register.Invalid {
		info = r.Code.String() + ": " + info
	}
	name := r.Name()
	if name == "" {
		name = "<unnamed>"
	}
	return []string{name, r.ID.GetVersion(), r.Outcome.String(), fmt.Sprint(r.Attempts), info}
}

// writeResults prints the results as an aligned table in input order. A
// multi-line detail keeps its first line in the row and the others under
// it; a structure conflict lists its field differences under the row.
func writeResults(w io.Writer, results []register.Result) {
	kinds := hasKinds(results)
	header := resultHeader()
	if kinds {
		header = append([]string{"KIND"}, header...)
	}
	rows := [][]string{header}
	under := [][]string{nil}
	for _, r := range results {
		row := resultRow(r)
		if kinds {
			row = append([]string{r.Kind()}, row...)
		}
		last := len(row) - 1
		for i := range row[:last] {
			row[i] = oneLine(row[i])
		}
		lines := strings.Split(row[last], "\n")
		row[last] = strings.TrimSpace(lines[0])
		var extra []string
		for _, l := range lines[1:] {
			if l = strings.TrimSpace(l); l != "" {
				extra = append(extra, "    "+l)
			}
		}
		if r.Conflict && len(r.Diff) > 0 {
			extra = append(extra, diffLines("    ", r.Diff)...)
		}
		rows = append(rows, row)
		under = append(under, extra)
	}
	writeTable(w, rows, under)
}

// writeTable pads every column but the last to its widest cell, two
// spaces apart, and prints under[i] after rows[i].
func writeTable(w io.Writer, rows [][]string, under [][]string) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for i, row := range rows {
		var b strings.Builder
		for j, c := range row {
			if j == len(row)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[j]-len([]rune(c))+2))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		for _, l := range under[i] {
			fmt.Fprintln(w, l)
		}
	}
}

// diffLines renders field differences as "PATH: REGISTERED -> LOCAL"
// after a line naming the direction.
func diffLines(indent string, diffs []register.Difference) []string {
	out := []string{fmt.Sprintf("%s%s differ (registered -> local):", indent, plural(len(diffs), "field"))}
	for _, d := range diffs {
		out = append(out, indent+"  "+d.String())
	}
	return out
}
