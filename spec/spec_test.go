package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/specfile"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

func decode(t *testing.T, files ...string) (*Spec, error) {
	t.Helper()
	var srcs []Source
	for i, f := range files {
		srcs = append(srcs, Source{Name: []string{"a.yaml", "b.yaml", "c.yaml"}[i], Data: []byte(f)})
	}
	return Decode(srcs, Options{})
}

func problemLines(t *testing.T, err error) []string {
	t.Helper()
	var serr *Error
	require.True(t, errors.As(err, &serr), "want *spec.Error, got %v", err)
	return serr.Lines()
}

func TestPythonFloat(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{2, "2.0"}, {0.5, "0.5"}, {1.0, "1.0"}, {1e-05, "1e-05"}, {0.0001, "0.0001"},
		{1.5e-7, "1.5e-07"}, {1e15, "1000000000000000.0"}, {1e16, "1e+16"}, {1.25e17, "1.25e+17"},
		{123.456, "123.456"}, {-0.5, "-0.5"}, {0.30000000000000004, "0.30000000000000004"},
	} {
		assert.Equal(t, tc.want, pythonFloat(tc.in), "%v", tc.in)
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"number_of_workers", "image", "requests", "limits", "retries", "mem", "memory"}
	for in, want := range map[string]string{
		"number_of_wokers":       "number_of_workers",
		"numberOfWorkers":        "number_of_workers",
		"imagee":                 "image",
		"Image":                  "image",
		"retry":                  "retries",
		"limit":                  "limits",
		"requests":               "requests",
		"zzz":                    "",
		"fancy_new_thing":        "",
		strings.Repeat("x", 200): "",
	} {
		assert.Equal(t, want, closest(in, keys), in)
	}
}

const fullSpec = `
project: p
domain: d
version: v1
tasks:
  - name: wf.full
    image: ghcr.io/acme/dask-app:1.4.2
    python: {module: wf, function: full}
    requests: {cpu: 1, memory: 2Gi, gpu: "1", ephemeral_storage: 10Gi}
    limits: {cpu: 2, mem: 4Gi, gpu: 1}
    environment: {LOG_LEVEL: debug, N: 3}
    secrets: [{group: aws, key: token, group_version: v2, mount_requirement: env_var}, {group: g, mount_requirement: any}]
    inputs: {z: integer, a: "list[map[file]]"}
    outputs: {o0: float}
    retries: 2
    timeout: 1h30m
    interruptible: false
    cache: {version: "1.0", serialize: true}
    deprecated: old
    pod_template_name: dask-base
    pod_template:
      primary_container_name: main
      labels: {team: x}
      annotations: {a: b}
      spec:
        containers: [{name: main, resources: {limits: {cpu: 1}}}]
        nodeSelector: {pool: dask}
    dask:
      scheduler: {image: ghcr.io/acme/dask-app:1.4.2, requests: {cpu: 0.5}, limits: {cpu: 0.5}}
      workers:
        number_of_workers: 4
        image: ghcr.io/acme/dask-app:1.4.2
        requests: {cpu: 2, mem: 8Gi}
        limits: {cpu: 2, mem: 8Gi, gpu: 1}
`

