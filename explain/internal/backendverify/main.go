// Command backendverify is a differential test of package explain against the real Flyte Dask
// plugin of the current backend (github.com/flyteorg/flyte/flyteplugins v1.16.8, the v1 line with
// ApplyK8sResourceOverrides). It reads JSON-lines case files: ../../testdata/backend_cases.jsonl
// (written by the explain package's TestBackendCasesGolden with -update) and
// testdata/bundle_cases.jsonl (every Dask task of every project bundle under two platforms,
// written by the main module's internal/backendcases TestCaseFilesUpToDate with -update). It runs
// every template and platform through the registered "dask" plugin's BuildResource with a mocked
// execution context (no node overrides, no cluster pod template, default k8s plugin config plus one
// interruptible toleration used to detect interruptible pods; storage paths are the arg templates
// themselves, so the job runner's args come back as written), and compares the pods and error
// texts with Explain's answers. The backend prints custom in proto text form inside unmarshal errors, so that
// bracketed part is normalised. Notes are Explain's own and not compared.
//
// It is a separate module because the plugin's dependencies (controller-runtime, k8s v0.34,
// flytestdlib, cloud SDKs) must not enter the main module. It imports explain (a replace to the
// main module in go.mod) for the pod summary types, so the backend's pods are summarised into the
// same explain.Pod that explain answers with; explain's answers themselves still come from the
// case files the main module writes. Run it with:
//
//	cd explain/internal/backendverify && go test ./...          # what make verify runs
//	cd explain/internal/backendverify && go run . [cases.jsonl ...]
//
// go run prints each mismatch and exits with status 1 if there is any.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"

	daskAPI "github.com/dask/dask-kubernetes/v2023/dask_kubernetes/operator/go_client/pkg/apis/kubernetes.dask.org/v1"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core/mocks"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/flytek8s/config"
	iomocks "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/io/mocks"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/k8s"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/dask"
	"github.com/flyteorg/flyte/flytestdlib/logger"
	"github.com/flyteorg/flyte/flytestdlib/storage"
	"github.com/stretchr/testify/mock"

	"github.com/flytedask/flytedask/explain"
	"google.golang.org/protobuf/proto"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Case is one line of backend_cases.jsonl: a template, a platform and explain's answer (the job, of
// which the pods are compared, or the error text).
type Case struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	PlatReq  map[string]string `json:"platReq"`
	PlatLim  map[string]string `json:"platLim"`
	Job      *explain.Job      `json:"job,omitempty"`
	Err      string            `json:"err,omitempty"`
}

// pods returns the compared part of a job: its pods (explain's notes are its own).
func pods(j *explain.Job) []explain.Pod {
	if j == nil {
		return nil
	}
	return j.Pods
}

// interruptibleToleration is configured as the k8s plugin's interruptible toleration; a pod that
// carries it was built as interruptible.
var interruptibleToleration = v1.Toleration{Key: "interruptible", Value: "true", Effect: v1.TaintEffectNoSchedule, Operator: v1.TolerationOpEqual}

func list(m map[string]string) v1.ResourceList {
	out := v1.ResourceList{}
	for k, v := range m {
		out[v1.ResourceName(k)] = resource.MustParse(v)
	}
	return out
}

