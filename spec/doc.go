// Package spec decodes flytedask YAML spec files into task.Task values and
// task.Settings, strictly: every unknown key, wrong type and invalid value of
// every file is reported at once, each with its path (and line), in spec
// order. It is what the flytedask CLI runs; platform tools may embed it.
//
//	s, err := spec.Decode([]spec.Source{{Name: "dask.yaml", Data: data}}, spec.Options{})
//	var serr *spec.Error
//	if errors.As(err, &serr) { for _, line := range serr.Lines() { fmt.Println(line) } }
//	specs, err := s.Build() // []*admin.TaskSpec, ready for bundle.WriteFile
//
// # Format
//
// A spec file is one YAML document: a mapping with the keys below. Keys are
// flytekit's names in snake_case; the format is fixed (other tools rely on
// it).
//
//	project: flytesnacks      # optional; --project replaces it
//	domain: development       # optional; --domain replaces it
//	version: v1               # optional, may be empty (flytectl --version fills it); --version replaces it
//	defaults: {...}           # optional: task keys (except name) merged under every task of this file
//	tasks: [...]              # required: at least one task
//	launch_plans: [...]       # optional: launch plans (schedules, fixed and default inputs) over the tasks
//
// Task keys (all optional unless marked):
//
//	name               string, required. The Flyte task name, e.g. workflows.dask_example.hello_dask.
//	image              string, required unless the pod template's primary container has one.
//	python             {module, function}: entrypoint A, a flytekit function baked into the image.
//	command, args      lists of strings: entrypoint B (instead of python); Flyte fills {{.inputs.x}} etc.
//	requests, limits   resources of the task (the job runner): cpu, mem (alias memory), gpu, ephemeral_storage.
//	environment        mapping of names to strings.
//	secrets            list of {group (required), key, group_version, mount_requirement: any|env_var|file}.
//	inputs, outputs    mapping of variable names to types: integer, float, string, boolean, datetime,
//	                   duration, file, directory, list[T], map[T] (string keys). Written sorted by name.
//	retries            integer.
//	timeout            Go duration string: 90s, 45m, 1h30m.
//	interruptible      boolean; absent means "not set" (the platform decides).
//	cache              {version (required), serialize: boolean, ignored_inputs: [input names]}; caching is
//	                   on when cache is present. ignored_inputs (alias ignore_input_vars,
//	                   cache_ignore_input_vars) must name declared inputs.
//	deprecated         string: the deprecation message.
//	pod_template_name  string: a PodTemplate in the execution namespace.
//	pod_template       {primary_container_name (default "primary"), labels, annotations, spec}: spec is a
//	                   Kubernetes PodSpec, decoded strictly (unknown or mis-cased fields are errors).
//	accelerator        flytekit's accelerator=: one of its names (T4, A10G, L4, H100, A100, A100_80GB,
//	                   A100.partition_1g_5gb, A100.unpartitioned, V5E.slice_2x2, ...), a device as its node
//	                   label value (nvidia-tesla-v100), or {device, partition_size, unpartitioned: boolean}.
//	shared_memory      flytekit's shared_memory=: true (a memory-backed /dev/shm bounded by the pod's
//	                   memory), a size quantity such as 2Gi, or false (off).
//	labels, annotations  flytekit's @task(labels=, annotations=): mappings of strings, stored in the task's
//	                   metadata (not put on the pods; use pod_template for pod labels).
//	enable_deck        boolean: metadata.generates_deck.
//	short_description, long_description  strings: TaskSpec.description, as flytekit takes them from
//	                   the docstring (the long one is marked reStructuredText).
//	dask               required: {scheduler, workers}; dask: {} is flytekit's Dask() (one worker,
//	                   images and resources inherited from the task).
//	  scheduler        {image, requests, limits}
//	  workers          {number_of_workers (default 1; 0 or negative is an error), image, requests, limits}
//
// Launch plan keys (see package launchplan; Spec.BuildEntities builds them):
//
//	name               string, required. URL-safe; not the name of a generated workflow (TASK_wf).
//	task               string, required: the name of a task of the spec (of any file).
//	schedule           {cron | fixed_rate, kickoff_time_input}: exactly one of
//	  cron             standard cron as FlyteAdmin's native scheduler parses it (robfig/cron
//	                   ParseStandard): five fields ("30 2 * * *"), @hourly, @daily, @weekly, @monthly,
//	                   @yearly, @every 90m, optionally after CRON_TZ=Zone. flytekit's aliases without '@'
//	                   (daily) and the AWS six-field form are errors, with the reason.
//	  fixed_rate       whole minutes, hours or days: 10m, 2h, 1d, 1h30m (not 90s, 1.5h or 0).
//	  kickoff_time_input  a datetime input of the task the scheduler sets to the scheduled time (cron
//	                   only: under fixed_rate it needs a value in default_inputs); never fixed.
//	fixed_inputs       mapping of input names to values every execution gets (cannot be overridden).
//	default_inputs     mapping of input names to values an execution gets unless it sets its own.
//	                   With a schedule, every input must be fixed or defaulted (except a cron kickoff).
//	notifications      list of {phases: [succeeded|failed|aborted|timed_out], and one of email, slack,
//	                   pagerduty: [recipients]}.
//	labels, annotations  mappings of strings put on the executions (labels: at most 16, Kubernetes rules).
//	service_account    string: the Kubernetes service account the executions run as.
//	raw_output_data_prefix  string: a storage URI such as s3://bucket/raw for offloaded data.
//	max_parallelism    integer >= 0.
//	overwrite_cache    boolean.
//
// Input values are YAML values read by the task's declared input type:
// integers, floats, strings (quote numbers meant as strings), booleans,
// datetimes as RFC 3339 with a zone (2026-01-02T03:04:05Z), durations in Go
// syntax (1h30m), files and directories as URIs (s3://bucket/key), lists and
// mappings (see package literal).
//
// # Values
//
//   - Strings: a YAML string, or a number taken exactly as written
//     (version: 1.10 is "1.10"). Booleans must be quoted to be strings.
//   - Quantities (cpu, mem, gpu, ephemeral_storage): a string as written
//     ("500m", "4Gi"), or a number written as Python's str() writes it, as
//     flytekit would: 2 is "2", 0.5 is "0.5", 1.0 is "1.0", 1e-5 is "1e-05",
//     0x10 is "16". Kubernetes quantity syntax is then checked by validation.
//   - Integers and booleans must be YAML integers and booleans ("2" and
//     "yes" are strings, and errors).
//   - A key with a null value (key: or key: ~) counts as absent. Entries of
//     environment, labels and annotations may not be null: write "".
//   - Anchors and aliases work (the decoder bounds how much they expand);
//     YAML merge keys (<<) do not: use defaults.
//
// # Defaults
//
// The defaults block of a file is merged under each task of that file
// (defaults do not cross files):
//   - A value the task sets wins; a value it does not set comes from the
//     defaults (so an explicit retries: 0 or interruptible: false wins too).
//   - Mappings are merged key by key, recursively: requests, limits (mem and
//     memory are the same key), environment, inputs, outputs, python, cache,
//     pod_template (labels and annotations key by key), labels, annotations,
//     dask, dask.scheduler,
//     dask.workers and their requests and limits.
//   - Lists are replaced, not concatenated: command, args, secrets,
//     cache.ignored_inputs. So are pod_template.spec and accelerator, as a
//     whole, and shared_memory (false switches a default off).
//   - Entrypoint: if the task sets command or args, the defaults' python,
//     command and args are all ignored; if it sets python, it is merged with
//     the defaults' python (e.g. module from defaults, function per task) and
//     the defaults' command and args are ignored; otherwise the defaults'
//     entrypoint applies.
//   - name cannot have a default.
//
// # Several files
//
// Decode takes several files: their tasks are concatenated in order. A task
// name used twice (in one file or across files) is an error naming both
// places. project, domain and version set in several files must agree
// unless Options (the CLI flags) replace them.
//
// # Problems
//
// Every problem is a Problem with a path: tasks[i] is the i-th task of its
// file; keys of fixed mappings are joined with dots
// (tasks[0].dask.workers.limits.mem), entries of free-form mappings and
// lists use brackets (tasks[0].environment[LOG_LEVEL], tasks[0].inputs[n],
// tasks[0].secrets[1].group). Problem.Format renders "PATH: MESSAGE",
// prefixed with "FILE: " when several files were decoded; YAML syntax errors
// render as "FILE:LINE: MESSAGE" (the line the YAML parser reports: where
// the broken construct starts). Kinds: ErrorTypeSyntax, ErrorTypeUnknownKey
// (with the closest valid key: "did you mean number_of_workers?"),
// ErrorTypeWrongType, and the field.ErrorType values of task validation.
//
// Problems of one task are sorted by line. A task with an unknown-key or
// wrong-type problem is still validated, but validation errors about the
// same field (the one left unset, or a field inside or around it) are
// dropped, so one typo does not cause a cascade of follow-up errors while
// every other problem is reported at once. A file whose top level or
// defaults block cannot be decoded is not validated task by task.
//
// Warnings (Spec.Warnings) are task.Task.Warnings with the same paths,
// then launchplan.LaunchPlan.Warnings with launch_plans[i] paths; they never
// make Decode fail.
//
// Launch plans are checked after all tasks of all files (a launch plan may
// run a task of another file): their problems follow the tasks', with paths
// such as launch_plans[1].schedule.cron or launch_plans[0].fixed_inputs[n].
package spec
