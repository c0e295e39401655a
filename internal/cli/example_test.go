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
	// exit code 1
}
