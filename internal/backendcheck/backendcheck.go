// Package backendcheck runs the real Flyte backend code on Dask TaskTemplates, offline.
//
// It links two pieces of the Flyte v1 backend at the versions pinned together with flyteidl v1.5.21:
//
//   - flytepropeller v1.1.129 pkg/compiler.CompileTask, which is what FlyteAdmin runs on CreateTask
//     (see [Compile]);
//   - the flyteplugins v1.1.31 Dask plugin's BuildResource, which is what FlytePropeller runs when it launches
//     a Dask task (see [Build]). The plugin is found through the plugin registry, exactly as propeller finds
//     it, and is fed a TaskExecutionContext built from flyteplugins' own mockery mocks, the way the plugin's
//     own dask_test.go does.
//
// These versions predate the current backend (Flyte >= v1.15.1): see README.md in this folder for the
// differences, each confirmed by a test.
//
// This package lives in its own Go module so that its heavy dependencies (k8s client-go, controller-runtime,
// cloud storage SDKs) never enter the main flytedask module.
package backendcheck

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	daskAPI "github.com/dask/dask-kubernetes/v2023/dask_kubernetes/operator/go_client/pkg/apis/kubernetes.dask.org/v1"
	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery"
	pluginsCore "github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/core"
	"github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/core/mocks"
	"github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/flytek8s/config"
	pluginIOMocks "github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/io/mocks"
	"github.com/flyteorg/flyteplugins/go/tasks/pluginmachinery/k8s"
	"github.com/flyteorg/flytepropeller/pkg/compiler"
	"github.com/flyteorg/flytestdlib/storage"
	"github.com/stretchr/testify/mock"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	// Registers the real Dask plugin (ID "dask") with pluginmachinery.PluginRegistry().
	_ "github.com/flyteorg/flyteplugins/go/tasks/plugins/k8s/dask"
)

// DaskPluginID is the ID under which flyteplugins registers its Dask K8s plugin.
const DaskPluginID = "dask"

// Default values used by [Build] for the fake execution when [Options] leaves them empty.
const (
	DefaultGeneratedName  = "backendcheck-exec-n0-0"
	DefaultNamespace      = "flytesnacks-development"
	DefaultServiceAccount = "default"
)

// ErrPanic is wrapped by the error [Build] or [Compile] returns when the backend code panicked instead of
// returning an error. Test for it with errors.Is; use errors.As with *[PanicError] for the details.
var ErrPanic = errors.New("backend code panicked")

// ErrNoDaskPlugin is returned by [Build] when no K8s plugin with ID "dask" is registered.
var ErrNoDaskPlugin = errors.New("dask plugin not registered")

// PanicError records a panic recovered from backend code.
type PanicError struct {
	// Op names the backend step that panicked, e.g. "BuildResource".
	Op string
	// Value is the value passed to panic.
	Value any
	// Stack is the goroutine stack at the time of the panic.
	Stack []byte
}

// Error implements error. It always says that this was a panic.
func (e *PanicError) Error() string {
	return fmt.Sprintf("backendcheck: %s: %v: %v", e.Op, ErrPanic, e.Value)
}

// Unwrap makes errors.Is(err, ErrPanic) true.
func (e *PanicError) Unwrap() error { return ErrPanic }

// Options describes the execution environment propeller would supply to the Dask plugin.
type Options struct {
	// Resources are the node-level resource overrides, i.e. what
	// TaskExecutionMetadata().GetOverrides().GetResources() returns. In production propeller always
	// supplies a non-nil value; Build always passes a non-nil pointer (to an empty value if this is empty).
	// They are merged over the task container's resources for all three pods.
	Resources v1.ResourceRequirements
	// PlatformResources are the platform default requests and limits (GetPlatformResources()). Missing
	// requests fall back to the k8s plugin config defaults (cpu 1000m, memory 1024Mi); limits cap the
	// resolved values.
	PlatformResources v1.ResourceRequirements
	// Interruptible is what IsInterruptible() reports (in production: the task's metadata.interruptible,
	// possibly overridden by the workflow and the retry budget).
	Interruptible bool
	// InterruptibleTolerations, InterruptibleNodeSelector and InterruptibleNodeSelectorRequirement are the
	// k8s plugin config values that make a pod "interruptible". They are applied to the plugin's global config
	// for the duration of Build. When all are empty, [DefaultInterruptibleTolerations] and
	// [DefaultInterruptibleNodeSelector] are used so that interruptible pods are recognisable.
	InterruptibleTolerations             []v1.Toleration
	InterruptibleNodeSelector            map[string]string
	InterruptibleNodeSelectorRequirement *v1.NodeSelectorRequirement
	// GeneratedName is the execution's generated name (also the Dask cluster name). Empty means
	// [DefaultGeneratedName].
	GeneratedName string
	// Namespace of the execution. Empty means [DefaultNamespace].
	Namespace string
	// Labels and Annotations of the execution.
	Labels      map[string]string
	Annotations map[string]string
}

