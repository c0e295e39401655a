package cli

import (
	"github.com/spf13/cobra"
)

func newValidateCmd(e *Env) *cobra.Command {
	var f specFlags
	var strict bool
	cmd := &cobra.Command{
		Use:   "validate -f SPEC.yaml [-f MORE.yaml] [--strict]",
		Short: "Check spec files: print every error and warning, write nothing",
		Long: `validate decodes and validates the spec files exactly as package does and
prints every error (PATH: MESSAGE) and warning (warning: PATH: MESSAGE [CODE])
to stderr. It prints nothing else: no output means the spec is valid.

Exit codes: 0 valid (warnings allowed unless --strict), 1 invalid, 2 usage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := f.build(e)
			if err != nil {
				return err
			}
			if warnings := b.warnings; strict && len(warnings) > 0 {
				noun := "warnings"
				if len(warnings) == 1 {
					noun = "warning"
				}
				return failf("--strict: %d %s", len(warnings), noun)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors (exit 1)")
	return cmd
}
