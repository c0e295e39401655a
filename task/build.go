package task

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/flytedask/flytedask/internal/taskhook"
	"github.com/flytedask/flytedask/internal/version"
	"github.com/flytedask/flytedask/resources"
)

// RuntimeFlavor is metadata.runtime.flavor of every task this SDK builds
// (flytekit writes "python").
const RuntimeFlavor = "go"

// PrimaryContainerNameKey is the TaskTemplate.config key naming the primary
// container of a pod-template task.
const PrimaryContainerNameKey = "primary_container_name"

// resolverArgs is flytekit's PythonAutoContainerTask command line, up to the
// task loader arguments (flytekit/core/python_auto_container.py).
var resolverArgs = []string{
	"pyflyte-execute",
	"--inputs", "{{.input}}",
	"--output-prefix", "{{.outputPrefix}}",
	"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}",
	"--checkpoint-path", "{{.checkpointOutputPrefix}}",
	"--prev-checkpoint", "{{.prevCheckpointPrefix}}",
	"--resolver", "flytekit.core.python_auto_container.default_task_resolver",
	"--",
}

// Build validates t and returns the admin.TaskSpec to register, with s
// giving project, domain and version. Invalid input gives a
// *field.ValidationError with every problem; see Validate.
//
// The template matches flytekit's serialisation of a DaskTask field by
// field: id (TASK), type "dask", task_type_version 0, metadata (runtime
// {FLYTE_SDK, flytedask's version, "go"}, retries always present, timeout,
// interruptible only when set, cache with its ignored inputs, deprecation,
// pod_template_name, generates_deck always as a BoolValue, the
// K8sObjectMetadata message always, is_eager false, no tags), interface (a
// variable's description defaults to its name), custom (the DaskJob; see
// dask.Config.Custom), a container (or a k8s_pod target with
// config["primary_container_name"] when a pod template is set), the
// security context when secrets are requested, extended_resources when an
// accelerator or shared memory is set, and TaskSpec.description (always, as
// for every flytekit function task).
func (t Task) Build(s Settings) (*admin.TaskSpec, error) {
	if err := t.Validate(s); err != nil {
		return nil, err
	}
	return t.build(s, nil)
}

func (t Task) build(s Settings, customs *taskhook.Customs) (*admin.TaskSpec, error) {
	custom, err := customs.Custom(t.Dask)
	if err != nil {
		return nil, err
	}
	tmpl := &core.TaskTemplate{
		Id: &core.Identifier{
			ResourceType: core.ResourceType_TASK,
			Project:      s.Project,
			Domain:       s.Domain,
			Name:         t.Name,
			Version:      s.Version,
		},
		Type:      TaskType,
		Metadata:  t.metadata(),
		Interface: t.Interface(),
		Custom:    custom,
		Config:    map[string]string{},
	}
	container := t.container()
	if t.PodTemplate == nil {
		tmpl.Target = &core.TaskTemplate_Container{Container: container}
	} else {
		pod, err := t.PodTemplate.k8sPod(container)
		if err != nil {
			return nil, err
		}
		tmpl.Target = &core.TaskTemplate_K8SPod{K8SPod: pod}
		tmpl.Config[PrimaryContainerNameKey] = t.PodTemplate.primaryName()
	}
	if len(t.Secrets) > 0 {
		secrets := make([]*core.Secret, len(t.Secrets))
		for i, sec := range t.Secrets {
			secrets[i] = &core.Secret{
				Group:            sec.Group,
				GroupVersion:     sec.GroupVersion,
				Key:              sec.Key,
				MountRequirement: sec.MountRequirement.proto(),
			}
		}
		tmpl.SecurityContext = &core.SecurityContext{Secrets: secrets}
	}
	tmpl.ExtendedResources = t.extendedResources()
	return &admin.TaskSpec{Template: tmpl, Description: t.description()}, nil
}