// DefaultInterruptibleTolerations is used when [Options] sets no interruptible configuration.
var DefaultInterruptibleTolerations = []v1.Toleration{{
	Key:      "flyte.org/interruptible",
	Operator: v1.TolerationOpEqual,
	Value:    "true",
	Effect:   v1.TaintEffectNoSchedule,
}}

// DefaultInterruptibleNodeSelector is used when [Options] sets no interruptible configuration.
var DefaultInterruptibleNodeSelector = map[string]string{"flyte.org/interruptible": "true"}

// Fake storage locations rendered into the job-runner's pyflyte-execute arguments.
const (
	FakeInputPrefix      = "s3://backendcheck/metadata/inputs"
	FakeOutputPrefix     = "s3://backendcheck/metadata/outputs"
	FakeRawOutputPrefix  = "s3://backendcheck/raw"
	FakeCheckpointPrefix = "s3://backendcheck/checkpoint"
	FakeTaskTemplatePath = "s3://backendcheck/metadata/task.pb"
)

var (
	// buildMu serialises Build: the k8s plugin config is a process-wide global.
	buildMu sync.Mutex
	// baseK8sConfig is the flyteplugins default k8s plugin config, captured before Build changes it.
	baseK8sConfig = *config.GetK8sPluginConfig()
)

// Compile runs flytepropeller's compiler.CompileTask on tmpl, the check FlyteAdmin performs on CreateTask.
// Compile errors are returned wrapped; a panic is returned as a *[PanicError].
func Compile(tmpl *core.TaskTemplate) (err error) {
	if tmpl == nil {
		return errors.New("backendcheck: Compile: nil TaskTemplate")
	}
	defer recoverInto(&err, "CompileTask")
	if _, err := compiler.CompileTask(tmpl); err != nil {
		return fmt.Errorf("backendcheck: CompileTask: %w", err)
	}
	return nil
}

// Build runs the real flyteplugins v1.1.31 Dask plugin's BuildResource on tmpl and returns the DaskJob it
// produces. Errors from the plugin are returned wrapped; a panic is returned as a *[PanicError] (so
// errors.Is(err, ErrPanic) holds).
func Build(ctx context.Context, tmpl *core.TaskTemplate, opts Options) (job *daskAPI.DaskJob, err error) {
	plugin, err := daskPlugin()
	if err != nil {
		return nil, err
	}

	buildMu.Lock()
	defer buildMu.Unlock()
	defer recoverInto(&err, "BuildResource")

	cfg := baseK8sConfig
	cfg.InterruptibleTolerations = opts.InterruptibleTolerations
	cfg.InterruptibleNodeSelector = opts.InterruptibleNodeSelector
	cfg.InterruptibleNodeSelectorRequirement = opts.InterruptibleNodeSelectorRequirement
	if len(cfg.InterruptibleTolerations) == 0 && len(cfg.InterruptibleNodeSelector) == 0 &&
		cfg.InterruptibleNodeSelectorRequirement == nil {
		cfg.InterruptibleTolerations = DefaultInterruptibleTolerations
		cfg.InterruptibleNodeSelector = DefaultInterruptibleNodeSelector
	}
	if err := config.SetK8sPluginConfig(&cfg); err != nil {
		return nil, fmt.Errorf("backendcheck: set k8s plugin config: %w", err)
	}
	defer func() {
		base := baseK8sConfig
		_ = config.SetK8sPluginConfig(&base)
	}()

	obj, err := plugin.BuildResource(ctx, taskContext(tmpl, opts))
	if err != nil {
		return nil, fmt.Errorf("backendcheck: BuildResource: %w", err)
	}
	job, ok := obj.(*daskAPI.DaskJob)
	if !ok {
		return nil, fmt.Errorf("backendcheck: BuildResource returned %T, want *DaskJob", obj)
	}
	return job, nil
}

