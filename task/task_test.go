package task_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/flytedask/flytedask"
	"github.com/flytedask/flytedask/dask"
	"github.com/flytedask/flytedask/field"
	"github.com/flytedask/flytedask/internal/golden"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/resources"
	"github.com/flytedask/flytedask/task"
)

var settings = task.Settings{Project: "flytesnacks", Domain: "development", Version: "v1"}

func ptr[T any](v T) *T { return &v }

func minimal() task.Task {
	return task.Task{
		Name:   "workflows.dask_example.hello_dask",
		Image:  "ghcr.io/acme/dask-app:1.4.2",
		Python: &task.PythonFunction{Module: "workflows.dask_example", Function: "hello_dask"},
	}
}

func full() task.Task {
	t := minimal()
	t.Requests = resources.Spec{CPU: "1", Mem: "2Gi"}
	t.Limits = resources.Spec{CPU: "2", Mem: "4Gi", EphemeralStorage: "10Gi", GPU: "1"}
	t.Requests.GPU = "1"
	t.Environment = map[string]string{"LOG_LEVEL": "debug", "A_FIRST": "1"}
	t.Secrets = []task.Secret{{Group: "aws", Key: "token", MountRequirement: task.MountEnvVar}, {Group: "db"}}
	t.Inputs = []task.Variable{
		{Name: "n", Type: task.Integer},
		{Name: "path", Type: task.File, Description: "input data"},
		{Name: "when", Type: task.Datetime},
		{Name: "tags", Type: task.MapOf(task.ListOf(task.String))},
	}
	t.Outputs = []task.Variable{{Name: "o0", Type: task.Float}, {Name: "o1", Type: task.Directory}}
	t.Retries = 2
	t.Timeout = 90 * time.Minute
	t.Interruptible = ptr(true)
	t.Cache = &task.Cache{Version: "1.0", Serialize: true}
	t.Deprecated = "use hello_dask_v2"
	t.PodTemplateName = "dask-base"
	t.Dask = dask.Config{
		Scheduler: dask.Scheduler{Requests: resources.Spec{CPU: "1", Mem: "2Gi"}, Limits: resources.Spec{CPU: "1", Mem: "2Gi"}},
		Workers: dask.WorkerGroup{
			NumberOfWorkers: 4,
			Requests:        resources.Spec{CPU: "2", Mem: "8Gi"},
			Limits:          resources.Spec{CPU: "2", Mem: "8Gi"},
		},
	}
	return t
}

func build(t *testing.T, tk task.Task) *admin.TaskSpec {
	t.Helper()
	spec, err := tk.Build(settings)
	require.NoError(t, err)
	return spec
}

func TestGolden(t *testing.T) {
	raw := minimal()
	raw.Python = nil
	raw.Command = []string{"python", "-m", "job"}
	raw.Args = []string{"--n", "{{.inputs.n}}"}
	raw.Inputs = []task.Variable{{Name: "n", Type: task.Integer}}

	pod := minimal()
	pod.Image = ""
	pod.Environment = map[string]string{"LOG_LEVEL": "debug"}
	pod.Limits = resources.Spec{CPU: "2", Mem: "1.5Gi"}
	pod.PodTemplate = &task.PodTemplate{
		Labels: map[string]string{"team": "data"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "primary",
				Image: "ghcr.io/acme/dask-app:1.4.2",
				Env:   []corev1.EnvVar{{Name: "OWN", Value: "x"}},
			}},
			Tolerations: []corev1.Toleration{{Key: "dask", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
		},
	}

	for name, tk := range map[string]task.Task{
		"minimal":      minimal(),
		"full":         full(),
		"raw_command":  raw,
		"pod_template": pod,
	} {
		t.Run(name, func(t *testing.T) {
			golden.Assert(t, name+".json", golden.ProtoJSON(t, build(t, tk)))
		})
	}
}