// extendedResources mirrors flytekit's construct_extended_resources
// (flytekit/core/resources.py, v1.16.24): nil when neither an accelerator
// nor shared memory is set; the shared memory always has flytekit's mount
// name and path, and a size limit only when one is given.
func (t Task) extendedResources() *core.ExtendedResources {
	if t.Accelerator == nil && t.SharedMemory == nil {
		return nil
	}
	er := &core.ExtendedResources{}
	if a := t.Accelerator; a != nil {
		// MultiInstanceGPUAccelerator.to_flyte_idl (flytekit/extras/accelerators.py):
		// the oneof is set only for a partition or for .unpartitioned.
		er.GpuAccelerator = &core.GPUAccelerator{Device: a.Device}
		switch {
		case a.PartitionSize != "":
			er.GpuAccelerator.PartitionSizeValue = &core.GPUAccelerator_PartitionSize{PartitionSize: a.PartitionSize}
		case a.Unpartitioned:
			er.GpuAccelerator.PartitionSizeValue = &core.GPUAccelerator_Unpartitioned{Unpartitioned: true}
		}
	}
	if sm := t.SharedMemory; sm != nil {
		er.SharedMemory = &core.SharedMemory{
			MountPath: SharedMemoryMountPath,
			MountName: SharedMemoryMountName,
			SizeLimit: sm.SizeLimit,
		}
	}
	return er
}

// description mirrors flytekit (flytekit/core/base_task.py:546-551 and
// flytekit/models/documentation.py, v1.16.24): a PythonFunctionTask always
// has a docstring object, so TaskSpec.description is always written, with
// the short description when there is one and a long description whose
// format is RST and whose value is set only when non-empty.
func (t Task) description() *admin.DescriptionEntity {
	long := &admin.Description{Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}
	if t.LongDescription != "" {
		long.Content = &admin.Description_Value{Value: t.LongDescription}
	}
	return &admin.DescriptionEntity{ShortDescription: t.ShortDescription, LongDescription: long}
}

func (m MountRequirement) proto() core.Secret_MountType {
	switch m {
	case MountEnvVar:
		return core.Secret_ENV_VAR
	case MountFile:
		return core.Secret_FILE
	}
	return core.Secret_ANY
}

func (t Task) metadata() *core.TaskMetadata {
	md := &core.TaskMetadata{
		Runtime: &core.RuntimeMetadata{
			Type:    core.RuntimeMetadata_FLYTE_SDK,
			Version: version.Version,
			Flavor:  RuntimeFlavor,
		},
		Retries:                &core.RetryStrategy{Retries: uint32(t.Retries)},
		DeprecatedErrorMessage: t.Deprecated,
		PodTemplateName:        t.PodTemplateName,
		// flytekit/models/task.py (v1.16.24) always writes generates_deck as a
		// BoolValue (false unless enable_deck) and the K8sObjectMetadata
		// message (empty unless @task(labels=, annotations=)). is_eager stays
		// false: only @eager tasks set it. tags are never written by flytekit.
		GeneratesDeck: wrapperspb.Bool(t.EnableDeck),
		Metadata:      &core.K8SObjectMetadata{Labels: maps.Clone(t.Labels), Annotations: maps.Clone(t.Annotations)},
	}
	if t.Timeout > 0 {
		md.Timeout = durationpb.New(t.Timeout)
	}
	if t.Interruptible != nil {
		md.InterruptibleValue = &core.TaskMetadata_Interruptible{Interruptible: *t.Interruptible}
	}
	if t.Cache != nil {
		md.Discoverable = true
		md.DiscoveryVersion = t.Cache.Version
		md.CacheSerializable = t.Cache.Serialize
		md.CacheIgnoreInputVars = slices.Clone(t.Cache.IgnoredInputs)
	}
	return md
}

// Interface returns the task's typed interface exactly as Build writes it
// into template.interface (a description defaults to the variable's name).
// Launch plans and executions convert their inputs by it (package literal);
// it is built fresh on every call.
func (t Task) Interface() *core.TypedInterface {
	return &core.TypedInterface{Inputs: variableMap(t.Inputs), Outputs: variableMap(t.Outputs)}
}

func variableMap(vars []Variable) *core.VariableMap {
	m := make(map[string]*core.Variable, len(vars))
	for _, v := range vars {
		desc := v.Description
		if desc == "" {
			desc = v.Name
		}
		m[v.Name] = &core.Variable{Type: v.Type.literalType(), Description: desc}
	}
	return &core.VariableMap{Variables: m}
}

