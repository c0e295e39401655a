package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	yaml "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/version"
)

// Issue 16, item 4: `flytedask package` of 10,000 generated tasks against a hand-written floor that
// does the same job with the same YAML library (go.yaml.in/yaml/v3) and the same protos, in one
// process each, so that peak memory is the process's own.

// genSpec returns a spec file with n Dask tasks sharing a defaults block, each with a python
// entrypoint, inputs, outputs, an environment variable and scheduler resources of its own. With
// distinct, every task's scheduler memory limit differs, so no two tasks share a Dask
// configuration (and `package` cannot share their custom structs, see taskhook.Customs).
func genSpec(n int, distinct bool) []byte {
	var b bytes.Buffer
	b.WriteString(`project: flytesnacks
domain: development
version: v1
defaults:
  image: ghcr.io/acme/dask-app:1.4.2
  requests: {cpu: "1", mem: 2Gi}
  limits: {cpu: "2", mem: 4Gi}
  environment: {LOG_LEVEL: info}
  retries: 2
  dask:
    workers:
      number_of_workers: 4
      requests: {cpu: "2", mem: 8Gi}
      limits: {cpu: "2", mem: 8Gi}
tasks:
`)
	for i := 0; i < n; i++ {
		schedulerMem := "2Gi"
		if distinct {
			schedulerMem = fmt.Sprintf("%dMi", 3000+i)
		}
		fmt.Fprintf(&b, `  - name: pipelines.gen.task_%05d
    python: {module: pipelines.gen, function: task_%05d}
    inputs: {n: integer, path: file}
    outputs: {o0: float}
    environment: {SHARD: "%d"}
    dask:
      scheduler:
        requests: {cpu: "1", mem: 2Gi}
        limits: {cpu: "1", mem: %s}
`, i, i, i, schedulerMem)
	}
	return b.Bytes()
}

// The floor's view of the generated spec: exactly the keys genSpec writes.
type (
	floorRes struct {
		CPU string `yaml:"cpu"`
		Mem string `yaml:"mem"`
	}
	floorGroup struct {
		NumberOfWorkers int      `yaml:"number_of_workers"`
		Requests        floorRes `yaml:"requests"`
		Limits          floorRes `yaml:"limits"`
	}
	floorDask struct {
		Scheduler *floorGroup `yaml:"scheduler"`
		Workers   *floorGroup `yaml:"workers"`
	}
	floorTask struct {
		Name   string `yaml:"name"`
		Image  string `yaml:"image"`
		Python *struct {
			Module   string `yaml:"module"`
			Function string `yaml:"function"`
		} `yaml:"python"`
		Inputs      map[string]string `yaml:"inputs"`
		Outputs     map[string]string `yaml:"outputs"`
		Environment map[string]string `yaml:"environment"`
		Requests    floorRes          `yaml:"requests"`
		Limits      floorRes          `yaml:"limits"`
		Retries     int               `yaml:"retries"`
		Dask        floorDask         `yaml:"dask"`
	}
	floorDoc struct {
		Project  string      `yaml:"project"`
		Domain   string      `yaml:"domain"`
		Version  string      `yaml:"version"`
		Defaults floorTask   `yaml:"defaults"`
		Tasks    []floorTask `yaml:"tasks"`
	}
)

var floorTypes = map[string]*core.LiteralType{
	"integer": {Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}},
	"float":   {Type: &core.LiteralType_Simple{Simple: core.SimpleType_FLOAT}},
	"file":    {Type: &core.LiteralType_Blob{Blob: &core.BlobType{}}},
}

func floorVars(m map[string]string) *core.VariableMap {
	out := &core.VariableMap{Variables: map[string]*core.Variable{}}
	for k, v := range m {
		out.Variables[k] = &core.Variable{Type: floorTypes[v], Description: k}
	}
	return out
}

func floorEntries(r floorRes, names ...core.Resources_ResourceName) []*core.Resources_ResourceEntry {
	var out []*core.Resources_ResourceEntry
	for _, n := range names {
		v := r.CPU
		if n == core.Resources_MEMORY {
			v = r.Mem
		}
		if v != "" {
			out = append(out, &core.Resources_ResourceEntry{Name: n, Value: v})
		}
	}
	return out
}

func floorStructEntries(r floorRes) *structpb.Value {
	var l []*structpb.Value
	for _, e := range floorEntries(r, core.Resources_CPU, core.Resources_MEMORY) {
		l = append(l, structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
			"name": structpb.NewStringValue(e.Name.String()), "value": structpb.NewStringValue(e.Value)}}))
	}
	return structpb.NewListValue(&structpb.ListValue{Values: l})
}

func floorGroupValue(g floorGroup, workers bool) *structpb.Value {
	res := map[string]*structpb.Value{}
	if g.Requests != (floorRes{}) {
		res["requests"] = floorStructEntries(g.Requests)
	}
	if g.Limits != (floorRes{}) {
		res["limits"] = floorStructEntries(g.Limits)
	}
	f := map[string]*structpb.Value{"resources": structpb.NewStructValue(&structpb.Struct{Fields: res})}
	if workers {
		f["numberOfWorkers"] = structpb.NewNumberValue(float64(g.NumberOfWorkers))
	}
	return structpb.NewStructValue(&structpb.Struct{Fields: f})
}

