package cli

import (
	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/internal/render"
)

// formatFlag is a --format flag whose value is checked before the command
// runs (a bad value is a usage error).
type formatFlag struct{ value string }

func (f *formatFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.value, "format", string(render.JSON), "output format: json or yaml")
}

func (f *formatFlag) get() (render.Format, error) {
	format, err := render.ParseFormat(f.value)
	if err != nil {
		return "", usageErrorf("--format: %v", err)
	}
	return format, nil
}

func newRenderCmd(e *Env) *cobra.Command {
	var f specFlags
	var format formatFlag
	cmd := &cobra.Command{
		Use:   "render -f SPEC.yaml [--format json|yaml]",
		Short: "Print the TaskSpecs a spec produces, for review",
		Long: `render prints the admin.TaskSpecs that package would write, as a JSON array of
indented proto JSON (camelCase field names, proto field order) or as a YAML
sequence (keys sorted). The output is stable: commit it next to the spec and
review changes to it in pull requests. Warnings go to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fm, err := format.get()
			if err != nil {
				return err
			}
			b, err := f.build(e)
			if err != nil {
				return err
			}
			out, err := render.Entities(fm, b.entities)
			if err != nil {
				return fail(err)
			}
			_, err = e.Stdout.Write(out)
			return err
		},
	}
	f.register(cmd)
	format.register(cmd)
	return cmd
}
