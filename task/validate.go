package task

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/adminrule"
	"github.com/flytedask/flytedask/internal/imageref"
	"github.com/flytedask/flytedask/internal/regid"
	"github.com/flytedask/flytedask/resources"
)

// Validate returns nil when t can be built with s, and otherwise a
// *field.ValidationError with every problem, each with the path of its field
// as written in the flytedask spec (name, image, dask.workers.limits.mem,
// secrets[0].group, ...). Warnings are not reported here: see Warnings.
func (t Task) Validate(s Settings) error {
	return t.validate(s).Err()
}

func (t Task) validate(s Settings) field.ErrorList {
	var errs field.ErrorList
	add := func(e *field.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}

	add(validateName(t.Name))
	add(validateVersion(s.Version))

	// Image: required unless the pod template's primary container has one.
	imgPath := field.NewPath("image")
	if t.Image == "" {
		if t.PodTemplate == nil || t.PodTemplate.primaryImage() == "" {
			add(field.Required(imgPath, "image is required: set a concrete image reference such as ghcr.io/acme/dask-app:1.4.2 (or give the pod template's primary container an image)"))
		}
	} else {
		add(imageref.Validate(func() *field.Path { return imgPath }, t.Image))
	}

	// Entrypoint: exactly one of python and command/args.
	raw := len(t.Command) > 0 || len(t.Args) > 0
	switch {
	case t.Python != nil && raw:
		p := field.NewPath("command")
		if len(t.Command) == 0 {
			p = field.NewPath("args")
		}
		add(field.Forbidden(p, "set either python (a flytekit function) or command/args, not both"))
	case t.Python == nil && !raw:
		add(field.Required(field.NewPath("python"), "an entrypoint is required: set python (module and function of a flytekit task baked into the image) or command/args"))
	case t.Python != nil:
		pp := field.NewPath("python")
		if t.Python.Module == "" {
			add(field.Required(pp.Child("module"), "the Python module of the task function is required, e.g. workflows.dask_example"))
		} else if !isDottedIdent(t.Python.Module) {
			add(field.Invalid(pp.Child("module"), t.Python.Module, fmt.Sprintf("%q is not a Python module path: use dotted identifiers, e.g. workflows.dask_example", t.Python.Module)))
		}
		if t.Python.Function == "" {
			add(field.Required(pp.Child("function"), "the task function name is required, e.g. hello_dask"))
		} else if !isIdent(t.Python.Function) {
			add(field.Invalid(pp.Child("function"), t.Python.Function, fmt.Sprintf("%q is not a Python identifier", t.Python.Function)))
		}
	}

	errs = append(errs, resources.Validate(nil, t.Requests, t.Limits)...)

	for _, k := range slices.Sorted(maps.Keys(t.Environment)) {
		for _, msg := range validation.IsEnvVarName(k) {
			add(field.Invalid(field.NewPath("environment").Key(k), k, "invalid environment variable name: "+msg))
		}
	}

	sp := field.NewPath("secrets")
	for i, sec := range t.Secrets {
		p := sp.Index(i)
		if sec.Group == "" {
			add(field.Required(p.Child("group"), "a secret needs a group (flytekit's secret managers look secrets up by group)"))
		}
		switch sec.MountRequirement {
		case "", MountAny, MountEnvVar, MountFile:
		default:
			add(field.NotSupported(p.Child("mount_requirement"), string(sec.MountRequirement), []string{"any", "env_var", "file"}))
		}
	}

	errs = append(errs, validateVariables(field.NewPath("inputs"), t.Inputs)...)
	errs = append(errs, validateVariables(field.NewPath("outputs"), t.Outputs)...)

	if t.Retries < 0 || uint64(t.Retries) > math.MaxUint32 {
		add(field.Invalid(field.NewPath("retries"), t.Retries, fmt.Sprintf("retries must be between 0 and %d", uint32(math.MaxUint32))))
	}
	if t.Timeout < 0 {
		add(field.Invalid(field.NewPath("timeout"), t.Timeout.String(), "timeout must not be negative: use 0 for no timeout"))
	}
	if t.Cache != nil {
		if t.Cache.Version == "" {
			add(field.Required(field.NewPath("cache", "version"), "cache needs a version (flytekit: cache=True requires cache_version); bump it to invalidate cached outputs"))
		}
		if len(t.Cache.IgnoredInputs) > 0 {
			errs = append(errs, validateIgnoredInputs(field.NewPath("cache", "ignored_inputs"), t.Cache.IgnoredInputs, t.Inputs)...)
		}
	}
	if t.Accelerator != nil {
		errs = append(errs, validateAccelerator(field.NewPath("accelerator"), "partition_size", t.Accelerator.Device, t.Accelerator.PartitionSize, t.Accelerator.Unpartitioned)...)
	}
	if t.SharedMemory != nil {
		add(validateSizeLimit(field.NewPath("shared_memory"), t.SharedMemory.SizeLimit))
		if t.PodTemplate != nil {
			errs = append(errs, t.PodTemplate.validateSharedMemory(field.NewPath("pod_template", "spec"))...)
		}
	}
	if len(t.Labels) > 0 {
		errs = append(errs, validateLabels(field.NewPath("labels"), t.Labels)...)
	}
	if len(t.Annotations) > 0 {
		errs = append(errs, validateAnnotations(field.NewPath("annotations"), t.Annotations)...)
	}
	if t.PodTemplateName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(t.PodTemplateName) {
			add(field.Invalid(field.NewPath("pod_template_name"), t.PodTemplateName, "invalid PodTemplate name: "+msg))
		}
	}
	if t.PodTemplate != nil {
		errs = append(errs, t.PodTemplate.validate(field.NewPath("pod_template"))...)
	}

	errs = append(errs, t.Dask.Validate(field.NewPath("dask"))...)
	return errs
}