func ctxFor(tmpl *core.TaskTemplate, platform *v1.ResourceRequirements) *mocks.TaskExecutionContext {
	tc := &mocks.TaskExecutionContext{}
	in := &iomocks.InputReader{}
	in.On("GetInputPrefixPath").Return(storage.DataReference("{{.inputPrefix}}")).Maybe()
	in.On("GetInputPath").Return(storage.DataReference("{{.input}}")).Maybe()
	in.On("Get", mock.Anything).Return(&core.LiteralMap{}, nil).Maybe()
	tc.On("InputReader").Return(in).Maybe()
	out := &iomocks.OutputWriter{}
	out.On("GetOutputPath").Return(storage.DataReference("/data/outputs.pb")).Maybe()
	out.On("GetOutputPrefixPath").Return(storage.DataReference("{{.outputPrefix}}")).Maybe()
	out.On("GetRawOutputPrefix").Return(storage.DataReference("{{.rawOutputDataPrefix}}")).Maybe()
	out.On("GetCheckpointPrefix").Return(storage.DataReference("{{.checkpointOutputPrefix}}")).Maybe()
	out.On("GetPreviousCheckpointsPrefix").Return(storage.DataReference("{{.prevCheckpointPrefix}}")).Maybe()
	tc.On("OutputWriter").Return(out).Maybe()
	tr := &mocks.TaskReader{}
	tr.On("Read", mock.Anything).Return(tmpl, nil).Maybe()
	tc.On("TaskReader").Return(tr).Maybe()
	tid := &mocks.TaskExecutionID{}
	tid.On("GetID").Return(core.TaskExecutionIdentifier{NodeExecutionId: &core.NodeExecutionIdentifier{ExecutionId: &core.WorkflowExecutionIdentifier{Name: "n", Project: "p", Domain: "d"}}}).Maybe()
	tid.On("GetGeneratedName").Return("some-acceptable-name").Maybe()
	tid.On("GetUniqueNodeID").Return("u").Maybe()
	md := &mocks.TaskExecutionMetadata{}
	md.On("GetTaskExecutionID").Return(tid).Maybe()
	md.On("GetAnnotations").Return(map[string]string{}).Maybe()
	md.On("GetLabels").Return(map[string]string{}).Maybe()
	md.On("GetPlatformResources").Return(platform).Maybe()
	md.On("GetMaxAttempts").Return(uint32(1)).Maybe()
	md.On("IsInterruptible").Return(tmpl.GetMetadata().GetInterruptible()).Maybe()
	md.On("GetEnvironmentVariables").Return(nil).Maybe()
	md.On("GetK8sServiceAccount").Return("sa").Maybe()
	md.On("GetNamespace").Return("ns").Maybe()
	md.On("GetConsoleURL").Return("").Maybe()
	md.On("GetSecurityContext").Return(core.SecurityContext{}).Maybe()
	md.On("GetOwnerID").Return(nil).Maybe()
	ov := &mocks.TaskOverrides{}
	ov.On("GetResources").Return(&v1.ResourceRequirements{}).Maybe()
	ov.On("GetExtendedResources").Return(nil).Maybe()
	ov.On("GetPodTemplate").Return(nil).Maybe()
	ov.On("GetContainerImage").Return("").Maybe()
	ov.On("GetConfig").Return(nil).Maybe()
	md.On("GetOverrides").Return(ov).Maybe()
	tc.On("TaskExecutionMetadata").Return(md).Maybe()
	return tc
}

func strs(l v1.ResourceList) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		out[string(k)] = v.String()
	}
	return out
}

// podOf summarises a pod the backend built as explain.Pod does.
func podOf(role string, spec v1.PodSpec, replicas int) explain.Pod {
	c := spec.Containers[0]
	for _, cc := range spec.Containers {
		if cc.Name == explain.ContainerJobRunner || cc.Name == explain.ContainerScheduler || cc.Name == explain.ContainerWorker {
			c = cc
		}
	}
	p := explain.Pod{Role: role, ContainerName: c.Name, Image: c.Image, Command: c.Command, Args: c.Args,
		Requests: strs(c.Resources.Requests), Limits: strs(c.Resources.Limits), Replicas: replicas,
		RestartPolicy: string(spec.RestartPolicy)}
	for _, t := range spec.Tolerations {
		if reflect.DeepEqual(t, interruptibleToleration) {
			p.Interruptible = true
			continue // configured by the platform: explain reports it as Interruptible
		}
		p.Tolerations = append(p.Tolerations, explain.Toleration{Key: t.Key, Operator: string(t.Operator), Value: t.Value, Effect: string(t.Effect)})
	}
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			var ours explain.NodeSelectorTerm
			for _, r := range term.MatchExpressions {
				ours.MatchExpressions = append(ours.MatchExpressions, explain.NodeRequirement{Key: r.Key, Operator: string(r.Operator), Values: r.Values})
			}
			p.NodeAffinity = append(p.NodeAffinity, ours)
		}
	}
	for _, v := range spec.Volumes {
		vol := explain.Volume{Name: v.Name}
		if ed := v.EmptyDir; ed != nil {
			vol.EmptyDir = &explain.EmptyDir{Medium: string(ed.Medium)}
			if ed.SizeLimit != nil {
				vol.EmptyDir.SizeLimit = ed.SizeLimit.String()
			}
		}
		p.Volumes = append(p.Volumes, vol)
	}
	for _, m := range c.VolumeMounts {
		p.VolumeMounts = append(p.VolumeMounts, explain.VolumeMount{Name: m.Name, MountPath: m.MountPath})
	}
	for _, port := range c.Ports {
		p.Ports = append(p.Ports, explain.Port{Name: port.Name, Port: port.ContainerPort})
	}
	if len(p.Args) == 0 {
		p.Args = nil
	}
	return p
}

var customRe = regexp.MustCompile(`invalid TaskSpecification \[.*\], failed to unmarshal`)

// DefaultCaseFiles are the case files main reads when given no arguments, relative to this directory:
// explain's own cases, and one case per Dask task of every project bundle and platform (written by
// the main module's internal/backendcases TestCaseFilesUpToDate -update).
var DefaultCaseFiles = []string{"../../testdata/backend_cases.jsonl", "testdata/bundle_cases.jsonl"}

