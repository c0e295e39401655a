package cli

import (
	"errors"
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/specfile"
	"github.com/flytedask/flytedask/internal/spechook"
	"github.com/flytedask/flytedask/internal/taskhook"
	"github.com/flytedask/flytedask/spec"
)

// stdinName is the Source name of a spec read from stdin ("-f -").
const stdinName = "<stdin>"

// specFlags are the flags of commands that read spec files.
type specFlags struct {
	files                    []string
	project, domain, version string
	cmd                      *cobra.Command
	// quietWarnings keeps load from printing warnings to stderr, for
	// commands that print them in their own output (explain).
	quietWarnings bool
	// force replaces versions pinned in a bundle (register/diff --force,
	// flytectl's --force).
	force bool
}

// register adds -f/--file (required, repeatable), --project, --domain and
// --version to cmd.
func (f *specFlags) register(cmd *cobra.Command) {
	f.registerOptional(cmd)
	_ = cmd.MarkFlagRequired("file")
}

// registerOptional is register with -f optional, for commands that take
// specs or something else (e.g. a bundle argument); check len(f.files).
func (f *specFlags) registerOptional(cmd *cobra.Command) {
	f.cmd = cmd
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.files, "file", "f", nil, `spec file (repeatable; "-" reads stdin); tasks of all files are merged`)
	fl.StringVar(&f.project, "project", "", "Flyte project, replacing the spec's project")
	fl.StringVar(&f.domain, "domain", "", "Flyte domain, replacing the spec's domain")
	fl.StringVar(&f.version, "version", "", "task version, replacing the spec's version")
}

// options returns the decode options: flags given on the command line
// (even empty) replace the files' settings.
func (f *specFlags) options() spec.Options {
	var o spec.Options
	fl := f.cmd.Flags()
	if fl.Changed("project") {
		o.Project = &f.project
	}
	if fl.Changed("domain") {
		o.Domain = &f.domain
	}
	if fl.Changed("version") {
		o.Version = &f.version
	}
	return o
}

// load reads and decodes the spec files (validating every task). It prints
// all problems and returns errReported when there is any, otherwise prints
// the warnings and returns the spec and its warnings.
func (f *specFlags) load(e *Env) (*spec.Spec, []spec.Problem, error) {
	sources := make([]spec.Source, 0, len(f.files))
	stdinUsed := false
	for _, name := range f.files {
		if name == "" {
			return nil, nil, usageErrorf("-f: empty file name; give a spec file, or - for stdin")
		}
		if name == "-" {
			if stdinUsed {
				return nil, nil, usageErrorf(`"-f -" given twice: stdin can be read once`)
			}
			stdinUsed = true
			data, err := specfile.ReadLimited(e.Stdin, 0)
			if err != nil {
				return nil, nil, failf("read stdin: %w", err)
			}
			sources = append(sources, spec.Source{Name: stdinName, Data: data})
			continue
		}
		src, err := spec.ReadSource(name)
		if err != nil {
			return nil, nil, fail(err)
		}
		sources = append(sources, src)
	}
	s, err := spec.Decode(sources, f.options())
	if err != nil {
		return nil, nil, e.reportSpecError(err)
	}
	warnings := s.Warnings()
	if !f.quietWarnings {
		e.printWarnings(warnings, len(sources) > 1) // name the file when there are several, as spec.Error does
	}
	return s, warnings, nil
}

// built is a loaded spec and the TaskSpecs it builds.
type built struct {
	spec     *spec.Spec
	specs    []*admin.TaskSpec
	entities bundle.Entities // specs as Tasks, plus workflows and launch plans
	warnings []spec.Problem
}

// build is load followed by spec.Spec.BuildEntities (the tasks, and the
// workflows and launch plans of the launch_plans section); problems are
// printed as by load.
func (f *specFlags) build(e *Env) (*built, error) {
	s, warnings, err := f.load(e)
	if err != nil {
		return nil, err
	}
	ents, err := buildEntities(s, nil)
	if err != nil {
		return nil, e.reportSpecError(err)
	}
	return &built{spec: s, specs: ents.Tasks, entities: ents, warnings: warnings}, nil
}

// buildSpec is s.Build for a spec that load returned, unchanged since: load decoded it with
// validation (spec.Decode validates every task with s.Settings), so each task is built without
// validating it a second time (internal/taskhook), taking the Dask custom structs from customs
// (taskhook.Customs, nil for none: only for specs that are marshalled and dropped). If a task
// fails to build, s.Build reports it.
func buildSpec(s *spec.Spec, customs *taskhook.Customs) ([]*admin.TaskSpec, error) {
	out := make([]*admin.TaskSpec, len(s.Tasks))
	for i := range s.Tasks {
		ts, err := taskhook.Build(&s.Tasks[i], s.Settings, customs)
		if err != nil {
			return s.Build()
		}
		out[i] = ts
	}
	return out, nil
}

// buildEntities is s.BuildEntities for a spec that load returned, unchanged since: its tasks are
// built by buildSpec, without validating them again (internal/spechook).
func buildEntities(s *spec.Spec, customs *taskhook.Customs) (bundle.Entities, error) {
	tasks, err := buildSpec(s, customs)
	if err != nil {
		return bundle.Entities{}, err
	}
	return spechook.Entities(s, tasks)
}

// reportSpecError prints the problems of a *spec.Error one per line and
// returns errReported; other errors are returned as exit-1 errors.
func (e *Env) reportSpecError(err error) error {
	var serr *spec.Error
	if errors.As(err, &serr) {
		e.printProblems(serr)
		return errReported
	}
	return fail(err)
}

// printProblems prints each problem of err on its own line to stderr.
func (e *Env) printProblems(err *spec.Error) {
	for _, line := range err.Lines() {
		fmt.Fprintln(e.Stderr, line)
	}
}

// printWarnings prints "warning: PATH: MESSAGE [CODE]" lines to stderr.
func (e *Env) printWarnings(ws []spec.Problem, withFiles bool) {
	for _, w := range ws {
		fmt.Fprintln(e.Stderr, "warning: "+w.Format(withFiles))
	}
}