func TestDecodeFull(t *testing.T) {
	s, err := decode(t, fullSpec)
	require.NoError(t, err)
	require.Len(t, s.Tasks, 1)
	f := false
	want := task.Task{
		Name:        "wf.full",
		Image:       "ghcr.io/acme/dask-app:1.4.2",
		Python:      &task.PythonFunction{Module: "wf", Function: "full"},
		Requests:    resources.Spec{CPU: "1", Mem: "2Gi", GPU: "1", EphemeralStorage: "10Gi"},
		Limits:      resources.Spec{CPU: "2", Mem: "4Gi", GPU: "1"},
		Environment: map[string]string{"LOG_LEVEL": "debug", "N": "3"},
		Secrets: []task.Secret{
			{Group: "aws", Key: "token", GroupVersion: "v2", MountRequirement: task.MountEnvVar},
			{Group: "g", MountRequirement: task.MountAny},
		},
		Inputs:          []task.Variable{{Name: "a", Type: task.ListOf(task.MapOf(task.File))}, {Name: "z", Type: task.Integer}},
		Outputs:         []task.Variable{{Name: "o0", Type: task.Float}},
		Retries:         2,
		Timeout:         90 * time.Minute,
		Interruptible:   &f,
		Cache:           &task.Cache{Version: "1.0", Serialize: true},
		Deprecated:      "old",
		PodTemplateName: "dask-base",
		PodTemplate: &task.PodTemplate{
			PrimaryContainerName: "main",
			Labels:               map[string]string{"team": "x"},
			Annotations:          map[string]string{"a": "b"},
		},
		Dask: dask.Config{
			Scheduler: dask.Scheduler{Image: "ghcr.io/acme/dask-app:1.4.2", Requests: resources.Spec{CPU: "0.5"}, Limits: resources.Spec{CPU: "0.5"}},
			Workers: dask.WorkerGroup{NumberOfWorkers: 4, Image: "ghcr.io/acme/dask-app:1.4.2",
				Requests: resources.Spec{CPU: "2", Mem: "8Gi"}, Limits: resources.Spec{CPU: "2", Mem: "8Gi", GPU: "1"}},
		},
	}
	got := s.Tasks[0]
	require.NotNil(t, got.PodTemplate)
	assert.Equal(t, "main", got.PodTemplate.Spec.Containers[0].Name)
	assert.Equal(t, "1", got.PodTemplate.Spec.Containers[0].Resources.Limits.Cpu().String())
	assert.Equal(t, map[string]string{"pool": "dask"}, got.PodTemplate.Spec.NodeSelector)
	got.PodTemplate.Spec = corev1.PodSpec{}
	assert.Equal(t, want, got)
	assert.Equal(t, task.Settings{Project: "p", Domain: "d", Version: "v1"}, s.Settings)
	assert.Equal(t, []Origin{{File: "a.yaml", Index: 0, Line: 6}}, s.Origins)

	specs, err := s.Build()
	require.NoError(t, err)
	require.Len(t, specs, 1)
	assert.Equal(t, "wf.full", specs[0].GetTemplate().GetId().GetName())
}

func TestPodSpecProblemLine(t *testing.T) {
	_, err := decode(t, "tasks:\n  - name: a\n    pod_template:\n      spec:\n        containers:\n          - name: p\n            imagee: x\n")
	var serr *Error
	require.True(t, errors.As(err, &serr))
	var lines []int
	for _, p := range serr.Problems {
		if p.Type == ErrorTypeUnknownKey {
			lines = append(lines, p.Line)
		}
	}
	assert.Equal(t, []int{7}, lines, "%v", serr.Problems)
}

func TestDecodeMinimal(t *testing.T) {
	s, err := decode(t, "tasks:\n  - {name: wf.a, image: 'ghcr.io/a/b:1', command: [run], dask: {}}\n")
	require.NoError(t, err)
	got := s.Tasks[0]
	assert.Nil(t, got.Interruptible, "absent interruptible stays unset")
	assert.Nil(t, got.Cache)
	assert.Nil(t, got.Python)
	assert.Equal(t, dask.Config{}, got.Dask, "dask: {} is flytekit's Dask()")
	assert.Equal(t, task.Settings{}, s.Settings)
}

// TestQuantityNumbers checks that numeric quantities are written the way
// Python's str() writes them, also integers beyond 64 bits (Python ints are
// unbounded; YAML reads them as floats or strings).
func TestQuantityNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"2":                              "2",
		"0.5":                            "0.5",
		"1_000":                          "1000",
		"0x10":                           "16",
		"'0x10'":                         "0x10",
		"123456789012345678901234567890": "123456789012345678901234567890",
		"-99999999999999999999":          "-99999999999999999999",
		"0x1_0000_0000_0000_0000":        "18446744073709551616",
		"0o7777777777777777777777777":    "37778931862957161709567",
		"0100000000000000000000000":      "100000000000000000000000",
	} {
		s, err := Decode([]Source{{Name: "a.yaml", Data: []byte("tasks:\n  - {name: a, image: x, command: [r], dask: {}, requests: {cpu: " + in + "}}\n")}}, Options{SkipValidation: true})
		require.NoError(t, err, in)
		assert.Equal(t, want, s.Tasks[0].Requests.CPU, in)
	}
}

