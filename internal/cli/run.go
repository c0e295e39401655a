package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/spf13/cobra"
	yamlv3 "go.yaml.in/yaml/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"sigs.k8s.io/yaml"

	"github.com/flytedask/flytedask/execution"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/adminconn"
	"github.com/flytedask/flytedask/register"
)

// Exit codes of run --wait and status --wait besides ExitOK, ExitFailure and ExitUsage.
const (
	// ExitStillRunning: --timeout ended the wait while the execution still runs.
	ExitStillRunning = 3
	// ExitInterrupted: SIGINT or SIGTERM ended the wait (128 + SIGINT, the shell's convention).
	ExitInterrupted = 130
)

// waitFlags are the flags of the commands that follow an execution.
type waitFlags struct {
	wait             bool
	poll, timeout    time.Duration
	output           string
	abortOnInterrupt bool
}

func (w *waitFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&w.wait, "wait", false, "follow the execution until it ends; exit 0 only if it SUCCEEDED")
	fl.DurationVar(&w.poll, "poll-interval", execution.DefaultPollInterval, "with --wait: time between two GetExecution calls")
	fl.DurationVar(&w.timeout, "timeout", 0, "with --wait: stop waiting after this long (exit 3 when the execution still runs; it goes on); 0 = no limit")
	fl.StringVarP(&w.output, "output", "o", "text", "text or json (one JSON object on stdout at the end)")
	fl.BoolVar(&w.abortOnInterrupt, "abort-on-interrupt", false, "with --wait: on Ctrl-C (SIGINT/SIGTERM) abort the execution instead of leaving it running")
}

func (w *waitFlags) check(cmd *cobra.Command) error {
	if w.output != "text" && w.output != "json" {
		return usageErrorf("--output must be text or json, got %q", w.output)
	}
	if !w.wait {
		for _, f := range []string{"poll-interval", "timeout", "abort-on-interrupt"} {
			if cmd.Flags().Changed(f) {
				return usageErrorf("--%s needs --wait", f)
			}
		}
	}
	if w.poll <= 0 {
		return usageErrorf("--poll-interval must be positive, got %s", w.poll)
	}
	if w.timeout < 0 {
		return usageErrorf("--timeout must not be negative, got %s", w.timeout)
	}
	return nil
}

