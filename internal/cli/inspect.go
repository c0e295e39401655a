package cli

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/render"
)

func newInspectCmd(e *Env) *cobra.Command {
	var format formatFlag
	cmd := &cobra.Command{
		Use:   "inspect BUNDLE [--format json|yaml]",
		Short: "Print the tasks, workflows and launch plans of a bundle (flytedask's or pyflyte's)",
		Long: `inspect reads a bundle that "flytectl register files" accepts: a .tgz/.tar.gz
or .tar archive (detected by content), a directory of .pb files, or - for an
archive on stdin. It prints the entities like render, in registration order:
tasks alone as an array of task specs; with workflows (*_2.pb) or launch
plans (*_3.pb) an object {"tasks": [...], "workflows": [...],
"launchPlans": [...]}. Every other file (fast-register sources, OS junk)
gets one line on stderr: "skipped PATH: REASON".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fm, err := format.get()
			if err != nil {
				return err
			}
			b, err := readBundle(e, args[0])
			if err != nil {
				return err
			}
			out, err := render.Entities(fm, b.Entities())
			if err != nil {
				return fail(err)
			}
			if _, err := e.Stdout.Write(out); err != nil {
				return fail(err)
			}
			e.printSkipped(b)
			return nil
		},
	}
	format.register(cmd)
	return cmd
}

// readBundle reads the bundle at path ("-": an archive on stdin).
func readBundle(e *Env, path string) (*bundle.Bundle, error) {
	var b *bundle.Bundle
	var err error
	if path == "-" {
		b, err = bundle.Read(e.Stdin)
	} else {
		b, err = bundle.ReadFile(path)
	}
	if err != nil {
		return nil, fail(err)
	}
	return b, nil
}

// printSkipped prints "skipped PATH: REASON" to stderr for each file of b
// that is not a task.
func (e *Env) printSkipped(b *bundle.Bundle) {
	for _, s := range b.Skipped {
		fmt.Fprintf(e.Stderr, "skipped %s: %s\n", oneLine(s.Path), s.Reason)
	}
}

// oneLine returns s, quoted in Go syntax when it holds control characters
// or Unicode line separators: names from a bundle cannot break (or forge)
// lines of output.
func oneLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) < 0 {
		return s
	}
	return strconv.Quote(s)
}