// daskPlugin configures the k8s plugin config (one interruptible toleration, see
// interruptibleToleration), silences the backend's info logs (one per resource resolution) and
// returns the registered "dask" plugin.
func daskPlugin() (*k8s.PluginEntry, error) {
	if err := logger.SetConfig(&logger.Config{Level: logger.ErrorLevel}); err != nil {
		return nil, fmt.Errorf("set logger config: %w", err)
	}
	cfg := *config.GetK8sPluginConfig()
	cfg.InterruptibleTolerations = []v1.Toleration{interruptibleToleration}
	if err := config.SetK8sPluginConfig(&cfg); err != nil {
		return nil, fmt.Errorf("set k8s plugin config: %w", err)
	}
	for _, e := range pluginmachinery.PluginRegistry().GetK8sPlugins() {
		if e.ID == "dask" {
			return &e, nil
		}
	}
	return nil, errors.New("dask plugin not registered")
}

// verifyFile runs every case of the JSON-lines file at path through the plugin and compares the
// result with the case's expected job or error. It returns the number of cases and one message per
// mismatch, sorted. An error means the file could not be read or parsed.
func verifyFile(entry *k8s.PluginEntry, path string) (total int, failed []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return total, failed, fmt.Errorf("%s: line %d: %w", path, total+1, err)
		}
		b, err := base64.StdEncoding.DecodeString(c.Template)
		if err != nil {
			return total, failed, fmt.Errorf("%s: %s: template: %w", path, c.Name, err)
		}
		var tmpl *core.TaskTemplate
		if len(b) > 0 {
			tmpl = &core.TaskTemplate{}
			if err := proto.Unmarshal(b, tmpl); err != nil {
				return total, failed, fmt.Errorf("%s: %s: template: %w", path, c.Name, err)
			}
		}
		platform := &v1.ResourceRequirements{Requests: list(c.PlatReq), Limits: list(c.PlatLim)}
		real := runCase(entry, tmpl, platform)
		total++
		var ours, theirs any = c.Err, real.Err
		if c.Job != nil || real.Job != nil {
			ours, theirs = pods(c.Job), pods(real.Job)
		}
		if c.Err != "" && real.Err != "" {
			ours, theirs = c.Err, real.Err
		}
		if s, ok := ours.(string); ok {
			ours = customRe.ReplaceAllString(s, "invalid TaskSpecification [CUSTOM], failed to unmarshal")
		}
		if s, ok := theirs.(string); ok {
			theirs = customRe.ReplaceAllString(s, "invalid TaskSpecification [CUSTOM], failed to unmarshal")
		}
		oj, _ := json.Marshal(ours)
		tj, _ := json.Marshal(theirs)
		if string(oj) != string(tj) {
			failed = append(failed, fmt.Sprintf("%s\n  explain: %s %s\n  backend: %s %s", c.Name, oj, c.Err, tj, real.Err))
		}
	}
	if err := sc.Err(); err != nil {
		return total, failed, fmt.Errorf("%s: %w", path, err)
	}
	sort.Strings(failed)
	return total, failed, nil
}

// runCase builds tmpl with the real plugin; a panic becomes an Err starting with "PANIC: ".
func runCase(entry *k8s.PluginEntry, tmpl *core.TaskTemplate, platform *v1.ResourceRequirements) (real Case) {
	defer func() {
		if r := recover(); r != nil {
			real.Err = fmt.Sprintf("PANIC: %v", r)
		}
	}()
	obj, err := entry.Plugin.BuildResource(context.Background(), ctxFor(tmpl, platform))
	if err != nil {
		real.Err = err.Error()
		return real
	}
	dj, ok := obj.(*daskAPI.DaskJob)
	if !ok {
		real.Err = fmt.Sprintf("BuildResource returned %T", obj)
		return real
	}
	real.Job = &explain.Job{Pods: []explain.Pod{
		podOf(explain.RoleJobRunner, dj.Spec.Job.Spec, 1),
		podOf(explain.RoleScheduler, dj.Spec.Cluster.Spec.Scheduler.Spec, 1),
		podOf(explain.RoleWorker, dj.Spec.Cluster.Spec.Worker.Spec, dj.Spec.Cluster.Spec.Worker.Replicas),
	}}
	return real
}

func main() {
	entry, err := daskPlugin()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	paths := os.Args[1:]
	if len(paths) == 0 {
		paths = DefaultCaseFiles
	}
	bad := false
	for _, path := range paths {
		total, failed, err := verifyFile(entry, path)
		for _, f := range failed {
			fmt.Println(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("%s: %d cases, %d mismatches\n", path, total, len(failed))
		if len(failed) > 0 || total == 0 {
			bad = true
		}
	}
	if bad {
		os.Exit(1)
	}
}