// ValidateSettings checks s alone: the version must be empty (filled at
// registration), flytekit's old placeholder "{{ registration.version }}", or
// URL-safe. Validate includes this check; use
// ValidateSettings to report it once for many tasks.
func ValidateSettings(s Settings) field.ErrorList {
	if e := validateVersion(s.Version); e != nil {
		return field.ErrorList{e}
	}
	return nil
}

func validateName(name string) *field.Error {
	p := field.NewPath("name")
	switch {
	case name == "":
		return field.Required(p, "the task name is required, e.g. workflows.dask_example.hello_dask")
	case strings.ContainsRune(name, '/'):
		return field.Invalid(p, name, fmt.Sprintf("task name %q contains '/': it names the bundle file; use dots, e.g. workflows.dask_example.hello_dask", name))
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return field.Invalid(p, name, fmt.Sprintf("task name %q contains white space or control characters", name))
	}
	return nil
}

func validateVersion(v string) *field.Error {
	if v == "" || v == regid.VersionPlaceholder {
		return nil
	}
	if msg := adminrule.VersionProblem(v); msg != "" {
		return field.Invalid(field.NewPath("version"), v, msg)
	}
	return nil
}

// isIdent reports whether s is an ASCII Python identifier,
// ^[A-Za-z_][A-Za-z0-9_]*$ (a loop: this is on the hot path of Build).
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func isDottedIdent(s string) bool {
	for {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return isIdent(s)
		}
		if !isIdent(s[:i]) {
			return false
		}
		s = s[i+1:]
	}
}

func validateVariables(path *field.Path, vars []Variable) field.ErrorList {
	var errs field.ErrorList
	seen := make(map[string]bool, len(vars))
	for i, v := range vars {
		p := path.Index(i)
		switch {
		case v.Name == "":
			errs = append(errs, field.Required(p.Child("name"), "a variable needs a name"))
		case !isIdent(v.Name):
			errs = append(errs, field.Invalid(p.Child("name"), v.Name, fmt.Sprintf("variable name %q is not a Python identifier", v.Name)))
		case seen[v.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), v.Name, fmt.Sprintf("variable %q is declared twice", v.Name)))
		}
		seen[v.Name] = true
		if v.Type.IsZero() {
			errs = append(errs, field.Required(p.Child("type"), fmt.Sprintf("variable %q needs a type: integer, float, string, boolean, datetime, duration, file, directory, list[T] or map[T]", v.Name)))
		}
	}
	return errs
}