func daskPlugin() (k8s.Plugin, error) {
	for _, e := range pluginmachinery.PluginRegistry().GetK8sPlugins() {
		if e.ID == DaskPluginID {
			return e.Plugin, nil
		}
	}
	return nil, ErrNoDaskPlugin
}

func recoverInto(err *error, op string) {
	if r := recover(); r != nil {
		*err = &PanicError{Op: op, Value: r, Stack: debug.Stack()}
	}
}

// taskContext builds the TaskExecutionContext from flyteplugins' mockery mocks, following
// dask_test.go's dummyDaskTaskContext (v1.1.31), plus the remaining TaskExecutionMetadata getters so that
// templates using them do not hit an unexpected mock call.
func taskContext(tmpl *core.TaskTemplate, opts Options) pluginsCore.TaskExecutionContext {
	generatedName := opts.GeneratedName
	if generatedName == "" {
		generatedName = DefaultGeneratedName
	}
	namespace := opts.Namespace
	if namespace == "" {
		namespace = DefaultNamespace
	}
	labels := opts.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	annotations := opts.Annotations
	if annotations == nil {
		annotations = map[string]string{}
	}

	taskCtx := &mocks.TaskExecutionContext{}

	inputReader := &pluginIOMocks.InputReader{}
	inputReader.OnGetInputPrefixPath().Return(storage.DataReference(FakeInputPrefix))
	inputReader.OnGetInputPath().Return(storage.DataReference(FakeInputPrefix + "/inputs.pb"))
	inputReader.OnGetMatch(mock.Anything).Return(&core.LiteralMap{}, nil)
	taskCtx.OnInputReader().Return(inputReader)

	outputWriter := &pluginIOMocks.OutputWriter{}
	outputWriter.OnGetOutputPath().Return(storage.DataReference(FakeOutputPrefix + "/outputs.pb"))
	outputWriter.OnGetOutputPrefixPath().Return(storage.DataReference(FakeOutputPrefix))
	outputWriter.OnGetRawOutputPrefix().Return(storage.DataReference(FakeRawOutputPrefix))
	outputWriter.OnGetCheckpointPrefix().Return(storage.DataReference(FakeCheckpointPrefix))
	outputWriter.OnGetPreviousCheckpointsPrefix().Return(storage.DataReference(""))
	taskCtx.On("OutputWriter").Return(outputWriter)

	taskReader := &mocks.TaskReader{}
	taskReader.OnReadMatch(mock.Anything).Return(tmpl, nil)
	taskReader.OnPathMatch(mock.Anything).Return(storage.DataReference(FakeTaskTemplatePath), nil)
	taskCtx.OnTaskReader().Return(taskReader)

	tID := &mocks.TaskExecutionID{}
	tID.OnGetID().Return(core.TaskExecutionIdentifier{
		TaskId: tmpl.GetId(),
		NodeExecutionId: &core.NodeExecutionIdentifier{
			NodeId: "n0",
			ExecutionId: &core.WorkflowExecutionIdentifier{
				Name:    "backendcheck-exec",
				Project: "flytesnacks",
				Domain:  "development",
			},
		},
	})
	tID.On("GetGeneratedName").Return(generatedName)

	overrideResources := opts.Resources.DeepCopy()
	platformResources := opts.PlatformResources.DeepCopy()

	md := &mocks.TaskExecutionMetadata{}
	md.OnGetTaskExecutionID().Return(tID)
	md.OnGetAnnotations().Return(annotations)
	md.OnGetLabels().Return(labels)
	md.OnGetPlatformResources().Return(platformResources)
	md.OnGetMaxAttempts().Return(uint32(1))
	md.OnIsInterruptible().Return(opts.Interruptible)
	md.OnGetInterruptibleFailureThreshold().Return(uint32(0))
	md.OnGetEnvironmentVariables().Return(nil)
	md.OnGetK8sServiceAccount().Return(DefaultServiceAccount)
	md.OnGetSecurityContext().Return(core.SecurityContext{})
	md.OnGetNamespace().Return(namespace)
	md.OnGetOwnerID().Return(types.NamespacedName{Namespace: namespace, Name: "backendcheck-exec"})
	md.OnGetOwnerReference().Return(metav1.OwnerReference{Kind: "FlyteWorkflow", Name: "backendcheck-exec"})
	overrides := &mocks.TaskOverrides{}
	overrides.OnGetResources().Return(overrideResources)
	overrides.OnGetConfig().Return(nil)
	md.OnGetOverrides().Return(overrides)
	taskCtx.On("TaskExecutionMetadata").Return(md)
	return taskCtx
}
