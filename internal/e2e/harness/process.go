package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// AdminProcess is a `flyteadmin serve` child process started by a test.
type AdminProcess struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
	stop    sync.Once
}

// StartAdmin starts `bin serve --config config` with stdout and stderr
// appended to logPath. The child gets SIGKILL if the starting process dies
// (Linux), so an aborted test run cannot leak it. ctx only bounds the start,
// not the process lifetime: call Stop.
func StartAdmin(ctx context.Context, bin, config, logPath string) (*AdminProcess, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start flyteadmin: %w", err)
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open flyteadmin log: %w", err)
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "serve", "--config", config)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start flyteadmin: %w", err)
	}
	p := &AdminProcess{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid returns the process id.
func (p *AdminProcess) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when the process has exited.
func (p *AdminProcess) Exited() <-chan struct{} { return p.done }

// LogPath returns the file receiving the process output.
func (p *AdminProcess) LogPath() string { return p.logPath }

// LogTail returns up to the last n bytes of the process output.
func (p *AdminProcess) LogTail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// Stop sends SIGTERM, waits up to grace, then SIGKILLs, and waits for the
// exit. It is safe to call more than once. An exit caused by the signal is
// not an error; any other unexpected exit status is returned.
func (p *AdminProcess) Stop(grace time.Duration) error {
	var err error
	p.stop.Do(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(grace):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
		var exitErr *exec.ExitError
		if errors.As(p.waitErr, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return
			}
		}
		if p.waitErr != nil {
			err = fmt.Errorf("flyteadmin pid %d: %w", p.cmd.Process.Pid, p.waitErr)
		}
	})
	return err
}

// StandbyAdmin describes the not-yet-running FlyteAdmin prepared by run.sh.
type StandbyAdmin struct {
	// Bin is the flyteadmin binary.
	Bin string
	// Config is its admin.yaml (same database as the main admin, own ports).
	Config string
	// Endpoint is host:port of its gRPC listener once started.
	Endpoint string
}

// Standby returns the standby admin from the environment, or skips the test
// when run.sh did not prepare one.
func Standby(t testing.TB) StandbyAdmin {
	t.Helper()
	sb := StandbyAdmin{
		Bin:      os.Getenv(EnvAdminBin),
		Config:   os.Getenv(EnvStandbyConfig),
		Endpoint: os.Getenv(EnvStandbyEndpoint),
	}
	if sb.Bin == "" || sb.Config == "" || sb.Endpoint == "" {
		t.Skipf("%s, %s and %s must all be set: %s", EnvAdminBin, EnvStandbyConfig, EnvStandbyEndpoint, skipHint)
	}
	return sb
}

// Start starts the standby admin, logging to a new file in WorkDir(t), and
// stops it when the test ends. Only one test at a time may run it (its
// ports are fixed): such tests must not call t.Parallel.
func (sb StandbyAdmin) Start(t testing.TB) *AdminProcess {
	t.Helper()
	f, err := os.CreateTemp(WorkDir(t), "standby-admin-*.log")
	if err != nil {
		t.Fatalf("standby admin log: %v", err)
	}
	_ = f.Close()
	p, err := StartAdmin(context.Background(), sb.Bin, sb.Config, f.Name())
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Logf("standby flyteadmin pid %d, log %s", p.Pid(), p.LogPath())
	t.Cleanup(func() {
		if err := p.Stop(15 * time.Second); err != nil {
			t.Errorf("stop standby admin: %v\n%s", err, p.LogTail(2000))
		}
	})
	return p
}
