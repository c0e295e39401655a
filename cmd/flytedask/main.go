// Command flytedask validates, packages, renders and inspects Flyte Dask
// tasks described in YAML spec files. See docs/cli.md and
// `flytedask --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/flytedask/flytedask/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