func newRunCmd(e *Env) *cobra.Command {
	var (
		f          specFlags
		conn       connFlags
		w          waitFlags
		launchPlan bool
		inputs     []string
		inputsFile string
		name       string
	)
	cmd := &cobra.Command{
		Use:   "run NAME --project P --domain D --version V [--launch-plan] [-i NAME=VALUE]... [--inputs FILE] [--name EXEC] [--wait [--poll-interval D] [--timeout D] [--abort-on-interrupt]] [--output text|json] | run -f SPEC.yaml NAME ...",
		Short: "Launch a registered Dask task or launch plan with typed inputs, and optionally wait for it",
		Long: `run launches the task (or with --launch-plan the launch plan) NAME of
--project/--domain at --version on FlyteAdmin. With -f SPEC.yaml it first
registers the spec's tasks, workflows and launch plans, as "register -f"
does (project, domain and version default to the spec's), then launches
the task NAME of the spec, or with --launch-plan its launch plan NAME (a
launch_plans entry, or the default launch plan TASK_wf of a task that has
launch plans). Inputs are checked against the spec before anything is
registered.

Inputs are given as -i NAME=VALUE (repeatable) and/or --inputs FILE (a YAML
or JSON mapping of input names to values; -i wins for the same name). Each
value is parsed by the input's type as FlyteAdmin has it: integer, float,
string, boolean, datetime (RFC 3339), duration (Go syntax, e.g. 1h30m),
list[T] and map[T] (JSON or YAML flow), file and directory (a URI).
A launch plan's defaults apply and its fixed inputs cannot be given. A
missing required input, an unknown input or a value that does not fit is
refused, naming the input and its type, before anything is launched (exit 2).

The execution is named --name, else a random name is made before the first
attempt, so a retried launch never starts two executions. run prints the
execution id and its console URL (console.endpoint of the flytectl config,
else derived from the admin endpoint as flytekit does). When an execution
of that name already exists with the same task or launch plan and inputs
(a re-run), run says so, starts nothing, and goes on as after a launch.

With --wait it follows the execution: each phase change (a status line on a
terminal, one line per change otherwise), node and task attempt phases with
their log links, then the outputs. Following polls GetExecution once per
--poll-interval; nodes and task attempts are listed only after a change.
A FlyteAdmin restart does not end the wait. Ctrl-C stops waiting and leaves
the execution running, unless --abort-on-interrupt.

Exit codes: 0 launched (without --wait) or SUCCEEDED; 1 FAILED, ABORTED or
TIMED_OUT (the error is printed), or the launch failed; 2 usage error or
refused inputs; 3 --timeout ended the wait while the execution still runs;
130 interrupted while waiting.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := w.check(cmd); err != nil {
				return err
			}
			given, err := collectInputs(inputs, inputsFile)
			if err != nil {
				return err
			}
			if name != "" {
				if err := execution.ValidateName(name); err != nil {
					return usageErrorf("--name: %v", err)
				}
			}
			kind := execution.Task
			if launchPlan {
				kind = execution.LaunchPlan
			}
			r := &runner{e: e, w: w}
			if len(f.files) > 0 {
				return r.registerAndRun(&f, &conn, kind, args[0], given, name)
			}
			ref := execution.Ref{Kind: kind, Project: f.project, Domain: f.domain, Name: args[0], Version: f.version}
			if err := checkTarget(register.Target{Project: ref.Project, Domain: ref.Domain, Version: ref.Version}, "required to find the "+kind.String()); err != nil {
				return err
			}
			if err := r.dial(&conn); err != nil {
				return err
			}
			defer r.client.Close()
			l, err := r.client.Fetch(e.Ctx, ref)
			if err != nil {
				if status.Code(err) == codes.NotFound {
					return failf("%s is not registered: %v", ref, err)
				}
				return fail(err)
			}
			return r.launch(l, given, name)
		},
	}
	f.registerOptional(cmd)
	conn.register(cmd)
	w.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&launchPlan, "launch-plan", false, "NAME is a launch plan, not a task")
	fl.StringArrayVarP(&inputs, "input", "i", nil, "input NAME=VALUE (repeatable), VALUE parsed by the input's type")
	fl.StringVar(&inputsFile, "inputs", "", "YAML or JSON file mapping input names to values")
	fl.StringVar(&name, "name", "", "execution name (lower-case letters, digits and '-', starting with a letter, at most 63 characters); default: a random name")
	return cmd
}

// collectInputs merges --inputs FILE and -i NAME=VALUE (which wins) into strings for
// literal.Parse.
func collectInputs(flags []string, file string) (map[string]string, error) {
	out := map[string]string{}
	if file != "" {
		data, err := readLimited(file)
		if err != nil {
			return nil, usageErrorf("--inputs: %v", err)
		}
		m, err := parseInputsFile(data)
		if err != nil {
			return nil, usageErrorf("--inputs %s: %v", file, err)
		}
		out = m
	}
	seen := map[string]bool{}
	for _, kv := range flags {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usageErrorf("-i %q: want NAME=VALUE", kv)
		}
		if seen[k] {
			return nil, usageErrorf("-i %s given twice", k)
		}
		seen[k] = true
		out[k] = v
	}
	return out, nil
}

// maxInputsFile bounds the size of an --inputs file.
const maxInputsFile = 4 << 20

func readLimited(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxInputsFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxInputsFile)
	}
	return os.ReadFile(path)
}

// parseInputsFile reads a YAML (1.2, so n, yes and off are strings) or JSON mapping of input
// names to values and returns each value as the string literal.Parse takes: a scalar exactly as
// written (without quotes), a list or mapping as JSON (which literal.Parse reads for list[T] and
// map[T]).
func parseInputsFile(data []byte) (map[string]string, error) {
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return map[string]string{}, nil
	}
	root := doc.Content[0]
	if root.Kind != yamlv3.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping of input names to values", root.Line)
	}
	out := make(map[string]string, len(root.Content)/2)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yamlv3.ScalarNode || k.Value == "" {
			return nil, fmt.Errorf("line %d: an input name must be a non-empty string", k.Line)
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("line %d: input %s given twice", k.Line, k.Value)
		}
		switch {
		case v.Kind == yamlv3.AliasNode:
			return nil, fmt.Errorf("line %d: %s: YAML aliases are not supported", v.Line, k.Value)
		case v.Kind == yamlv3.ScalarNode && v.Tag == "!!null":
			return nil, fmt.Errorf("line %d: %s: no value", v.Line, k.Value)
		case v.Kind == yamlv3.ScalarNode:
			out[k.Value] = v.Value
		default:
			var x any
			if err := v.Decode(&x); err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
			}
			b, err := json.Marshal(jsonable(x))
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
			}
			out[k.Value] = string(b)
		}
	}
	return out, nil
}

// jsonable turns what yaml.v3 decodes into values encoding/json accepts: timestamps as RFC 3339,
// mappings with non-string keys with their keys printed.
func jsonable(x any) any {
	switch v := x.(type) {
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	}
	return x
}

// runner launches and follows executions for run and status.
type runner struct {
	e       *Env
	w       waitFlags
	client  *execution.Client
	cfg     register.Options
	console string
	existed bool // the execution run started was already there (same name and inputs)
}

// dial resolves the config and creates the execution client; retries are reported on stderr.
func (r *runner) dial(conn *connFlags) error {
	cfg, err := conn.resolve(r.e)
	if err != nil {
		return err
	}
	c, err := execution.New(cfg, func(o *register.Options) {
		o.Auth.Prompt = r.e.Stderr
		o.OnRetry = (&retryReporter{e: r.e, endpoint: cfg.Endpoint}).report
	})
	if err != nil {
		return fail(err)
	}
	r.client, r.cfg = c, cfg
	r.console = consoleEndpoint(conn)
	return nil
}

// consoleEndpoint reads console.endpoint from the flytectl config file in use, if any.
func consoleEndpoint(conn *connFlags) string {
	path, err := register.FindFlytectlConfig(conn.config)
	if err != nil {
		return ""
	}
	data, err := readLimited(path)
	if err != nil {
		return ""
	}
	var doc struct {
		Console struct {
			Endpoint string `json:"endpoint"`
		} `json:"console"`
	}
	if yaml.Unmarshal(data, &doc) != nil {
		return ""
	}
	return strings.TrimSpace(doc.Console.Endpoint)
}

// registerAndRun is run -f: build and register the spec's tasks, workflows and launch plans (as
// register -f), then launch the task (or launch plan) name.
func (r *runner) registerAndRun(f *specFlags, conn *connFlags, kind execution.Kind, name string, given map[string]string, execName string) error {
	in, err := loadInput(r.e, f, nil)
	if err != nil {
		return err
	}
	ref := execution.Ref{Kind: kind, Project: in.target.Project, Domain: in.target.Domain, Name: name, Version: in.target.Version}
	var l *execution.Launchable
	var names []string
	switch kind {
	case execution.LaunchPlan:
		for _, lp := range in.entities.LaunchPlans {
			names = append(names, lp.GetId().GetName())
			if lp.GetId().GetName() == name {
				l = execution.LaunchPlanLaunchable(ref, lp)
			}
		}
	default:
		for _, s := range in.specs {
			tt := s.GetTemplate()
			names = append(names, tt.GetId().GetName())
			if tt.GetId().GetName() == name {
				l = execution.TaskLaunchable(ref, tt.GetInterface())
			}
		}
	}
	if l == nil {
		if len(names) == 0 {
			return usageErrorf("%s %q is not in the spec files; they define no %s", kind, name, kind)
		}
		return usageErrorf("%s %q is not in the spec files; they define %s", kind, name, strings.Join(names, ", "))
	}
	// Inputs are checked against the spec before anything is registered or launched.
	lits, err := l.Parse(given)
	if err != nil {
		return r.inputProblems(l, err)
	}
	if err := r.dial(conn); err != nil {
		return err
	}
	defer r.client.Close()
	rc := adminconn.RegisterClient(r.client).(*register.Client)
	fmt.Fprintf(r.e.Stderr, "registering %s to %s at %s\n", in.describe(), in.target, r.cfg.Endpoint)
	p := newProgress(r.e.Stderr, in.entities.Len())
	results, err := rc.RegisterEntities(r.e.Ctx, in.entities, in.target, register.WithProgress(p.done))
	p.finish()
	if err != nil {
		writeResults(r.e.Stderr, results)
		return failf("registration failed, nothing launched: %w", registrationError(err, results, in))
	}
	return r.start(l, lits, execName)
}

// launch checks the inputs against l and starts it.
func (r *runner) launch(l *execution.Launchable, given map[string]string, name string) error {
	lits, err := l.Parse(given)
	if err != nil {
		return r.inputProblems(l, err)
	}
	return r.start(l, lits, name)
}

// inputProblems prints each refused input on its own line; exit 2.
func (r *runner) inputProblems(l *execution.Launchable, err error) error {
	var ve *field.ValidationError
	if !errors.As(err, &ve) {
		return fail(err)
	}
	for _, fe := range ve.Errors {
		fmt.Fprintln(r.e.Stderr, fe.Error())
	}
	return usageErrorf("%s of %s refused; nothing was launched", plural(len(ve.Errors), "input"), l.Ref)
}

func (r *runner) start(l *execution.Launchable, lits *core.LiteralMap, name string) error {
	opts := []execution.CallOption{execution.WithExisting(func(execution.ID) { r.existed = true })}
	if name != "" {
		opts = append(opts, execution.WithName(name))
	}
	id, err := r.client.Start(r.e.Ctx, l, lits, opts...)
	if err != nil {
		return fail(err)
	}
	url := id.ConsoleURL(r.console, r.cfg)
	out := r.e.Stdout
	if r.w.output == "json" {
		out = r.e.Stderr
	}
	if r.existed {
		// A re-run with the same --name and inputs: nothing new started; it is followed (and exits)
		// as a launch.
		fmt.Fprintf(out, "execution %s already existed (same %s and inputs); nothing new launched\n", id, l.Ref.Kind)
	} else {
		fmt.Fprintf(out, "launched execution %s\n", id)
	}
	fmt.Fprintf(out, "console: %s\n", url)
	if !r.w.wait {
		if r.w.output == "json" {
			return writeJSON(r.e.Stdout, r.resultJSON(id, url, nil))
		}
		return nil
	}
	return r.follow(id, url)
}