func TestOverrides(t *testing.T) {
	p, v := "flags", ""
	s, err := Decode([]Source{{Name: "a.yaml", Data: []byte("project: file\nversion: v1\ndomain: dev\ntasks: [{name: a, image: 'x.io/a:1', command: [a], dask: {}}]")}},
		Options{Project: &p, Version: &v})
	require.NoError(t, err)
	assert.Equal(t, task.Settings{Project: "flags", Domain: "dev", Version: ""}, s.Settings)
}

func TestDefaultsMerge(t *testing.T) {
	s, err := decode(t, `
defaults:
  image: ghcr.io/a/b:1
  python: {module: m}
  requests: {cpu: "1", mem: 1Gi}
  environment: {A: d, B: d}
  secrets: [{group: d}]
  inputs: {x: integer}
  retries: 1
  interruptible: true
  cache: {version: "1"}
  pod_template: {labels: {a: d}, spec: {nodeSelector: {d: d}}}
  dask: {workers: {number_of_workers: 3, limits: {cpu: "2", mem: 2Gi}}, scheduler: {image: ghcr.io/a/b:1}}
tasks:
  - name: t0
    python: {function: f}
  - name: t1
    command: [run]
    image: ghcr.io/a/b:2
    requests: {memory: 2Gi, ephemeral_storage: 1Gi}
    limits: {}
    environment: {B: t}
    secrets: [{group: t}]
    inputs: {y: float}
    retries: 0
    interruptible: false
    cache: {serialize: true}
    pod_template: {labels: {b: t}, spec: {nodeSelector: {t: t}}}
    dask: {workers: {limits: {cpu: "4"}}}
  - name: t2
    python: {function: g}
    inputs: {x: float, a: string}
    requests: {cpu: ""}
    dask: {workers: {limits: {mem: ""}, requests: {gpu: 1}}}
  - name: t3
    python: {function: h}
`)
	require.NoError(t, err)
	t0, t1, t2 := s.Tasks[0], s.Tasks[1], s.Tasks[2]

	assert.Equal(t, &task.PythonFunction{Module: "m", Function: "f"}, t0.Python, "python merges key-wise")
	assert.Equal(t, "ghcr.io/a/b:1", t0.Image)
	assert.Equal(t, 3, t0.Dask.Workers.NumberOfWorkers)

	assert.Nil(t, t1.Python, "a task's command replaces the default python entrypoint")
	assert.Equal(t, []string{"run"}, t1.Command)
	assert.Equal(t, "ghcr.io/a/b:2", t1.Image)
	assert.Equal(t, resources.Spec{CPU: "1", Mem: "2Gi", EphemeralStorage: "1Gi"}, t1.Requests, "resources merge key-wise; memory is mem")
	assert.Equal(t, resources.Spec{}, t1.Limits, "an empty block sets nothing")
	assert.Equal(t, resources.Spec{Mem: "1Gi"}, t2.Requests, `a quantity written as "" clears the default`)
	assert.Equal(t, resources.Spec{CPU: "2"}, t2.Dask.Workers.Limits)
	assert.Equal(t, resources.Spec{GPU: "1"}, t2.Dask.Workers.Requests)
	assert.Equal(t, []task.Variable{{Name: "a", Type: task.String}, {Name: "x", Type: task.Float}}, t2.Inputs, "a task's variable replaces the default of the same name")
	assert.Equal(t, []task.Variable{{Name: "x", Type: task.Integer}}, t0.Inputs)
	s.Tasks[0].Inputs[0].Name = "changed"
	assert.Equal(t, "x", s.Tasks[3].Inputs[0].Name, "tasks do not share the defaults' lists")
	assert.Equal(t, map[string]string{"A": "d", "B": "t"}, t1.Environment)
	assert.Equal(t, []task.Secret{{Group: "t"}}, t1.Secrets, "lists are replaced")
	assert.Equal(t, []task.Variable{{Name: "x", Type: task.Integer}, {Name: "y", Type: task.Float}}, t1.Inputs)
	assert.Equal(t, 0, t1.Retries, "an explicit 0 wins over the default")
	require.NotNil(t, t1.Interruptible)
	assert.False(t, *t1.Interruptible)
	assert.Equal(t, &task.Cache{Version: "1", Serialize: true}, t1.Cache)
	assert.Equal(t, map[string]string{"a": "d", "b": "t"}, t1.PodTemplate.Labels)
	assert.Equal(t, map[string]string{"t": "t"}, t1.PodTemplate.Spec.NodeSelector, "the pod spec is replaced as a whole")
	assert.Equal(t, resources.Spec{CPU: "4", Mem: "2Gi"}, t1.Dask.Workers.Limits)
	assert.Equal(t, 3, t1.Dask.Workers.NumberOfWorkers)
	assert.Equal(t, "ghcr.io/a/b:1", t1.Dask.Scheduler.Image)
}

