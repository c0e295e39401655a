// Package explain answers, before registration, "what will Flyte's backend build for this Dask task?".
//
// Explain takes a flyteidl TaskTemplate (a Dask task, type "dask", with the DaskJob in custom) and
// Platform settings, and returns the three pods of the DaskJob the backend's Dask plugin creates —
// the job runner, the scheduler and the worker group — with images, commands, args, resolved
// requests and limits, replicas, restart policies, interruptibility and ports, plus Notes that
// explain surprising results in plain language. Job.WriteText renders a table; Job is also
// JSON-ready through its struct tags (Job.WriteJSON).
//
// # What is modelled
//
// The model is the current Flyte v1 backend (flyteorg/flyte master, v1.15.1 and later,
// flyteplugins/go/tasks/plugins/k8s/dask/dask.go with flytek8s container_helper.go and utils.go):
//
//   - custom is decoded exactly like the backend: the Struct is written as JSON with golang/protobuf
//     jsonpb and read into plugins.DaskJob with AllowUnknownFields (camelCase and snake_case keys,
//     numbers as strings, enum names or numbers; unknown keys ignored, unknown enum names rejected).
//     A missing workers or scheduler object is accepted (0 worker replicas, default scheduler).
//   - the base pod comes from the container target (image, command, args, env and resources of
//     template.container) or the k8s_pod target (the container of pod_spec named by
//     config["primary_container_name"]; a resource named "gpu" becomes nvidia.com/gpu). Other
//     targets fail with the backend's text.
//   - task resources go through ToK8sResourceRequirements (ParseQuantity; zero values, STORAGE and
//     UNKNOWN dropped; GPU → nvidia.com/gpu) and ApplyResourceOverrides with assignIfUnset: for cpu
//     and memory always, for ephemeral-storage and nvidia.com/gpu when present, an unset request
//     becomes the limit or the platform default request, an unset limit becomes the request, both
//     are capped at the platform limit and the request at the limit.
//   - scheduler and workers use their Dask custom resources when those have at least one request
//     or limit entry (then they replace the task's resources entirely and go through the same
//     defaulting, via ApplyK8sResourceOverrides), else the job runner's resolved resources.
//   - worker args are dask-worker --name $(DASK_WORKER_NAME) --nthreads <cpu limit Value(), rounded
//     up> --memory-limit <memory limit String(), canonical>; scheduler args are dask-scheduler with
//     ports tcp-comm 8786 and dashboard 8787; the command is never changed.
//   - restart policies Never (job runner), Always (scheduler, workers); only workers follow
//     template.metadata.interruptible.
//   - extended resources, as flyteplugins v1.16.8's ApplyFlytePodConfiguration applies them to the
//     base pod from which the plugin copies all three pods: a GPU accelerator adds, only when some
//     container of the base pod has a GPU limit (the job runner's resolved limits, or a k8s_pod
//     sidecar's; a GPU in the Dask custom resources does not count), the required node-affinity
//     requirement k8s.amazonaws.com/accelerator In [device] to every required term (or a new term)
//     and an Equal/NoSchedule toleration for it; a partition size adds
//     k8s.amazonaws.com/gpu-partition-size In [size] and its toleration; unpartitioned adds
//     gpu-partition-size DoesNotExist (no toleration). Shared memory adds a Memory-medium emptyDir
//     (sizeLimit the given size, or "0" when none) and mounts it in the primary container of the
//     job runner, the scheduler and the workers alike, failing with the backend's texts when the
//     mount name or path is empty, the size does not parse, or the pod spec already has a volume of
//     that name or the primary container a mount of that name or path. The pod spec's own required
//     node affinity, tolerations, volumes and primary-container mounts (k8s_pod target) come first.
//
// Not modelled (they need the execution or the cluster): node-level resource overrides (they take
// precedence over the task's resources per resource name — to explain them, put them in the task's
// resources), pod templates stored in the cluster (metadata.pod_template_name or the configured
// default; in current releases their container resources fill in what the task leaves unset),
// rendering of the job runner's {{.input}}-style arg templates, env decoration, the tolerations,
// node selectors and affinity the platform configures (interruptible and non-interruptible ones,
// default-node-selector, resource-tolerations, add-tolerations-for-extended-resources),
// execution-level image and extended-resource overrides, labels and annotations (the task's
// metadata.metadata is not put on pods by this backend), and sidecar resources. The real plugin
// also depends on the k8s plugin configuration; Explain assumes its defaults (gpu-resource-name
// nvidia.com/gpu, gpu-device-node-label k8s.amazonaws.com/accelerator,
// gpu-partition-size-node-label k8s.amazonaws.com/gpu-partition-size, no
// gpu-unpartitioned-node-selector-requirement or toleration, default-cpus 1000m, default-memory
// 1024Mi). Platform values should be flyteadmin's task resource defaults and
// limits for the project and domain.
//
// # Backend versions
//
// Version-independent since the plugin moved onto the shared pod builder (flyteplugins v1.1.26,
// pod templates) — safe to compare against any such backend: images (custom image or task image),
// replicas (numberOfWorkers), container names (job-runner, scheduler, dask-worker), scheduler args
// and ports, worker arg names and order (dask-worker --name $(DASK_WORKER_NAME) --nthreads …
// --memory-limit …), restart policies, interruptible placement (workers only), and the job
// runner's resources (flyteplugins v1.1.31 applies the same defaulting to the task's container).
//
// Version-dependent:
//   - Dask custom resources. Before Flyte v1.15.1 (flyte 199731bd, and in every flyteplugins
//     release such as v1.1.31) they were used raw: no defaults, no requests == limits, no capping.
//     A worker with only requests then got "--nthreads 0 --memory-limit 0", and only-limits left
//     requests empty (Kubernetes then defaults them to the limits at admission). STORAGE entries
//     were kept as "storage" in raw custom resources.
//   - Worker and scheduler commands. The Flyte v2 line (flyteorg/flyte main, flyte#7707) runs
//     "dask worker …" and "dask scheduler" (the legacy dask-worker and dask-scheduler scripts were
//     removed in dask distributed 2026.6.0), may add --dashboard-prefix, and adds a scheduler
//     readiness probe. Explain prints the v1 form (dask-worker, dask-scheduler).
//   - A missing workers, scheduler or resources object crashes backends before v1.14.0 (nil
//     pointer dereference) instead of giving 0 replicas or default resources.
//   - Unmarshal errors: older backends (e.g. flyteplugins v1.1.31, which decodes with its own
//     utils.UnmarshalStruct) give the cause without the "Failed to unmarshal json obj into proto: "
//     prefix, and a nil custom says "nil Struct Object passed".
//   - Before flyteplugins v1.1.26 the plugin built its own containers (no k8s_pod support,
//     "task is missing a default container/image" errors).
//   - Error messages: the backend prints custom in proto text form; Explain prints compact JSON.
//
// # Verification
//
// internal/backendverify (a separate module) runs testdata/backend_cases.jsonl — 66 templates ×
// 5 platforms, covering the dask-spec.md examples, rounding, canonical memory, zero/STORAGE/
// duplicate/negative entries, huge, overflowing and tiny quantities, GPU and ephemeral storage,
// capping, interruptible, commands, k8s_pod targets, GPU accelerators (device, partition,
// unpartitioned, no task GPU, sidecar GPU, pod-spec affinity terms) and shared memory (with and
// without a size, and each way the backend rejects it) and error cases — through the real plugin
// of flyteplugins v1.16.8 (current v1 line): all 330 agree, error texts included (with custom's
// bracketed rendering normalised). The compared pods include their required node affinity,
// tolerations (except the configured interruptible one), volumes and primary-container mounts.
// Against flyteplugins v1.1.31 the same cases differ only in scheduler/worker requests and limits
// and the worker's --nthreads/--memory-limit values (raw custom resources), in the unmarshal error
// texts, and in panics for missing workers/scheduler/resources; job runners, images, replicas,
// container names, args other than those two values, ports, restart policies and interruptible
// placement all agree.
//
// `make verify` runs both checks as tests: explain/internal/backendverify over those cases plus
// testdata/bundle_cases.jsonl (every Dask task of every bundle the project's examples write,
// kept up to date by internal/backendcases), and internal/backendcheck, which runs the v1.1.31
// plugin and flytepropeller's compiler over the same bundles (Explain's answers reach it through
// internal/backendcheck/testdata/sdk_cases.json, also written by internal/backendcases) and checks
// that it agrees with Explain except for the documented pre-v1.15.1 resource differences.
//
// Errors are *BuildError values whose Error() text matches what the backend's BuildResource
// returns; Flyte reports them as "could not build resource for task: <text>".
package explain
