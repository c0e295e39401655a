package spec

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never panics, that a failure is always an
// *Error with at least one problem, each rendered on a single line, and that a spec Decode accepts always
// builds.
func FuzzDecode(f *testing.F) {
	example, err := os.ReadFile("../examples/specs/hello_dask.yaml")
	if err != nil {
		f.Fatal(err)
	}
	nightly, err := os.ReadFile("../examples/specs/nightly.yaml")
	if err != nil {
		f.Fatal(err)
	}
	invalidLPs, err := os.ReadFile("testdata/invalid/launch_plans.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		string(nightly),
		string(invalidLPs),
		"tasks: [{name: t, image: x.io/a:1, command: [a], inputs: {d: datetime}, dask: {}}]\nlaunch_plans: [{name: l, task: t, schedule: {fixed_rate: 1d2h3m, kickoff_time_input: d}, default_inputs: {d: 2026-01-01T00:00:00Z}}]",
		"launch_plans: [{task: x, schedule: {cron: 'TZ='}, fixed_inputs: {a: [&a {b: *a}]}}]",
		fullSpec,
		"",
		"tasks: []",
		"tasks:\n  - name: a\n    image: ghcr.io/a/b:1\n    command: [run]\n    dask: {}\n",
		"tasks:\n  - name: a\n    image: a: b\n",
		"tasks:\n\t- x\n",
		"a: 1\n---\nb: 2\n",
		"defaults: &d {image: x}\ntasks: [*d, *d]\n",
		"tasks:\n  - <<: {image: x}\n",
		"tasks: [{name: a, dask: {workers: {number_of_workers: 0}}}]",
		"tasks: [{name: a, requests: {cpu: 1e400, mem: .inf, memory: 1}, inputs: {x: 'list[map[list[file]]]'}}]",
		"tasks: [{name: a, pod_template: {spec: {containers: [{name: primary, image: x.io/a:1}], restartPolicy: Always}}, dask: {}}]",
		"tasks: [{name: a, pod_template: {spec: {containers: 3}}}]",
		"project: [1]\nversion: {a: b}\ntasks: {}\n",
		"tasks: [{name: a, timeout: -1h, retries: 99999999999999999999, secrets: [~, {group: g, mount_requirement: vault}]}]",
		"tasks: [{name: x, image: 'x.io/a:1', command: [a], environment: {'1': ~}, dask: {}}]",
		"tasks: [{name: x, \"a\\nb\": 1, environment: {\"A\\rB\": x}, dask: {}}]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode([]Source{{Name: "fuzz.yaml", Data: data}}, Options{})
		if err != nil {
			var serr *Error
			if !errors.As(err, &serr) || len(serr.Problems) == 0 {
				t.Fatalf("Decode error is not a non-empty *Error: %v", err)
			}
			for _, l := range serr.Lines() {
				if strings.ContainsAny(l, "\n\r") {
					t.Fatalf("problem line %q is not a single line", l)
				}
			}
			return
		}
		_ = s.Warnings()
		if _, err := s.BuildEntities(); err != nil {
			t.Fatalf("Decode accepted a spec that does not build: %v", err)
		}
	})
}