// floorSpec builds the TaskSpec flytedask builds for a task of the generated spec (ids left empty,
// as bundles write them), by hand: defaults merged key by key, no validation.
func floorSpec(d *floorDoc, t floorTask) *admin.TaskSpec {
	df := d.Defaults
	if t.Image == "" {
		t.Image = df.Image
	}
	if t.Requests == (floorRes{}) {
		t.Requests = df.Requests
	}
	if t.Limits == (floorRes{}) {
		t.Limits = df.Limits
	}
	if t.Retries == 0 {
		t.Retries = df.Retries
	}
	env := map[string]string{}
	for k, v := range df.Environment {
		env[k] = v
	}
	for k, v := range t.Environment {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kv := make([]*core.KeyValuePair, len(keys))
	for i, k := range keys {
		kv[i] = &core.KeyValuePair{Key: k, Value: env[k]}
	}
	sched, work := floorGroup{}, floorGroup{}
	if df.Dask.Workers != nil {
		work = *df.Dask.Workers
	}
	if t.Dask.Scheduler != nil {
		sched = *t.Dask.Scheduler
	}
	args := []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
		"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
		"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
		"--", "task-module", t.Python.Module, "task-name", t.Python.Function}
	return &admin.TaskSpec{
		Template: &core.TaskTemplate{
			Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Name: t.Name},
			Type: "dask",
			Metadata: &core.TaskMetadata{
				Runtime:       &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: version.Version, Flavor: "go"},
				Retries:       &core.RetryStrategy{Retries: uint32(t.Retries)},
				GeneratesDeck: wrapperspb.Bool(false),
				Metadata:      &core.K8SObjectMetadata{},
			},
			Interface: &core.TypedInterface{Inputs: floorVars(t.Inputs), Outputs: floorVars(t.Outputs)},
			Custom: &structpb.Struct{Fields: map[string]*structpb.Value{
				"scheduler": floorGroupValue(sched, false),
				"workers":   floorGroupValue(work, true),
			}},
			Target: &core.TaskTemplate_Container{Container: &core.Container{
				Image: t.Image,
				Args:  args,
				Resources: &core.Resources{
					Requests: floorEntries(t.Requests, core.Resources_CPU, core.Resources_MEMORY),
					Limits:   floorEntries(t.Limits, core.Resources_CPU, core.Resources_MEMORY),
				},
				Env: kv,
			}},
			Config: map[string]string{},
		},
		Description: &admin.DescriptionEntity{LongDescription: &admin.Description{Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}},
	}
}

// floorPackage is the floor: read the file, unmarshal it with the same YAML library, then build,
// marshal (deterministically) and write each task into a .tgz in turn. No validation, no line
// numbers, no atomic write.
func floorPackage(specPath, out string) error {
	data, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var doc floorDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	data = nil
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	width := len(strconv.Itoa(len(doc.Tasks) - 1))
	var buf []byte
	for i, t := range doc.Tasks {
		buf, err = proto.MarshalOptions{Deterministic: true}.MarshalAppend(buf[:0], floorSpec(&doc, t))
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%0*d_%s_1.pb", width, i, t.Name)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(buf))}); err != nil {
			return err
		}
		if _, err := tw.Write(buf); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// cliPackage runs `flytedask package -f specPath -o out` in process.
func cliPackage(specPath, out string) error {
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"package", "-f", specPath, "-o", out}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		return fmt.Errorf("flytedask package: exit %d: %s", code, stderr.String())
	}
	return nil
}

// childEnv selects, in a child process of the benchmark, which side TestPackageChild runs.
const childEnv = "FLYTEDASK_PACKAGE_BENCH_CHILD"

// childResult is what a child reports on stdout: the Go heap's high-water mark (sampled every
// 200 µs from runtime/metrics: live and not yet collected objects) and the bytes allocated.
type childResult struct {
	PeakHeap   uint64 `json:"peakHeap"`
	TotalAlloc uint64 `json:"totalAlloc"`
}

// TestPackageChild is not a test: the benchmark runs the test binary again with childEnv set
// ("floor SPEC OUT" or "cli SPEC OUT") to measure one side in a process of its own.
func TestPackageChild(t *testing.T) {
	args := strings.Fields(os.Getenv(childEnv))
	if len(args) != 3 {
		t.Skip("run by BenchmarkPackage10000Tasks")
	}
	run := map[string]func(string, string) error{"floor": floorPackage, "cli": cliPackage}[args[0]]
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	if err := run(args[1], args[2]); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-done
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if err := json.NewEncoder(os.Stdout).Encode(childResult{PeakHeap: peak.Load(), TotalAlloc: ms.TotalAlloc}); err != nil {
		t.Fatal(err)
	}
}

// childRun is one measured child process.
type childRun struct {
	childResult
	maxRSS uint64        // bytes
	cpu    time.Duration // user + system
}