// resDoc stores quantities by position: the keys the walker reads are resources.Names(), in order.
func TestResourceKeysOrder(t *testing.T) {
	names := resources.Names()
	require.Len(t, resourceKeys, len(names))
	for i, n := range names {
		assert.Equal(t, string(n), resourceKeys[i])
	}
}

func TestAnchorsAndAliases(t *testing.T) {
	s, err := decode(t, `
tasks:
  - name: a
    image: &img ghcr.io/a/b:1
    command: [run]
    dask: &dask {workers: {limits: &lim {cpu: "2", mem: 2Gi}}}
  - name: b
    image: *img
    command: [run]
    limits: *lim
    dask: *dask
`)
	require.NoError(t, err)
	assert.Equal(t, "ghcr.io/a/b:1", s.Tasks[1].Image)
	assert.Equal(t, resources.Spec{CPU: "2", Mem: "2Gi"}, s.Tasks[1].Limits)
	assert.Equal(t, s.Tasks[0].Dask, s.Tasks[1].Dask)
}

func TestAliasBomb(t *testing.T) {
	// Each level lists the previous one ten times: 10^12 nodes once expanded.
	var doc strings.Builder
	doc.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 12; i++ {
		prev := "*a" + strconv.Itoa(i-1)
		fmt.Fprintf(&doc, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", "))
	}
	doc.WriteString("defaults: {pod_template: {spec: {tolerations: *a12}}}\n")
	_, err := decode(t, doc.String())
	require.Error(t, err)
	assert.Equal(t, []string{"a.yaml: the document is too complex: more than 1000000 YAML nodes to visit (anchors and aliases count each time they are used)"}, problemLines(t, err))
}

