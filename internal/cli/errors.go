package cli

import (
	"errors"
	"fmt"
)

// Exit codes of Main.
const (
	// ExitOK: success.
	ExitOK = 0
	// ExitFailure: the spec or bundle is invalid, or the command failed.
	ExitFailure = 1
	// ExitUsage: the command line is wrong (unknown flag or command,
	// missing -f, bad --format, wrong number of arguments).
	ExitUsage = 2
)

// ExitError ends a command with Code. Err, when not nil, is printed as
// "flytedask: ERR"; a nil Err means the problem was already printed.
type ExitError struct {
	// Code is the process exit code.
	Code int
	// Err is the cause, or nil when already reported.
	Err error
}

// Error implements error.
func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// errReported ends a command with exit code 1 after it printed its
// problems itself.
var errReported = &ExitError{Code: ExitFailure}

// fail wraps err as an exit-1 error.
func fail(err error) error { return &ExitError{Code: ExitFailure, Err: err} }

// failf is fail(fmt.Errorf(...)).
func failf(format string, args ...any) error { return fail(fmt.Errorf(format, args...)) }

// usageErrorf is an exit-2 error.
func usageErrorf(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// exitCode classifies an error returned by the command tree.
func exitCode(err error) (int, error) {
	if err == nil {
		return ExitOK, nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code, ee.Err
	}
	// Commands' errors are all *ExitError (newRoot wraps every RunE), so
	// anything else comes from cobra's own checks of the command line.
	return ExitUsage, err
}
