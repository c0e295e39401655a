package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flytedask/flytedask/register"
)

// progress reports register's per-task results on stderr as they arrive.
type progress interface {
	// done records one finished task.
	done(r register.Result)
	// finish ends the report (the bar's line).
	finish()
}

// newProgress returns a bar when w is a terminal, else plain lines.
func newProgress(w io.Writer, total int) progress {
	if isTerminal(w) {
		p := &barProgress{w: w, total: total, width: 30}
		p.draw()
		return p
	}
	return &lineProgress{w: w}
}

// isTerminal reports whether w is a character device (a terminal; also
// /dev/null, where the bar is as harmless as it is invisible).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// lineProgress prints "registered NAME: OUTCOME" per task, for logs.
type lineProgress struct{ w io.Writer }

func (p *lineProgress) done(r register.Result) {
	fmt.Fprintf(p.w, "registered %s: %s\n", entityLabel(r.Kind(), r.Name()), r.Outcome)
}

func (p *lineProgress) finish() {}

// barProgress redraws one line: "[#####-----] 3/10 done, 1 failed".
type barProgress struct {
	w                  io.Writer
	total, n, failures int
	width              int
}

func (p *barProgress) done(r register.Result) {
	p.n++
	if !r.Outcome.OK() {
		p.failures++
	}
	p.draw()
}

func (p *barProgress) draw() {
	filled := 0
	if p.total > 0 {
		filled = p.n * p.width / p.total
	}
	line := fmt.Sprintf("\r[%s%s] %d/%d done", strings.Repeat("#", filled), strings.Repeat("-", p.width-filled), p.n, p.total)
	if p.failures > 0 {
		line += fmt.Sprintf(", %d failed", p.failures)
	}
	fmt.Fprint(p.w, line)
}

func (p *barProgress) finish() { fmt.Fprintln(p.w) }

// displayName is the task name (see oneLine), or "<unnamed>".
func displayName(n string) string {
	if n == "" {
		return "<unnamed>"
	}
	return oneLine(n)
}