func TestFlytekitFields(t *testing.T) {
	spec := build(t, minimal())
	tmpl := spec.Template
	assert.Equal(t, "dask", tmpl.Type)
	assert.Zero(t, tmpl.TaskTypeVersion)
	assert.Equal(t, core.ResourceType_TASK, tmpl.Id.ResourceType)
	assert.Equal(t, &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: flytedask.Version, Flavor: "go"}, tmpl.Metadata.Runtime)
	assert.NotEmpty(t, tmpl.Metadata.Runtime.Version)
	require.NotNil(t, tmpl.Metadata.Retries, "the retries message is always present")
	assert.Nil(t, tmpl.Metadata.InterruptibleValue, "interruptible is set only when specified")
	assert.Nil(t, tmpl.Metadata.Timeout)
	assert.Nil(t, tmpl.SecurityContext)
	assert.Empty(t, tmpl.Config)
	assert.Equal(t, []string{
		"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
		"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
		"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
		"--", "task-module", "workflows.dask_example", "task-name", "hello_dask",
	}, tmpl.GetContainer().Args)
	assert.Empty(t, tmpl.GetContainer().Command)
	assert.NotNil(t, tmpl.Interface.Inputs)
	assert.NotNil(t, tmpl.Interface.Outputs)

	f := full()
	f.Interruptible = ptr(false)
	tmpl = build(t, f).Template
	assert.Equal(t, &core.TaskMetadata_Interruptible{Interruptible: false}, tmpl.Metadata.InterruptibleValue, "an explicit false is written")
	c := tmpl.GetContainer()
	var names []string
	for _, e := range c.Resources.Limits {
		names = append(names, e.Name.String())
	}
	assert.Equal(t, []string{"EPHEMERAL_STORAGE", "CPU", "GPU", "MEMORY"}, names, "flytekit's container order")
	assert.Equal(t, "A_FIRST", c.Env[0].Key, "env sorted by name")
	assert.Equal(t, "input data", tmpl.Interface.Inputs.Variables["path"].Description)
	assert.Equal(t, "n", tmpl.Interface.Inputs.Variables["n"].Description, "description defaults to the name")
	assert.True(t, tmpl.Metadata.Discoverable)
	assert.Equal(t, "1.0", tmpl.Metadata.DiscoveryVersion)
	assert.True(t, tmpl.Metadata.CacheSerializable)
	assert.Equal(t, uint32(2), tmpl.Metadata.Retries.Retries)
	assert.Equal(t, 90*time.Minute, tmpl.Metadata.Timeout.AsDuration())
}

func TestPodTemplateTarget(t *testing.T) {
	tk := minimal()
	tk.PodTemplate = &task.PodTemplate{}
	tmpl := build(t, tk).Template
	assert.Nil(t, tmpl.GetContainer())
	require.NotNil(t, tmpl.GetK8SPod())
	assert.Equal(t, map[string]string{"primary_container_name": "primary"}, tmpl.Config)
	containers := tmpl.GetK8SPod().PodSpec.Fields["containers"].GetListValue().Values
	require.Len(t, containers, 1, "a placeholder primary container is added")
	pc := containers[0].GetStructValue().Fields
	assert.Equal(t, "primary", pc["name"].GetStringValue())
	assert.Equal(t, tk.Image, pc["image"].GetStringValue(), "the primary container inherits the task image")
	// flytekit/core/utils.py _serialize_pod_spec (v1.16.24) writes "command": [] and "env": [] even when
	// both are empty (flytekit's test_python_auto_container.py asserts it).
	assert.NotContains(t, pc, "resources", "flytekit's placeholder V1Container(name=...) has no resources, and none are set")
	for _, key := range []string{"command", "env"} {
		require.Contains(t, pc, key)
		require.NotNil(t, pc[key].GetListValue(), key)
		assert.Empty(t, pc[key].GetListValue().Values, key)
	}
}

func TestDeterministic(t *testing.T) {
	a := golden.ProtoJSON(t, build(t, full()))
	for i := 0; i < 5; i++ {
		assert.Equal(t, string(a), string(golden.ProtoJSON(t, build(t, full()))))
	}
}

type fieldErr struct {
	Type field.ErrorType
	Path string
}