func (pt *PodTemplate) primaryName() string {
	if pt.PrimaryContainerName == "" {
		return DefaultPrimaryContainerName
	}
	return pt.PrimaryContainerName
}

func (pt *PodTemplate) primaryImage() string {
	for _, c := range pt.Spec.Containers {
		if c.Name == pt.primaryName() {
			return c.Image
		}
	}
	return ""
}

func (pt *PodTemplate) validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(pt.primaryName()) {
		errs = append(errs, field.Invalid(path.Child("primary_container_name"), pt.PrimaryContainerName, "invalid container name: "+msg))
	}
	names := map[string]bool{}
	for i, c := range pt.Spec.Containers {
		cp := path.Child("spec", "containers").Index(i)
		if c.Name == "" {
			errs = append(errs, field.Required(cp.Child("name"), "every container needs a name"))
			continue
		}
		if names[c.Name] {
			errs = append(errs, field.Duplicate(cp.Child("name"), c.Name, fmt.Sprintf("container %q is declared twice", c.Name)))
		}
		names[c.Name] = true
		if e := imageref.Validate(func() *field.Path { return cp.Child("image") }, c.Image); e != nil {
			errs = append(errs, e)
		}
	}
	errs = append(errs, validateLabels(path.Child("labels"), pt.Labels)...)
	errs = append(errs, validateAnnotations(path.Child("annotations"), pt.Annotations)...)
	return errs
}

// validateLabels checks Kubernetes label keys and values, as the API server
// does (k8s.io/apimachinery validation).
func validateLabels(path *field.Path, labels map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		lp := path.Key(k)
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(lp, k, "invalid label key: "+msg))
		}
		for _, msg := range validation.IsValidLabelValue(labels[k]) {
			errs = append(errs, field.Invalid(lp, labels[k], "invalid label value: "+msg))
		}
	}
	return errs
}

// validateAnnotations checks Kubernetes annotation keys (values are free
// text), as the API server does.
func validateAnnotations(path *field.Path, annotations map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(path.Key(k), k, "invalid annotation key: "+msg))
		}
	}
	return errs
}

// validateIgnoredInputs checks cache_ignore_input_vars: each entry names a
// declared input, once. flytekit does not check the names, and Flyte skips
// names that match no input, so a misspelt one silently stays in the cache
// key.
func validateIgnoredInputs(path *field.Path, ignored []string, inputs []Variable) field.ErrorList {
	if len(ignored) == 0 {
		return nil // the common case: nothing to allocate on Build's hot path
	}
	declared := make(map[string]bool, len(inputs))
	for _, v := range inputs {
		declared[v.Name] = true
	}
	return checkIgnoredInputs(path, ignored, declared, declaredList(inputs))
}

func checkIgnoredInputs(path *field.Path, ignored []string, declared map[string]bool, names string) field.ErrorList {
	var errs field.ErrorList
	seen := make(map[string]bool, len(ignored))
	for i, name := range ignored {
		p := path.Index(i)
		switch {
		case seen[name]:
			errs = append(errs, field.Duplicate(p, name, fmt.Sprintf("input %q is ignored twice", name)))
		case !declared[name]:
			errs = append(errs, field.Invalid(p, name, fmt.Sprintf("%q is not an input of the task (declared: %s): Flyte would silently keep every input in the cache key", name, names)))
		}
		seen[name] = true
	}
	return errs
}

