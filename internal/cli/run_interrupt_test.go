package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/flytedask/flytedask/register/registertest"
)

// runInterrupted runs "flytedask run ... --wait" against the fake and cancels the command's
// context (what SIGINT/SIGTERM do in cmd/flytedask) once the execution runs.
func runInterrupted(t *testing.T, name string, extra ...string) (code int, stdout, stderr string, phase core.WorkflowExecution_Phase) {
	t.Helper()
	hermetic(t)
	a := runAdmin()
	addr, stop, err := serveAdmin(a)
	require.NoError(t, err)
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once the execution exists and was polled.
		for ctx.Err() == nil {
			if a.ExecutionCalls()["GetExecution"] >= 3 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	args := append([]string{"run", "sum_task", "--endpoint", addr, "--insecure", "--project", "flytesnacks", "--domain", "development",
		"--version", "v1", "-i", "n=1", "-i", "label=a", "-i", "xs=[]", "--name", name, "--wait", "--poll-interval", "10ms"}, extra...)
	var out, errOut bytes.Buffer
	code = Main(ctx, args, strings.NewReader(""), &out, &errOut)
	// The execution's phase as FlyteAdmin has it now (the fake moves ABORTING on to ABORTED).
	res, err := a.GetExecution(context.Background(), getReq(name))
	require.NoError(t, err)
	res, err = a.GetExecution(context.Background(), getReq(name))
	require.NoError(t, err)
	return code, out.String(), errOut.String(), res.GetClosure().GetPhase()
}

func TestRunInterruptLeavesTheExecutionRunning(t *testing.T) {
	code, _, stderr, phase := runInterrupted(t, "slow-int")
	assert.Equal(t, ExitInterrupted, code)
	assert.Contains(t, stderr, "flytedask: interrupted: stopped waiting; execution flytesnacks/development/slow-int goes on (flytedask abort flytesnacks/development/slow-int to stop it)\n")
	assert.Equal(t, core.WorkflowExecution_RUNNING, phase)
}

func TestRunAbortOnInterrupt(t *testing.T) {
	code, _, stderr, phase := runInterrupted(t, "slow-abort", "--abort-on-interrupt")
	assert.Equal(t, ExitInterrupted, code)
	assert.Contains(t, stderr, "flytedask: interrupted: aborted execution flytesnacks/development/slow-abort\n")
	assert.Equal(t, core.WorkflowExecution_ABORTED, phase)
}

func TestParseInputsFile(t *testing.T) {
	got, err := parseInputsFile([]byte("n: 3\nlabel: n\nflag: yes\nwhen: 2024-01-02T03:04:05Z\nxs: [1, 2]\nm: {a: 1.5}\nts: [2024-01-02]\nq: '007'\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"n": "3", "label": "n", "flag": "yes", "when": "2024-01-02T03:04:05Z", "xs": "[1,2]", "m": `{"a":1.5}`,
		"ts": `["2024-01-02T00:00:00Z"]`, "q": "007",
	}, got)
	got, err = parseInputsFile([]byte(`{"n": 3, "label": "x"}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"n": "3", "label": "x"}, got)
	got, err = parseInputsFile(nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	for in, want := range map[string]string{
		"[1]":              "line 1: want a mapping of input names to values",
		"n: 1\nn: 2\n":     "", // yaml.v3 refuses duplicate keys itself
		"n:\n":             "line 1: n: no value",
		"a: &x 1\nb: *x\n": "line 2: b: YAML aliases are not supported",
		"? [1]\n: 2\n":     "line 1: an input name must be a non-empty string",
		"n: [1, 2\n":       "did not find expected",
	} {
		_, err := parseInputsFile([]byte(in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
}

// FuzzParseInputsFile: any bytes give a map or an error, never a panic; every value of the map
// is what literal.Parse gets.
func FuzzParseInputsFile(f *testing.F) {
	for _, s := range []string{"n: 3\n", `{"xs": [1, 2]}`, "a: &x [1]\nb: *x\n", "m: {k: 2024-01-02}\n", "- 1\n", "", "n: ~\n", "? {a: 1}\n: 2\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseInputsFile(data)
		if err == nil && m == nil {
			t.Fatal("nil map without an error")
		}
	})
}

// TestRunWaitSurvivesAdminRestart stops the FlyteAdmin fake's gRPC server while run --wait
// follows an execution and starts it again on the same address: the wait goes on through the
// real connection (refused dials, reconnect) and ends SUCCEEDED.
//
// No step depends on timing: the execution stays RUNNING until the test has seen, in order, a
// GetExecution on the first server, run reporting FlyteAdmin unavailable after the stop, and a
// GetExecution on the second server; only then is it scripted to succeed.
func TestRunWaitSurvivesAdminRestart(t *testing.T) {
	hermetic(t)
	a := runAdmin()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	srv := grpc.NewServer()
	service.RegisterAdminServiceServer(srv, a)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	running := registertest.Step{Phase: core.WorkflowExecution_RUNNING, Nodes: []registertest.Node{{ID: "n0", Phase: core.NodeExecution_RUNNING,
		Attempts: []registertest.Attempt{{Phase: core.TaskExecution_RUNNING}}}}}
	a.Script("restart-1", running) // the last step stays for good
	// polled gets a value at every GetExecution of restart-1 (dropped when nobody waits).
	polled := make(chan struct{}, 1)
	a.SetExecutionHook(func(_ context.Context, method, name string) error {
		if method == "GetExecution" && name == "restart-1" {
			select {
			case polled <- struct{}{}:
			default:
			}
		}
		return nil
	})
	errOut := newWatchedBuffer("FlyteAdmin unavailable (")
	done := make(chan struct{})
	restarted := make(chan error, 1)
	var srv2 *grpc.Server // set before restarted gets a value
	go func() {
		restarted <- func() error {
			wait := func(c <-chan struct{}, what string) error {
				select {
				case <-c:
					return nil
				case <-done:
					return fmt.Errorf("run ended before %s", what)
				}
			}
			if err := wait(polled, "the first GetExecution"); err != nil {
				return err
			}
			srv.Stop()
			if err := wait(errOut.seen, "it reported FlyteAdmin unavailable"); err != nil {
				return err
			}
			lis2, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("could not listen on %s again: %w", addr, err)
			}
			srv2 = grpc.NewServer()
			service.RegisterAdminServiceServer(srv2, a)
			go func() { _ = srv2.Serve(lis2) }()
			// Drop a notification of a poll before the restart, then wait for one on srv2.
			select {
			case <-polled:
			default:
			}
			if err := wait(polled, "a GetExecution on the restarted server"); err != nil {
				return err
			}
			a.Script("restart-1", registertest.Step{Phase: core.WorkflowExecution_SUCCEEDED})
			return nil
		}()
	}()
	var out bytes.Buffer
	code := Main(context.Background(), []string{"run", "sum_task", "--endpoint", addr, "--insecure", "--project", "flytesnacks", "--domain", "development",
		"--version", "v1", "-i", "n=1", "-i", "label=a", "-i", "xs=[]", "--name", "restart-1", "--wait", "--poll-interval", "20ms"}, strings.NewReader(""), &out, errOut)
	close(done)
	err = <-restarted
	if srv2 != nil {
		defer srv2.Stop()
	}
	require.NoError(t, err)
	require.Equal(t, ExitOK, code, errOut.String())
	assert.Contains(t, out.String(), "flytesnacks/development/restart-1 SUCCEEDED")
	assert.Contains(t, errOut.String(), "FlyteAdmin unavailable (")
	assert.Contains(t, errOut.String(), "FlyteAdmin answers again\n")
}

// watchedBuffer is a bytes.Buffer safe for concurrent use whose channel seen is closed once
// what was written holds want.
type watchedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func newWatchedBuffer(want string) *watchedBuffer {
	return &watchedBuffer{want: want, seen: make(chan struct{})}
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	select {
	case <-w.seen:
	default:
		if strings.Contains(w.buf.String(), w.want) {
			close(w.seen)
		}
	}
	return n, err
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