func errorsOf(t *testing.T, err error) []fieldErr {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *field.ValidationError
	require.True(t, errors.As(err, &verr), "error %v is not a *field.ValidationError", err)
	var out []fieldErr
	for _, e := range verr.Errors {
		out = append(out, fieldErr{e.Type, e.Field})
	}
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*task.Task)
		settings task.Settings
		want     []fieldErr
	}{
		{"minimal is valid", func(*task.Task) {}, settings, nil},
		{"full is valid", func(tk *task.Task) { *tk = full() }, settings, nil},
		{"empty settings are allowed (flytectl fills them)", func(*task.Task) {}, task.Settings{}, nil},
		{"version placeholder is allowed", func(*task.Task) {}, task.Settings{Version: "{{ registration.version }}"}, nil},
		{"version not URL-safe", func(*task.Task) {}, task.Settings{Version: "v/1?"},
			[]fieldErr{{field.ErrorTypeInvalid, "version"}}},
		{"version with percent", func(*task.Task) {}, task.Settings{Version: "v1%20"},
			[]fieldErr{{field.ErrorTypeInvalid, "version"}}},
		{"version not ASCII", func(*task.Task) {}, task.Settings{Version: "vé"},
			[]fieldErr{{field.ErrorTypeInvalid, "version"}}},
		{"version with dots, dashes, underscores", func(*task.Task) {}, task.Settings{Version: "v1.2-rc_3"}, nil},
		{"zero task", func(tk *task.Task) { *tk = task.Task{} }, settings, []fieldErr{
			{field.ErrorTypeRequired, "name"},
			{field.ErrorTypeRequired, "image"},
			{field.ErrorTypeRequired, "python"},
		}},
		{"name with slash", func(tk *task.Task) { tk.Name = "a/b" }, settings, []fieldErr{{field.ErrorTypeInvalid, "name"}}},
		{"image template", func(tk *task.Task) { tk.Image = "{{.image.default.fqn}}:v1" }, settings, []fieldErr{{field.ErrorTypeInvalid, "image"}}},
		{"image upper case", func(tk *task.Task) { tk.Image = "ghcr.io/Acme/app:1" }, settings, []fieldErr{{field.ErrorTypeInvalid, "image"}}},
		{"both entrypoints", func(tk *task.Task) { tk.Command = []string{"python"} }, settings, []fieldErr{{field.ErrorTypeForbidden, "command"}}},
		{"python with args", func(tk *task.Task) { tk.Args = []string{"x"} }, settings, []fieldErr{{field.ErrorTypeForbidden, "args"}}},
		{"mount requirement any", func(tk *task.Task) {
			tk.Secrets = []task.Secret{{Group: "g", MountRequirement: task.MountAny}, {Group: "g", MountRequirement: ""}}
		}, settings, nil},
		{"args alone are an entrypoint", func(tk *task.Task) { tk.Python = nil; tk.Args = []string{"run"} }, settings, nil},
		{"python parts", func(tk *task.Task) { tk.Python = &task.PythonFunction{Module: "a..b", Function: ""} }, settings, []fieldErr{
			{field.ErrorTypeInvalid, "python.module"},
			{field.ErrorTypeRequired, "python.function"},
		}},
		{"resources", func(tk *task.Task) {
			tk.Requests = resources.Spec{CPU: "2500m", Mem: "1 Gi"}
			tk.Limits = resources.Spec{CPU: "2100m"}
		}, settings, []fieldErr{
			{field.ErrorTypeInvalid, "requests.mem"},
			{field.ErrorTypeInvalid, "requests.cpu"},
		}},
		{"env names", func(tk *task.Task) { tk.Environment = map[string]string{"OK": "1", "1BAD=": "x"} }, settings,
			[]fieldErr{{field.ErrorTypeInvalid, "environment[1BAD=]"}}},
		{"secrets", func(tk *task.Task) {
			tk.Secrets = []task.Secret{{Key: "k"}, {Group: "g", MountRequirement: "disk"}}
		}, settings, []fieldErr{
			{field.ErrorTypeRequired, "secrets[0].group"},
			{field.ErrorTypeNotSupported, "secrets[1].mount_requirement"},
		}},
		{"variables", func(tk *task.Task) {
			tk.Inputs = []task.Variable{{Name: "a", Type: task.Integer}, {Name: "a", Type: task.Float}, {Name: "x-y", Type: task.String}, {Name: "z"}}
		}, settings, []fieldErr{
			{field.ErrorTypeDuplicate, "inputs[1].name"},
			{field.ErrorTypeInvalid, "inputs[2].name"},
			{field.ErrorTypeRequired, "inputs[3].type"},
		}},
		{"retries, timeout, cache", func(tk *task.Task) {
			tk.Retries = -1
			tk.Timeout = -time.Second
			tk.Cache = &task.Cache{Serialize: true}
		}, settings, []fieldErr{
			{field.ErrorTypeInvalid, "retries"},
			{field.ErrorTypeInvalid, "timeout"},
			{field.ErrorTypeRequired, "cache.version"},
		}},
		{"pod template name", func(tk *task.Task) { tk.PodTemplateName = "Dask_Base" }, settings,
			[]fieldErr{{field.ErrorTypeInvalid, "pod_template_name"}}},
		{"pod template supplies the image", func(tk *task.Task) {
			tk.Image = ""
			tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "primary", Image: "ghcr.io/acme/x:1"}}}}
		}, settings, nil},
		{"pod template without image", func(tk *task.Task) {
			tk.Image = ""
			tk.PodTemplate = &task.PodTemplate{PrimaryContainerName: "main", Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "primary", Image: "ghcr.io/acme/x:1"}, {Name: "primary"}}}}
		}, settings, []fieldErr{
			{field.ErrorTypeRequired, "image"},
			{field.ErrorTypeDuplicate, "pod_template.spec.containers[1].name"},
		}},
		{"dask problems keep their paths", func(tk *task.Task) {
			tk.Dask.Workers = dask.WorkerGroup{NumberOfWorkers: -1, Limits: resources.Spec{Mem: "2gi"}}
		}, settings, []fieldErr{
			{field.ErrorTypeInvalid, "dask.workers.number_of_workers"},
			{field.ErrorTypeInvalid, "dask.workers.limits.mem"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := minimal()
			tt.mutate(&tk)
			err := tk.Validate(tt.settings)
			assert.Equal(t, tt.want, errorsOf(t, err), "%v", err)
			spec, berr := tk.Build(tt.settings)
			if tt.want == nil {
				assert.NoError(t, berr)
				assert.NotNil(t, spec)
			} else {
				assert.Nil(t, spec)
				assert.Equal(t, err.Error(), berr.Error(), "Build reports what Validate reports")
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tk := minimal()
	tk.Dask.Workers.Limits.Mem = "2gi"
	err := tk.Validate(settings)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `dask.workers.limits.mem: invalid quantity "2gi"`)
	assert.Contains(t, err.Error(), "Gi")
}

func TestWarnings(t *testing.T) {
	tk := full()
	tk.Environment["DASK_SCHEDULER_ADDRESS"] = "tcp://x:8786"
	tk.Dask.Workers.Image = "ghcr.io/acme/other:1"
	tk.Dask.Workers.Limits.CPU = "1500m"
	tk.Dask.Workers.Requests.CPU = "1500m"
	tk.PodTemplate = &task.PodTemplate{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}}
	var got []string
	for _, w := range tk.Warnings() {
		got = append(got, w.Field+" "+w.Code)
	}
	assert.Equal(t, []string{
		"environment[DASK_SCHEDULER_ADDRESS] env-dask-reserved",
		"dask.workers.image image-differs",
		"interruptible interruptible-workers-only",
		"pod_template.spec.restartPolicy pod-template-restart-policy",
		"dask.workers.limits.cpu workers-fractional-cpu",
	}, got)
	quiet := full()
	quiet.Interruptible = nil
	assert.Empty(t, quiet.Warnings(), "the full example follows every best practice")
}

func TestParseType(t *testing.T) {
	for _, s := range []string{"integer", "float", "string", "boolean", "datetime", "duration", "file", "directory",
		"list[integer]", "map[file]", "list[map[list[directory]]]"} {
		typ, err := task.ParseType(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, typ.String())
		again, err := task.ParseType(s)
		require.NoError(t, err)
		assert.True(t, typ == again, "types compare by value: %s", s)
		assert.NotNil(t, literalType(t, typ))
	}
	assert.False(t, task.ListOf(task.Integer) == task.ListOf(task.Float))
	assert.False(t, task.ListOf(task.Integer) == task.MapOf(task.Integer))
	assert.True(t, task.ListOf(task.Type{}).IsZero(), "a container of the zero Type is the zero Type")
	for _, s := range []string{"", "int", "list[", "list[integer", "list[integer]]", "map[]", "list[integer] ", "List[integer]"} {
		_, err := task.ParseType(s)
		assert.Error(t, err, "%q", s)
	}
}

// literalType builds a task with one input of type typ and returns the
// LiteralType written for it.
func literalType(t testing.TB, typ task.Type) *core.LiteralType {
	t.Helper()
	spec, err := task.Task{Name: "m.f", Image: "ghcr.io/acme/app:1", Command: []string{"run"},
		Inputs: []task.Variable{{Name: "x", Type: typ}}}.Build(task.Settings{Version: "v1"})
	if err != nil {
		t.Fatalf("build with input type %s: %v", typ, err)
	}
	return spec.GetTemplate().GetInterface().GetInputs().GetVariables()["x"].GetType()
}

func FuzzParseType(f *testing.F) {
	for _, s := range []string{"integer", "list[map[file]]", "map[", "]", "list[list[list[string]]]x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := task.ParseType(s)
		if err != nil {
			return
		}
		// A parsed type renders back to its input and has a proto form.
		if typ.String() != s {
			t.Fatalf("ParseType(%q).String() = %q", s, typ.String())
		}
		if again, _ := task.ParseType(typ.String()); again != typ {
			t.Fatalf("ParseType(%q) is not == to itself parsed again", s)
		}
		if literalType(t, typ) == nil {
			t.Fatalf("ParseType(%q) has no proto", s)
		}
	})
}