func runChild(b *testing.B, side, specPath, out string) childRun {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPackageChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+side+" "+specPath+" "+out, "HOME="+b.TempDir(), "FLYTECTL_CONFIG=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s child: %v\n%s%s", side, err, stdout.String(), stderr.String())
	}
	var r childRun
	line := stdout.String()
	if i := strings.IndexByte(line, '{'); i >= 0 {
		line = line[i:]
	}
	if err := json.NewDecoder(strings.NewReader(line)).Decode(&r.childResult); err != nil {
		b.Fatalf("%s child output %q: %v", side, stdout.String(), err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r.maxRSS = uint64(ru.Maxrss) * 1024 // Linux reports KiB
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r
}

// BenchmarkPackage10000Tasks runs `flytedask package` of a generated 10,000-task spec (its tasks
// sharing one Dask configuration, as tasks taking it from defaults do, and every task's different)
// and the
// hand-written floor (floorPackage), each in a fresh process of the test binary, alternating which
// goes first, and reports the ratios to the floor of peak RSS (x-floor-rss), peak Go heap
// (x-floor-heap), bytes allocated (x-floor-alloc) and CPU time, user + system (x-floor-cpu), with the
// absolute figures of both. Run:
//
//	go test -run '^$' -bench BenchmarkPackage10000Tasks -benchtime 5x ./internal/cli
func BenchmarkPackage10000Tasks(b *testing.B) {
	for _, c := range []struct {
		name     string
		distinct bool
	}{{"configs=shared", false}, {"configs=distinct", true}} {
		b.Run(c.name, func(b *testing.B) { benchmarkPackage(b, c.distinct) })
	}
}

func benchmarkPackage(b *testing.B, distinct bool) {
	dir := b.TempDir()
	specPath := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(specPath, genSpec(10_000, distinct), 0o600); err != nil {
		b.Fatal(err)
	}
	var cli, floor childRun
	add := func(sum *childRun, r childRun) {
		sum.maxRSS += r.maxRSS
		sum.PeakHeap += r.PeakHeap
		sum.TotalAlloc += r.TotalAlloc
		sum.cpu += r.cpu
	}
	n := 0
	for i := 0; b.Loop(); i++ {
		n++
		for k := 0; k < 2; k++ {
			if (i+k)%2 == 0 {
				add(&floor, runChild(b, "floor", specPath, filepath.Join(dir, "floor.tgz")))
			} else {
				add(&cli, runChild(b, "cli", specPath, filepath.Join(dir, "cli.tgz")))
			}
		}
	}
	mib := func(v uint64) float64 { return float64(v) / float64(n) / (1 << 20) }
	b.ReportMetric(float64(cli.maxRSS)/float64(floor.maxRSS), "x-floor-rss")
	b.ReportMetric(float64(cli.PeakHeap)/float64(floor.PeakHeap), "x-floor-heap")
	b.ReportMetric(float64(cli.TotalAlloc)/float64(floor.TotalAlloc), "x-floor-alloc")
	b.ReportMetric(float64(cli.cpu)/float64(floor.cpu), "x-floor-cpu")
	b.ReportMetric(mib(cli.maxRSS), "rss-MiB")
	b.ReportMetric(mib(floor.maxRSS), "floor-rss-MiB")
	b.ReportMetric(mib(cli.PeakHeap), "heap-MiB")
	b.ReportMetric(mib(floor.PeakHeap), "floor-heap-MiB")
	b.ReportMetric(float64(cli.cpu.Milliseconds())/float64(n), "cpu-ms")
	b.ReportMetric(float64(floor.cpu.Milliseconds())/float64(n), "floor-cpu-ms")
}

// The floor does the same job: its bundle holds the same tasks, equal field by field.
func TestPackageFloorMatchesCLI(t *testing.T) {
	for _, distinct := range []bool{false, true} {
		t.Run(fmt.Sprintf("distinct=%v", distinct), func(t *testing.T) { testPackageFloorMatchesCLI(t, distinct) })
	}
}

func testPackageFloorMatchesCLI(t *testing.T, distinct bool) {
	dir := t.TempDir()
	specPath := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(specPath, genSpec(25, distinct), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	t.Setenv("FLYTECTL_CONFIG", "")
	floorOut, cliOut := filepath.Join(dir, "floor.tgz"), filepath.Join(dir, "cli.tgz")
	if err := floorPackage(specPath, floorOut); err != nil {
		t.Fatal(err)
	}
	if err := cliPackage(specPath, cliOut); err != nil {
		t.Fatal(err)
	}
	fb, err := bundle.ReadFile(floorOut)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := bundle.ReadFile(cliOut)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb.Tasks) != 25 || len(cb.Tasks) != 25 {
		t.Fatalf("tasks: floor %d, cli %d", len(fb.Tasks), len(cb.Tasks))
	}
	for i := range cb.Tasks {
		if fb.Tasks[i].Path != cb.Tasks[i].Path || !proto.Equal(fb.Tasks[i].Spec, cb.Tasks[i].Spec) {
			t.Fatalf("task %d differs:\nfloor %s %v\ncli   %s %v", i, fb.Tasks[i].Path, fb.Tasks[i].Spec, cb.Tasks[i].Path, cb.Tasks[i].Spec)
		}
	}
}