func TestDecodeErrors(t *testing.T) {
	const base = "    image: ghcr.io/a/b:1\n    command: [run]\n"
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
		types []field.ErrorType
	}{
		{
			name:  "unknown key with suggestion",
			files: []string{"tasks:\n  - name: a\n" + base + "    dask: {workers: {number_of_wokers: 2}}\n"},
			want:  []string{`tasks[0].dask.workers.number_of_wokers: unknown key "number_of_wokers": did you mean number_of_workers?`},
			types: []field.ErrorType{ErrorTypeUnknownKey},
		},
		{
			name:  "misplaced keys",
			files: []string{"tasks:\n  - name: a\n" + base + "    number_of_workers: 2\n    cpu: 1\n    dask: {scheduler: {number_of_workers: 1}}\n"},
			want: []string{
				`tasks[0].number_of_workers: unknown key "number_of_workers" here: it belongs in dask.workers`,
				`tasks[0].cpu: unknown key "cpu" here: it belongs in requests or limits`,
				`tasks[0].dask.scheduler.number_of_workers: unknown key "number_of_workers" here: it belongs in dask.workers`,
			},
		},
		{
			name:  "request/limit pair is flytekit's list-or-tuple error",
			files: []string{"tasks:\n  - name: a\n" + base + "    dask: {workers: {limits: {cpu: [\"1\", \"2\"]}}}\n"},
			want:  []string{`tasks[0].dask.workers.limits.cpu: ('1', '2') can not be a list or tuple: give one quantity (set requests and limits separately)`},
			types: []field.ErrorType{ErrorTypeWrongType},
		},
		{
			name:  "syntax error names file and line",
			files: []string{"tasks:\n  - name: a\n    image: a: b\n"},
			want:  []string{`a.yaml:3: invalid YAML: mapping values are not allowed in this context`},
			types: []field.ErrorType{ErrorTypeSyntax},
		},
		{
			name:  "type error",
			files: []string{"tasks:\n  - name: a\n" + base + "    retries: two\n    dask: {}\n"},
			want:  []string{`tasks[0].retries: must be an integer, got the string "two"`},
			types: []field.ErrorType{ErrorTypeWrongType},
		},
		{
			name:  "integers too large for YAML's int are out of range, not wrong type",
			files: []string{"tasks:\n  - name: a\n" + base + "    retries: 99999999999999999999999\n    dask: {workers: {number_of_workers: -0x1_0000_0000_0000_0000}}\n"},
			want: []string{
				`tasks[0].retries: integer 99999999999999999999999 is out of range`,
				`tasks[0].dask.workers.number_of_workers: integer -0x1_0000_0000_0000_0000 is out of range`,
			},
			types: []field.ErrorType{field.ErrorTypeInvalid, field.ErrorTypeInvalid},
		},
		{
			name:  "a tab in the indentation is named",
			files: []string{"tasks:\n\t- name: a\n"},
			want:  []string{`a.yaml:2: invalid YAML: found character that cannot start any token: the line is indented with a tab; YAML indents with spaces only`},
			types: []field.ErrorType{ErrorTypeSyntax},
		},
		{
			name:  "invalid UTF-8 names the line",
			files: []string{"tasks:\n  - name: a\n    image: \xff\xfe\n"},
			want:  []string{`a.yaml:3: invalid YAML: the file is not UTF-8 text (invalid byte 0xff): save it as UTF-8`},
			types: []field.ErrorType{ErrorTypeSyntax},
		},
		{
			name:  "control characters in keys do not break the one-problem-per-line output",
			files: []string{"tasks:\n  - name: a\n" + base + "    environment: {\"A\\nB\": x}\n    \"bad\\r\\nkey\\u0085\": 1\n    dask: {}\n"},
			want: []string{
				`tasks[0].environment[A\nB]: invalid environment variable name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
				`tasks[0].bad\r\nkey\u0085: unknown key "bad\r\nkey\u0085": valid keys are name, image, python, command, args, requests, limits, environment, secrets, inputs, outputs, retries, timeout, interruptible, cache, deprecated, pod_template_name, pod_template, accelerator, shared_memory, labels, annotations, enable_deck, short_description, long_description, dask`,
			},
		},
		{
			name:  "invalid quantity from the core, in the second task",
			files: []string{"tasks:\n  - name: a\n" + base + "    dask: {}\n  - name: b\n" + base + "    dask: {workers: {limits: {mem: 2gi}}}\n"},
			want:  []string{`tasks[1].dask.workers.limits.mem: invalid quantity "2gi": must be a Kubernetes quantity matching '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', e.g. "4Gi" or "512Mi" (binary suffixes are Ki, Mi, Gi, Ti: case matters)`},
			types: []field.ErrorType{field.ErrorTypeInvalid},
		},
		{
			name:  "zero and negative workers",
			files: []string{"tasks:\n  - name: a\n" + base + "    dask: {workers: {number_of_workers: 0}}\n  - name: b\n" + base + "    dask: {workers: {number_of_workers: -3}}\n"},
			want: []string{
				`tasks[0].dask.workers.number_of_workers: Each worker group needs to have at least one worker, but 0 have been specified.`,
				`tasks[1].dask.workers.number_of_workers: Each worker group needs to have at least one worker, but -3 have been specified.`,
			},
		},
		{
			name:  "mem and memory",
			files: []string{"tasks:\n  - name: a\n" + base + "    requests: {mem: 1Gi, memory: 2Gi}\n    dask: {}\n"},
			want:  []string{`tasks[0].requests.memory: memory and mem are the same key (an alias): set only one (the other is at line 5)`},
			types: []field.ErrorType{field.ErrorTypeDuplicate},
		},
		{
			name:  "duplicate key",
			files: []string{"tasks:\n  - name: a\n" + base + "    retries: 1\n    retries: 2\n    dask: {}\n"},
			want:  []string{`tasks[0].retries: duplicate key "retries" (first at line 5)`},
		},
		{
			name:  "duplicate names across files",
			files: []string{"tasks:\n  - name: a\n" + base + "    dask: {}\n", "tasks:\n  - name: b\n" + base + "    dask: {}\n  - name: a\n" + base + "    dask: {}\n"},
			want:  []string{`b.yaml: tasks[1].name: duplicate task name "a": also defined at a.yaml: tasks[0] (line 2)`},
			types: []field.ErrorType{field.ErrorTypeDuplicate},
		},
		{
			name:  "missing dask and tasks",
			files: []string{"tasks:\n  - name: a\n" + base, "project: x\n"},
			want:  []string{`a.yaml: tasks[0].dask: a Dask task needs a dask block: write dask: {} for flytekit's Dask() (one worker; images and resources inherited from the task)`, `b.yaml: tasks: a spec needs a tasks list with at least one task`},
		},
		{
			name:  "merge keys",
			files: []string{"base: &b {image: x}\ntasks:\n  - <<: *b\n    name: a\n"},
			want:  []string{`base: unknown key "base": valid keys are project, domain, version, defaults, tasks, launch_plans`, `tasks[0]: YAML merge keys (<<) are not supported: use the defaults block to share values between tasks`},
		},
		{
			name:  "strict pod spec",
			files: []string{"tasks:\n  - name: a\n" + base + "    dask: {}\n    pod_template: {spec: {containers: [{name: p, imagee: x}], volumes: [{name: v, emptyDir: {sizelimit: 1Gi}}], zzqqxxyy: 1}}\n"},
			want: []string{
				`tasks[0].pod_template.spec.containers[0].imagee: unknown PodSpec field "imagee": did you mean image?`,
				`tasks[0].pod_template.spec.volumes[0].emptyDir.sizelimit: unknown PodSpec field "sizelimit": did you mean sizeLimit?`,
				`tasks[0].pod_template.spec.zzqqxxyy: unknown PodSpec field "zzqqxxyy" (Kubernetes field names are camelCase and case-sensitive)`,
			},
		},
		{
			name:  "secrets must be a list",
			files: []string{"tasks:\n  - name: a\n" + base + "    secrets: {group: aws, key: token}\n    dask: {}\n"},
			want:  []string{`tasks[0].secrets: must be a list of secrets, e.g. [{group: aws, key: token}], got a mapping`},
			types: []field.ErrorType{ErrorTypeWrongType},
		},
		{
			name:  "a secret must be a mapping: null and scalar items",
			files: []string{"tasks:\n  - name: a\n" + base + "    secrets: [{group: aws, key: token}, null, aws, {group: gcp, kye: k}]\n    dask: {}\n"},
			want: []string{
				`tasks[0].secrets[1]: must be a secret mapping, e.g. {group: aws, key: token}, got null`,
				`tasks[0].secrets[2]: must be a mapping, got the string "aws"`,
				`tasks[0].secrets[3].kye: unknown key "kye": did you mean key?`,
			},
			types: []field.ErrorType{ErrorTypeWrongType, ErrorTypeWrongType, ErrorTypeUnknownKey},
		},
		{
			name:  "validation errors are in spec order and use input names",
			files: []string{"tasks:\n  - name: a\n" + base + "    inputs: {b-ad: integer, ok: float}\n    secrets: [{key: k}]\n    dask: {}\n"},
			want:  []string{`tasks[0].inputs[b-ad].name: variable name "b-ad" is not a Python identifier`, `tasks[0].secrets[0].group: a secret needs a group (flytekit's secret managers look secrets up by group)`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(t, tc.files...)
			require.Error(t, err)
			assert.Equal(t, tc.want, problemLines(t, err))
			if tc.types != nil {
				var serr *Error
				require.True(t, errors.As(err, &serr))
				for i, typ := range tc.types {
					assert.Equal(t, typ, serr.Problems[i].Type)
				}
			}
		})
	}
}