func declaredList(inputs []Variable) string {
	if len(inputs) == 0 {
		return "none"
	}
	names := make([]string, len(inputs))
	for i, v := range inputs {
		names[i] = v.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// validateAccelerator checks a GPU accelerator: the backend uses the device
// and the partition size as node label values in a required node affinity
// and as toleration values, so both must be valid label values.
func validateAccelerator(path *field.Path, partitionKey, device, partition string, unpartitioned bool) field.ErrorList {
	var errs field.ErrorList
	if device == "" {
		errs = append(errs, field.Required(path.Child("device"), "an accelerator needs a device, e.g. nvidia-tesla-t4 (or use one of flytekit's names such as T4 or A100.partition_1g_5gb)"))
	}
	for _, msg := range validation.IsValidLabelValue(device) {
		errs = append(errs, field.Invalid(path.Child("device"), device, "the device is matched against a node label value: "+msg))
	}
	if partition != "" {
		if unpartitioned {
			errs = append(errs, field.Forbidden(path.Child(partitionKey), "set either partition_size or unpartitioned, not both"))
		}
		for _, msg := range validation.IsValidLabelValue(partition) {
			errs = append(errs, field.Invalid(path.Child(partitionKey), partition, "the partition size is matched against a node label value: "+msg))
		}
	}
	return errs
}

// validateSizeLimit checks a shared-memory size limit: empty, or a
// non-negative Kubernetes quantity. The backend parses it with
// resource.ParseQuantity and fails the task otherwise; it writes sizeLimit "0"
// itself when no size is given, so "0" (flytekit passes shared_memory="0"
// through) is the same as empty: the volume is bounded by the pod's memory.
// Kubernetes rejects pods with a negative sizeLimit.
func validateSizeLimit(path *field.Path, size string) *field.Error {
	if size == "" {
		return nil
	}
	q, err := resource.ParseQuantity(size)
	switch {
	case err != nil:
		return field.Invalid(path, size, fmt.Sprintf("%q is not a Kubernetes quantity (%v): write e.g. 2Gi or 512Mi", size, err))
	case q.Sign() < 0:
		return field.Invalid(path, size, "the shared memory size must not be negative (Kubernetes rejects the pods): leave it empty to bound the volume by the pod's memory")
	}
	return nil
}

// validateSharedMemory reports what makes the backend's ApplySharedMemory
// fail: a pod volume named flyte-shared-memory, or a primary-container mount
// of that name or at /dev/shm.
func (pt *PodTemplate) validateSharedMemory(path *field.Path) field.ErrorList {
	return sharedMemoryClash(path, &pt.Spec, pt.primaryName(), SharedMemoryMountName, SharedMemoryMountPath)
}

// sharedMemoryClash reports what ApplySharedMemory (flyteplugins v1.16.8
// flytek8s/pod_helper.go) fails on: a pod volume named name, or a mount of the
// primary container named name or at mountPath.
func sharedMemoryClash(path *field.Path, spec *corev1.PodSpec, primary, name, mountPath string) field.ErrorList {
	var errs field.ErrorList
	for i, v := range spec.Volumes {
		if v.Name == name {
			errs = append(errs, field.Duplicate(path.Child("volumes").Index(i).Child("name"), v.Name,
				fmt.Sprintf("shared_memory adds a volume named %s: the backend fails when the pod template already has one; remove it or shared_memory", name)))
		}
	}
	for i, c := range spec.Containers {
		if c.Name != primary {
			continue
		}
		for j, m := range c.VolumeMounts {
			mp := path.Child("containers").Index(i).Child("volumeMounts").Index(j)
			if m.Name == name {
				errs = append(errs, field.Duplicate(mp.Child("name"), m.Name,
					fmt.Sprintf("shared_memory mounts a volume named %s in the primary container: the backend fails when it already has one", name)))
			}
			if m.MountPath == mountPath {
				errs = append(errs, field.Duplicate(mp.Child("mountPath"), m.MountPath,
					fmt.Sprintf("shared_memory mounts %s in the primary container: the backend fails when something is already mounted there", mountPath)))
			}
		}
	}
	return errs
}
