package task

import (
	"encoding/json"
	"fmt"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/encoding/protojson"
	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/imageref"
	"github.com/flytedask/flytedask/resources"
)

// ValidateSpec checks a registrable TaskSpec that did not come from Build,
// such as one read from a bundle: everything FlyteAdmin checks on CreateTask
// (type, metadata, runtime version, interface, image, container resources)
// plus what FlyteAdmin never looks at and the Dask backend fails on at run
// time (the custom DaskJob: its shape, worker count and quantities; the
// extended resources, and a k8s_pod spec that clashes with the shared
// memory). It does not check what flytekit, flytectl and the backend accept
// and Task.Validate refuses (task labels and annotations per Kubernetes
// rules, ignored cache inputs that are not inputs).
//
// Paths are protojson paths into spec as `flytedask inspect` prints it, in
// jq's syntax without the leading dot: template.metadata.runtime.version,
// template.container.resources.limits[1].value,
// template.custom.workers.numberOfWorkers,
// template.config.primary_container_name (register's field differences use
// the same paths).
//
// It returns nil or a *field.ValidationError.
func ValidateSpec(spec *admin.TaskSpec) error {
	root := field.NewPath("template")
	tmpl := spec.GetTemplate()
	if tmpl == nil {
		return field.ErrorList{field.Required(root, "the spec has no task template")}.Err()
	}
	var errs field.ErrorList
	add := func(e *field.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	id := tmpl.GetId()
	switch {
	case id == nil:
		add(field.Required(root.Child("id"), "the template has no id"))
	default:
		if e := validateName(id.GetName()); e != nil {
			e.Field = root.Child("id", "name").String()
			add(e)
		}
		if e := validateVersion(id.GetVersion()); e != nil {
			e.Field = root.Child("id", "version").String()
			add(e)
		}
		if rt := id.GetResourceType(); rt != core.ResourceType_TASK && rt != core.ResourceType_UNSPECIFIED {
			add(field.Invalid(root.Child("id", "resourceType"), rt.String(), "a task's id must have resource type TASK"))
		}
	}
	if tmpl.GetType() != TaskType {
		add(field.NotSupported(root.Child("type"), tmpl.GetType(), []string{TaskType}))
	}
	md := tmpl.GetMetadata()
	switch {
	case md == nil:
		add(field.Required(root.Child("metadata"), "FlyteAdmin rejects a template without metadata"))
	case md.GetRuntime() == nil:
		add(field.Required(root.Child("metadata", "runtime"), "metadata without runtime crashes FlyteAdmin ≤ v1.9 after it stores the task: set {type: FLYTE_SDK, version, flavor}"))
	case md.GetRuntime().GetVersion() == "":
		add(field.Required(root.Child("metadata", "runtime", "version"), "FlyteAdmin rejects an empty runtime version"))
	}
	if tmpl.GetInterface() == nil {
		add(field.Required(root.Child("interface"), "FlyteAdmin rejects a template without an interface (an empty one is fine)"))
	}
	switch target := tmpl.GetTarget().(type) {
	case *core.TaskTemplate_Container:
		cp := root.Child("container")
		c := target.Container
		if c.GetImage() == "" {
			add(field.Required(cp.Child("image"), "the container has no image"))
		} else {
			add(imageref.Validate(func() *field.Path { return cp.Child("image") }, c.GetImage()))
		}
		req, lim, rerrs := resources.FromProto(cp.Child("resources"), c.GetResources())
		errs = append(errs, rerrs...)
		errs = append(errs, resources.Validate(cp.Child("resources"), req, lim)...)
	case *core.TaskTemplate_K8SPod:
		if target.K8SPod.GetPodSpec() == nil {
			add(field.Required(root.Child("k8sPod", "podSpec"), "a k8s_pod target needs a pod spec"))
		}
		if tmpl.GetConfig()[PrimaryContainerNameKey] == "" {
			add(field.Required(jsonKey(root.Child("config"), PrimaryContainerNameKey), fmt.Sprintf("a k8s_pod target needs config[%q]: the backend fails without it", PrimaryContainerNameKey)))
		}
	default:
		add(field.Required(root.Child("container"), "the template has neither a container nor a k8s_pod target: the backend cannot determine the pod configuration"))
	}
	errs = append(errs, validateSpecMetadata(root, tmpl)...)
	errs = append(errs, validateSpecExtendedResources(root.Child("extendedResources"), tmpl.GetExtendedResources())...)
	errs = append(errs, validateSpecPodSharedMemory(root, tmpl)...)
	cfg, cerrs := dask.FromCustom(root.Child("custom"), tmpl.GetCustom())
	errs = append(errs, cerrs...)
	if len(cerrs) == 0 {
		errs = append(errs, cfg.Validate(root.Child("custom"))...)
	}
	protoPaths(root, tmpl, errs)
	return errs.Err()
}

// validateSpecMetadata checks the TaskMetadata fields today's flytekit
// writes: cache_ignore_input_vars needs caching on (metadata.discoverable).
// Task labels and annotations (metadata.metadata) and ignored names that are
// not inputs are not checked here, only in Task.Validate: flytekit,
// flytectl and the backend accept them (the Dask plugin never reads the
// labels, Flyte ignores the unknown names), so a pyflyte bundle must pass.
func validateSpecMetadata(root *field.Path, tmpl *core.TaskTemplate) field.ErrorList {
	md := tmpl.GetMetadata()
	if len(md.GetCacheIgnoreInputVars()) > 0 && !md.GetDiscoverable() {
		return field.ErrorList{field.Forbidden(root.Child("metadata", "cacheIgnoreInputVars"), "cache_ignore_input_vars needs caching on (metadata.discoverable), as flytekit requires")}
	}
	return nil
}

// validateSpecExtendedResources checks what the backend's
// ApplyGPUNodeSelectors and ApplySharedMemory (flyteplugins v1.16.8
// flytek8s/pod_helper.go) need: label-value device and partition, and a
// shared memory with mount name, mount path and a parsable size limit.
func validateSpecExtendedResources(path *field.Path, er *core.ExtendedResources) field.ErrorList {
	var errs field.ErrorList
	if a := er.GetGpuAccelerator(); a != nil {
		errs = append(errs, validateAccelerator(path.Child("gpuAccelerator"), "partitionSize", a.GetDevice(), a.GetPartitionSize(), a.GetUnpartitioned())...)
	}
	if sm := er.GetSharedMemory(); sm != nil {
		sp := path.Child("sharedMemory")
		if sm.GetMountName() == "" {
			errs = append(errs, field.Required(sp.Child("mountName"), "the backend fails with \"mount name is not set\": flytekit writes "+SharedMemoryMountName))
		}
		if sm.GetMountPath() == "" {
			errs = append(errs, field.Required(sp.Child("mountPath"), "the backend fails with \"mount path is not set\": flytekit writes "+SharedMemoryMountPath))
		}
		if e := validateSizeLimit(sp.Child("sizeLimit"), sm.GetSizeLimit()); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// validateSpecPodSharedMemory reports what makes the backend's ApplySharedMemory fail on a
// k8s_pod target's pod spec: a volume already named as the shared memory's mount, or a
// primary-container mount of that name or at its path (Task.Validate's check, on the decoded
// pod spec). A pod spec that does not decode as a PodSpec is left to the backend.
func validateSpecPodSharedMemory(root *field.Path, tmpl *core.TaskTemplate) field.ErrorList {
	sm := tmpl.GetExtendedResources().GetSharedMemory()
	pod := tmpl.GetK8SPod().GetPodSpec()
	if sm == nil || pod == nil || sm.GetMountName() == "" || sm.GetMountPath() == "" {
		return nil
	}
	raw, err := protojson.Marshal(pod)
	if err != nil {
		return nil
	}
	var ps corev1.PodSpec
	if json.Unmarshal(raw, &ps) != nil {
		return nil
	}
	return sharedMemoryClash(root.Child("k8sPod", "podSpec"), &ps, tmpl.GetConfig()[PrimaryContainerNameKey], sm.GetMountName(), sm.GetMountPath())
}
