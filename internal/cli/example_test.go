package cli_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/flytedask/flytedask/internal/cli"
)

func ExampleMain() {
	spec := `
tasks:
  - name: wf.hello
    image: ghcr.io/acme/dask-app:1.4.2
    python: {module: wf, function: hello}
    dask:
      workers: {number_of_wokers: 4, limits: {cpu: "2", mem: "2gi"}}
`
	code := cli.Main(context.Background(), []string{"validate", "-f", "-"}, strings.NewReader(spec), os.Stdout, os.Stdout)
	fmt.Println("exit code", code)
	// Output:
	// tasks[0].dask.workers.number_of_wokers: unknown key "number_of_wokers": did you mean number_of_workers?
	// tasks[0].dask.workers.limits.mem: invalid quantity "2gi": must be a Kubernetes quantity matching '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', e.g. "4Gi" or "512Mi" (binary suffixes are Ki, Mi, Gi, Ti: case matters)
	// exit code 1
}