func TestExampleSpecHasNoWarnings(t *testing.T) {
	s, err := ReadFiles(Options{}, "../examples/specs/hello_dask.yaml")
	require.NoError(t, err)
	assert.Empty(t, s.Warnings())
	assert.Len(t, s.Tasks, 2)
	_, err = s.Build()
	require.NoError(t, err)
}

func TestReadFilesDirectory(t *testing.T) {
	_, err := ReadFiles(Options{}, "testdata")
	require.Error(t, err)
	assert.Equal(t, "spec: read testdata: is a directory, not a spec file", err.Error())
	_, err = ReadSource("testdata")
	var perr *fs.PathError
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, "testdata", perr.Path)
	assert.Equal(t, "read testdata: is a directory, not a spec file", err.Error())
}

func TestReadFilesMissing(t *testing.T) {
	_, err := ReadFiles(Options{}, "testdata/does-not-exist.yaml")
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

// TestHandBuiltSpec pins that a Spec built by hand, with no Origins, can be
// used: Warnings and Build name tasks by index instead of panicking.
func TestHandBuiltSpec(t *testing.T) {
	good := task.Task{Name: "m.f", Image: "ghcr.io/acme/app:1", Command: []string{"run"},
		Dask: dask.Config{Workers: dask.WorkerGroup{Limits: resources.Spec{CPU: "1500m"}}}}
	bad := good
	bad.Image = ""
	s := &Spec{Settings: task.Settings{Version: "v1"}, Tasks: []task.Task{good, bad}}
	var paths []string
	for _, w := range s.Warnings() {
		paths = append(paths, w.Path)
	}
	assert.Contains(t, paths, "tasks[0].dask.workers.limits.cpu")
	_, err := s.Build()
	var se *Error
	require.ErrorAs(t, err, &se)
	require.NotEmpty(t, se.Problems)
	assert.Equal(t, "tasks[1].image", se.Problems[0].Path)
}

// TestErrorUnwrapsToFieldErrors pins api-review defect 5 for spec: errors.As finds *field.Error after
// Decode, with the spec path.
func TestErrorUnwrapsToFieldErrors(t *testing.T) {
	_, err := Decode([]Source{{Name: "a.yaml", Data: []byte("version: v1\ntasks:\n  - name: m.f\n    command: [run]\n")}}, Options{})
	var fe *field.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "tasks[0].image", fe.Field)
	assert.Equal(t, field.ErrorTypeRequired, fe.Type)
}