// TestRawCommandGoesToArgs pins why Command is written into args: the Dask
// backend replaces the args of the scheduler and worker containers but keeps
// the command, which would then run instead of dask-scheduler/dask-worker.
func TestRawCommandGoesToArgs(t *testing.T) {
	tk := minimal()
	tk.Python = nil
	tk.Command = []string{"python", "-m", "job"}
	tk.Args = []string{"--n", "{{.inputs.n}}"}
	c := build(t, tk).Template.GetContainer()
	assert.Empty(t, c.Command)
	assert.Equal(t, []string{"python", "-m", "job", "--n", "{{.inputs.n}}"}, c.Args)
	assert.Equal(t, []string{"python", "-m", "job"}, tk.Command, "the caller's slices are not modified")
}

func TestVariableJSON(t *testing.T) {
	in := []task.Variable{{Name: "n", Type: task.ListOf(task.MapOf(task.File)), Description: "d"}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"name":"n","type":"list[map[file]]","description":"d"}]`, string(b))
	var out []task.Variable
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)
	assert.Error(t, json.Unmarshal([]byte(`[{"name":"n","type":"int"}]`), &out))
	_, err = json.Marshal(task.Variable{Name: "zero"})
	assert.Error(t, err)
}

// TestVersionRuleMatchesRegister keeps task's version check and register's
// (FlyteAdmin's url.QueryEscape rule) in agreement: a version Build accepts
// is never refused at registration, and the other way round.
func TestVersionRuleMatchesRegister(t *testing.T) {
	for _, v := range []string{"v1", "v1.2-rc_3", "3f2c1a9e0b7d", "v/1", "v 1", "v1%20", "vé", "a~b", "v1?", "v+1", "v\t1"} {
		taskOK := task.ValidateSettings(task.Settings{Version: v}) == nil
		registerOK := register.ValidateVersion(v) == nil
		assert.Equal(t, registerOK, taskOK, "version %q", v)
	}
}
