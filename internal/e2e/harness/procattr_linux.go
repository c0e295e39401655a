//go:build linux

package harness

import "syscall"

// childProcAttr makes the kernel SIGKILL the child when its parent dies.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