// args returns the container args. A raw Command is written in front of
// Args and the container command stays empty, as flytekit always leaves it:
// the Dask backend replaces only the args of the scheduler and worker
// containers, so a container command would be inherited by them and run
// instead of dask-scheduler / dask-worker.
func (t Task) args() []string {
	if t.Python == nil {
		if len(t.Command) == 0 {
			return slices.Clone(t.Args) // the spec must not alias the caller's slice
		}
		return append(append(make([]string, 0, len(t.Command)+len(t.Args)), t.Command...), t.Args...)
	}
	args := make([]string, 0, len(resolverArgs)+4)
	args = append(args, resolverArgs...)
	return append(args, "task-module", t.Python.Module, "task-name", t.Python.Function)
}

func (t Task) container() *core.Container {
	c := &core.Container{
		Image:     t.Image,
		Args:      t.args(),
		Resources: resources.ContainerProto(t.Requests, t.Limits),
	}
	if len(t.Environment) > 0 {
		keys := slices.Sorted(maps.Keys(t.Environment))
		c.Env = make([]*core.KeyValuePair, len(keys))
		for i, k := range keys {
			c.Env[i] = &core.KeyValuePair{Key: k, Value: t.Environment[k]}
		}
	}
	return c
}

// k8sResourceNames are flytekit's names for pod-spec resources
// (_sanitize_resource_name: the enum name, lower case, '_' → '-').
var k8sResourceNames = map[core.Resources_ResourceName]string{
	core.Resources_CPU:               "cpu",
	core.Resources_MEMORY:            "memory",
	core.Resources_GPU:               "gpu",
	core.Resources_EPHEMERAL_STORAGE: "ephemeral-storage",
}

// k8sPod renders the pod template as flytekit's _serialize_pod_spec does:
// the primary container (added if absent) gets the task image unless it has
// its own, the task's command and args, the task's resources when any are
// set (quantities kept verbatim), and the task's environment before its own.
func (pt *PodTemplate) k8sPod(primary *core.Container) (*core.K8SPod, error) {
	raw, err := json.Marshal(&pt.Spec)
	if err != nil {
		return nil, fmt.Errorf("pod_template.spec: %w", err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("pod_template.spec: %w", err)
	}
	containers, _ := spec["containers"].([]any)
	var pc map[string]any
	for _, c := range containers {
		if m, ok := c.(map[string]any); ok && m["name"] == pt.primaryName() {
			pc = m
			break
		}
	}
	if pc == nil {
		pc = map[string]any{"name": pt.primaryName()} // flytekit: V1Container(name=...), no resources key
		containers = append(containers, pc)
	}
	if img, _ := pc["image"].(string); img == "" {
		pc["image"] = primary.Image
	}
	pc["command"] = stringsToAny(primary.Command)
	pc["args"] = stringsToAny(primary.Args)
	if len(primary.Resources.Requests)+len(primary.Resources.Limits) > 0 {
		res := map[string]any{}
		for key, list := range map[string][]*core.Resources_ResourceEntry{"requests": primary.Resources.Requests, "limits": primary.Resources.Limits} {
			if len(list) == 0 {
				continue
			}
			m := map[string]any{}
			for _, e := range list {
				m[k8sResourceNames[e.Name]] = e.Value
			}
			res[key] = m
		}
		pc["resources"] = res
	}
	// flytekit's container env is never None ({} when unset), so the primary
	// container always gets env = task env + its own, "env": [] when both are
	// empty (flytekit/core/utils.py _serialize_pod_spec, v1.16.24).
	env := make([]any, 0, len(primary.Env))
	for _, kv := range primary.Env {
		env = append(env, map[string]any{"name": kv.Key, "value": kv.Value})
	}
	if own, ok := pc["env"].([]any); ok {
		env = append(env, own...)
	}
	pc["env"] = env
	spec["containers"] = containers
	st, err := structpb.NewStruct(spec)
	if err != nil {
		return nil, fmt.Errorf("pod_template.spec: %w", err)
	}
	// flytekit always sets the metadata message, even when both maps are empty.
	return &core.K8SPod{PodSpec: st, Metadata: &core.K8SObjectMetadata{Labels: maps.Clone(pt.Labels), Annotations: maps.Clone(pt.Annotations)}}, nil
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
