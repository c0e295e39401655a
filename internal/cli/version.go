package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/internal/version"
)

func newVersionCmd(e *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the flytedask version",
		Long: `version prints "flytedask VERSION (GOVERSION OS/ARCH)". VERSION is the
release written into every task's metadata.runtime.version.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(e.Stdout, "flytedask %s (%s %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
