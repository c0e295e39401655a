//go:build linux

package main

import "syscall"

// procAttr puts a child in its own process group (so that a dask-worker and
// the worker process its nanny starts end together) and has the kernel kill
// it when the operator dies.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
