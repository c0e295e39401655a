package cli

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
)

func TestDiff(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	conn := []string{"--endpoint", srv.addr, "--insecure"}

	// Nothing registered yet.
	code, stdout, stderr := runCLI(t, append([]string{"diff", "-f", exampleSpec}, conn...)...)
	assert.Equal(t, ExitFailure, code, stderr)
	assert.Equal(t, helloTask+": not registered\n"+scoreTask+": not registered\n", stdout)
	assert.Equal(t, "comparing 2 tasks with flytesnacks/development@v1 at "+srv.addr+"\n"+
		"flytedask: 2 of 2 tasks are not the same as registered\n", stderr)

	code, _, stderr = runCLI(t, append([]string{"register", "-f", exampleSpec}, conn...)...)
	require.Equal(t, ExitOK, code, stderr)

	// Registered and unchanged: same, exit 0.
	code, stdout, stderr = runCLI(t, append([]string{"diff", "-f", exampleSpec}, conn...)...)
	assert.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, helloTask+": same\n"+scoreTask+": same\n", stdout)

	// Changed locally: the field diff, registered -> local, exit 1.
	code, stdout, stderr = runCLI(t, append([]string{"diff", "-f", changedSpec(t), "--concurrency", "1"}, conn...)...)
	assert.Equal(t, ExitFailure, code, stderr)
	assert.Equal(t, helloTask+": changed\n"+
		"  1 field differ (registered -> local):\n"+
		"    template.custom.workers.numberOfWorkers: 4 -> 5\n"+
		scoreTask+": same\n", stdout)
	assert.Contains(t, stderr, "flytedask: 1 of 2 tasks are not the same as registered\n")

	// Another version is not registered.
	code, stdout, _ = runCLI(t, append([]string{"diff", "-f", exampleSpec, "--version", "v2"}, conn...)...)
	assert.Equal(t, ExitFailure, code)
	assert.Equal(t, helloTask+": not registered\n"+scoreTask+": not registered\n", stdout)

	// diff never creates anything.
	creates, gets, _ := srv.stats()
	assert.Equal(t, 2, creates, "only the register call created")
	assert.Equal(t, 8, gets, "one GetTask per task and diff run")
}

func TestDiffBundle(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	target := []string{"--endpoint", srv.addr, "--insecure", "--project", "flytesnacks", "--domain", "development", "--version", "qs1"}

	code, stdout, _ := runCLI(t, append([]string{"diff", quickstartTGZ}, target...)...)
	assert.Equal(t, ExitFailure, code)
	assert.Equal(t, helloTask+": not registered\n", stdout)

	code, _, stderr := runCLI(t, append([]string{"register", quickstartTGZ}, target...)...)
	require.Equal(t, ExitOK, code, stderr)

	code, stdout, stderr = runCLI(t, append([]string{"diff", quickstartTGZ}, target...)...)
	assert.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, helloTask+": same\n", stdout)

	// The example spec's hello_dask differs from the quickstart's.
	code, stdout, _ = runCLI(t, "diff", "-f", exampleSpec, "--endpoint", srv.addr, "--insecure", "--version", "qs1")
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, stdout, helloTask+": changed\n")
	assert.Contains(t, stdout, scoreTask+": not registered\n")
}

func TestDiffUnreachable(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "c.yaml", "admin:\n  endpoint: 127.0.0.1:1\n  insecure: true\n  maxRetries: 0\n")
	code, stdout, stderr := runCLI(t, "diff", "-f", exampleSpec, "--config", cfg)
	assert.Equal(t, ExitFailure, code)
	assert.Regexp(t, `^`+helloTask+`: error: register: GetTask `+helloTask+`: rpc error: code = Unavailable desc = .*\n`+scoreTask+`: error: `, stdout)
	assert.Contains(t, stderr, "flytedask: 2 of 2 tasks are not the same as registered\n")
}

// downTasks answers every GetTask Unavailable and counts them.
type downTasks struct {
	register.TaskService
	gets atomic.Int32
}

func (d *downTasks) GetTask(context.Context, *admin.ObjectGetRequest, ...grpc.CallOption) (*admin.Task, error) {
	d.gets.Add(1)
	return nil, status.Error(codes.Unavailable, "connection refused")
}

// Against a down FlyteAdmin, the lookups share one retry window, and once one has given up no new
// lookup starts: 32 specs at concurrency 2 take about one window, not 16.
func TestDiffAllStopsAfterTheWindow(t *testing.T) {
	b, err := bundle.ReadFile(quickstartTGZ)
	require.NoError(t, err)
	specs := make([]*admin.TaskSpec, 32)
	for i := range specs {
		specs[i] = proto.Clone(b.Specs()[0]).(*admin.TaskSpec)
		specs[i].Template.Id.Name = fmt.Sprintf("pkg.task%02d", i)
	}
	window := 200 * time.Millisecond
	stub := &downTasks{}
	client := register.NewClient(stub, register.ClientOptions{Retry: register.RetryPolicy{Window: window, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}})
	start := time.Now()
	_, errs := diffAll(context.Background(), client, specs, register.Target{Project: "p", Domain: "d", Version: "v1"}, 2, true)
	took := time.Since(start)
	assert.Less(t, took, 2*window, "one window for all lookups")
	notCompared := 0
	for _, err := range errs {
		require.Error(t, err)
		assert.Equal(t, codes.Unavailable, status.Code(err))
		if strings.HasPrefix(err.Error(), "not compared: an earlier lookup gave up: ") {
			notCompared++
		}
	}
	assert.GreaterOrEqual(t, notCompared, 28, "lookups after the first to give up are not started")
}