// TestErrorIsInvalidSpec: a *spec.Error matches field.ErrInvalidSpec (review: it unwrapped to
// *field.Error but errors.Is was false), after Decode and after Build.
func TestErrorIsInvalidSpec(t *testing.T) {
	_, err := Decode([]Source{{Name: "a.yaml", Data: []byte("version: v1\ntasks:\n  - name: m.f\n    command: [run]\n")}}, Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, field.ErrInvalidSpec)

	src := []byte("tasks:\n  - name: wf.t\n    image: ghcr.io/a/b:1\n    python: {module: wf, function: t}\n    retries: -1\n    dask: {}\n")
	s, err := Decode([]Source{{Name: "a.yaml", Data: src}}, Options{})
	if err == nil {
		_, err = s.Build()
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, field.ErrInvalidSpec)
	var se *Error
	require.ErrorAs(t, err, &se)
}

// C10 of the API review: no files at all is an error, as one file without tasks is (it returned an
// empty Spec and no error).
func TestDecodeNoSources(t *testing.T) {
	for _, sources := range [][]Source{nil, {}} {
		s, err := Decode(sources, Options{})
		assert.Nil(t, s)
		require.ErrorIs(t, err, field.ErrInvalidSpec)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "no spec files: a spec needs at least one file with a tasks list", err.Error())
		assert.Equal(t, field.ErrorTypeRequired, se.Problems[0].Type)
	}
	_, err := Decode([]Source{{Name: "a.yaml", Data: []byte("tasks: []\n")}}, Options{})
	require.ErrorIs(t, err, field.ErrInvalidSpec)
}

// A file over the size limit is reported, not decoded.
func TestDecodeTooLarge(t *testing.T) {
	data := append([]byte("tasks: []\n#"), bytes.Repeat([]byte("x"), specfile.MaxSize)...)
	_, err := Decode([]Source{{Name: "big.yaml", Data: data}}, Options{})
	require.Error(t, err)
	assert.Equal(t, "big.yaml: file is larger than 8388608 bytes", err.Error())
}
