package explain

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// WriteText writes a readable report: a table with one row per pod (role, container, replicas,
// restart policy, interruptible, requests, limits), then each pod's image, command, args, ports,
// node affinity, tolerations, volumes and mounts, then the notes. The output is deterministic.
func (j *Job) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	task := "(unnamed)"
	if j.Task != "" {
		task = display(j.Task)
	}
	fmt.Fprintf(bw, "Task: %s\n\n", task)

	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tCONTAINER\tREPLICAS\tRESTART\tINTERRUPTIBLE\tREQUESTS\tLIMITS")
	for _, p := range j.Pods {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", p.Role, p.ContainerName, p.Replicas, p.RestartPolicy,
			yesNo(p.Interruptible), formatResources(p.Requests), formatResources(p.Limits))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	for _, p := range j.Pods {
		fmt.Fprintf(bw, "\n%s\n", p.Role)
		dw := tabwriter.NewWriter(bw, 0, 4, 1, ' ', 0)
		image := "-"
		if p.Image != "" {
			image = display(p.Image)
		}
		fmt.Fprintf(dw, "  image:\t%s\n", image)
		command := "(image entrypoint)"
		if len(p.Command) > 0 {
			command = joinArgs(p.Command)
		}
		fmt.Fprintf(dw, "  command:\t%s\n", command)
		fmt.Fprintf(dw, "  args:\t%s\n", orDash(joinArgs(p.Args)))
		if len(p.Ports) > 0 {
			ports := make([]string, 0, len(p.Ports))
			for _, port := range p.Ports {
				ports = append(ports, fmt.Sprintf("%s %d", port.Name, port.Port))
			}
			fmt.Fprintf(dw, "  ports:\t%s\n", strings.Join(ports, ", "))
		}
		for _, l := range p.placementLines() {
			fmt.Fprintf(dw, "  %s\t%s\n", l[0], l[1])
		}
		if err := dw.Flush(); err != nil {
			return err
		}
	}

	if len(j.Notes) > 0 {
		fmt.Fprintf(bw, "\nNotes:\n")
		for _, n := range j.Notes {
			where := n.Pod
			if where == "" {
				where = "task"
			}
			if n.Field != "" {
				where += " " + n.Field
			}
			fmt.Fprintf(bw, "  - [%s] %s\n", where, n.Message)
		}
	}
	return bw.Flush()
}

// WriteJSON writes the job as indented JSON followed by a newline. Field order follows the struct
// definitions and map keys are sorted, so the output is deterministic.
func (j *Job) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatResources renders "cpu=1 memory=1Gi" in display order, or "-" when empty.
func formatResources(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(m))
	for _, name := range orderedNames(keysOf(m)) {
		parts = append(parts, display(name)+"="+m[name])
	}
	return strings.Join(parts, " ")
}

// joinArgs joins arguments with spaces, quoting the ones that would otherwise be ambiguous (see
// display).
func joinArgs(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = display(a)
	}
	return strings.Join(parts, " ")
}

// display returns s, or s quoted in Go syntax when it is empty or holds spaces, quotes, backslashes,
// control or other non-printable characters, or invalid UTF-8. Names, images and args come from
// untrusted bundles: quoted, they cannot break the report's lines or columns or carry terminal
// control sequences.
func display(s string) string {
	if s == "" || !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if r == ' ' || r == '"' || r == '\'' || r == '\\' || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
