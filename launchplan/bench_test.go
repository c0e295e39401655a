package launchplan_test

import (
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/flytedask/flytedask"
	"github.com/flytedask/flytedask/launchplan"
	"github.com/flytedask/flytedask/task"
)

var marshal = proto.MarshalOptions{Deterministic: true}

func benchTask() task.Task {
	return task.Task{
		Name:   "workflows.etl.nightly_dask",
		Image:  "ghcr.io/acme/dask-app:1.4.2",
		Python: &task.PythonFunction{Module: "workflows.etl", Function: "nightly_dask"},
		Inputs: []task.Variable{{Name: "run_at", Type: task.Datetime}, {Name: "partitions", Type: task.Integer}},
	}
}

func benchPlan(tk task.Task) launchplan.LaunchPlan {
	return launchplan.LaunchPlan{
		Name:          "nightly_etl",
		Task:          tk,
		Schedule:      &launchplan.Schedule{Cron: "30 2 * * *", KickoffTimeInput: "run_at"},
		FixedInputs:   map[string]any{"partitions": 8},
		Notifications: []launchplan.Notification{{Phases: []launchplan.Phase{launchplan.Failed}, Email: []string{"oncall@acme.example"}}},
		Labels:        map[string]string{"team": "data"},
	}
}

// handSet is the floor: the task, workflow, default launch plan and named launch plan of
// benchTask/benchPlan written directly with flyteidl types, without validation or SDK code.
func handSet() (*admin.TaskSpec, *admin.WorkflowSpec, *admin.LaunchPlan, *admin.LaunchPlan) {
	simple := func(s core.SimpleType) *core.LiteralType {
		return &core.LiteralType{Type: &core.LiteralType_Simple{Simple: s}}
	}
	vars := func() map[string]*core.Variable {
		return map[string]*core.Variable{
			"run_at":     {Type: simple(core.SimpleType_DATETIME), Description: "run_at"},
			"partitions": {Type: simple(core.SimpleType_INTEGER), Description: "partitions"},
		}
	}
	iface := func() *core.TypedInterface {
		return &core.TypedInterface{Inputs: &core.VariableMap{Variables: vars()}, Outputs: &core.VariableMap{Variables: map[string]*core.Variable{}}}
	}
	taskID := &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "workflows.etl.nightly_dask"}
	ts := &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:   taskID,
		Type: "dask",
		Metadata: &core.TaskMetadata{
			Runtime:       &core.RuntimeMetadata{Type: core.RuntimeMetadata_FLYTE_SDK, Version: flytedask.Version, Flavor: "go"},
			Retries:       &core.RetryStrategy{},
			GeneratesDeck: wrapperspb.Bool(false),
			Metadata:      &core.K8SObjectMetadata{},
		},
		Interface: iface(),
		Custom: &structpb.Struct{Fields: map[string]*structpb.Value{
			"scheduler": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"resources": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{}})}}),
			"workers": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
				"numberOfWorkers": structpb.NewNumberValue(1),
				"resources":       structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{}}),
			}}),
		}},
		Target: &core.TaskTemplate_Container{Container: &core.Container{
			Image: "ghcr.io/acme/dask-app:1.4.2",
			Args: []string{"pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
				"--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
				"--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
				"--", "task-module", "workflows.etl", "task-name", "nightly_dask"},
			Resources: &core.Resources{},
		}},
		Config: map[string]string{},
	}, Description: &admin.DescriptionEntity{LongDescription: &admin.Description{Format: admin.DescriptionFormat_DESCRIPTION_FORMAT_RST}}}

	wfID := func() *core.Identifier {
		return &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "workflows.etl.nightly_dask_wf"}
	}
	promise := func(v, node string) *core.Binding {
		return &core.Binding{Var: v, Binding: &core.BindingData{Value: &core.BindingData_Promise{Promise: &core.OutputReference{NodeId: node, Var: v}}}}
	}
	wf := &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id: wfID(), Metadata: &core.WorkflowMetadata{}, Interface: iface(),
		Nodes: []*core.Node{{
			Id: "n0", Metadata: &core.NodeMetadata{Name: "nightly_dask", Retries: &core.RetryStrategy{}},
			Inputs:          []*core.Binding{promise("partitions", ""), promise("run_at", "")},
			UpstreamNodeIds: []string{}, OutputAliases: []*core.Alias{},
			Target: &core.Node_TaskNode{TaskNode: &core.TaskNode{
				Reference: &core.TaskNode_ReferenceId{ReferenceId: &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "workflows.etl.nightly_dask"}},
				Overrides: &core.TaskNodeOverrides{},
			}},
		}},
		Outputs:          []*core.Binding{},
		MetadataDefaults: &core.WorkflowMetadataDefaults{},
	}}
	required := func(v *core.Variable) *core.Parameter {
		return &core.Parameter{Var: v, Behavior: &core.Parameter_Required{Required: true}}
	}
	dv := vars()
	def := &admin.LaunchPlan{
		Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "workflows.etl.nightly_dask_wf"},
		Spec: &admin.LaunchPlanSpec{
			WorkflowId: wfID(), EntityMetadata: &admin.LaunchPlanMetadata{},
			DefaultInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{"run_at": required(dv["run_at"]), "partitions": required(dv["partitions"])}},
			FixedInputs:   &core.LiteralMap{Literals: map[string]*core.Literal{}},
			Labels:        &admin.Labels{}, Annotations: &admin.Annotations{}, RawOutputDataConfig: &admin.RawOutputDataConfig{},
		},
		Closure: &admin.LaunchPlanClosure{ExpectedInputs: &core.ParameterMap{}, ExpectedOutputs: &core.VariableMap{}},
	}
	nv := vars()
	named := &admin.LaunchPlan{
		Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "nightly_etl"},
		Spec: &admin.LaunchPlanSpec{
			WorkflowId: wfID(),
			EntityMetadata: &admin.LaunchPlanMetadata{
				Schedule: &admin.Schedule{KickoffTimeInputArg: "run_at", ScheduleExpression: &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: "30 2 * * *"}}},
				Notifications: []*admin.Notification{{Phases: []core.WorkflowExecution_Phase{core.WorkflowExecution_FAILED},
					Type: &admin.Notification_Email{Email: &admin.EmailNotification{RecipientsEmail: []string{"oncall@acme.example"}}}}},
			},
			DefaultInputs: &core.ParameterMap{Parameters: map[string]*core.Parameter{"run_at": required(nv["run_at"])}},
			FixedInputs: &core.LiteralMap{Literals: map[string]*core.Literal{"partitions": {Value: &core.Literal_Scalar{Scalar: &core.Scalar{
				Value: &core.Scalar_Primitive{Primitive: &core.Primitive{Value: &core.Primitive_Integer{Integer: 8}}}}}}}},
			Labels: &admin.Labels{Values: map[string]string{"team": "data"}}, Annotations: &admin.Annotations{}, RawOutputDataConfig: &admin.RawOutputDataConfig{},
		},
		Closure: &admin.LaunchPlanClosure{ExpectedInputs: &core.ParameterMap{}, ExpectedOutputs: &core.VariableMap{}},
	}
	return ts, wf, def, named
}

func sdkSet(tb testing.TB, tk task.Task, lp launchplan.LaunchPlan) (*admin.TaskSpec, *admin.WorkflowSpec, *admin.LaunchPlan, *admin.LaunchPlan) {
	ts, err := tk.Build(task.Settings{})
	if err != nil {
		tb.Fatal(err)
	}
	wf, def, err := launchplan.Workflow(tk, task.Settings{})
	if err != nil {
		tb.Fatal(err)
	}
	named, err := lp.Build(task.Settings{})
	if err != nil {
		tb.Fatal(err)
	}
	return ts, wf, def, named
}

// TestHandSetMatches keeps the benchmark honest: the floor builds the very same messages.
func TestHandSetMatches(t *testing.T) {
	ts, wf, def, named := sdkSet(t, benchTask(), benchPlan(benchTask()))
	hts, hwf, hdef, hnamed := handSet()
	for i, pair := range [][2]proto.Message{{ts, hts}, {wf, hwf}, {def, hdef}, {named, hnamed}} {
		if !proto.Equal(pair[0], pair[1]) {
			t.Fatalf("message %d differs from the hand-built floor; update handSet", i)
		}
	}
}

// BenchmarkBuild1000Sets builds and marshals (deterministically, as bundles are written) 1,000
// task + workflow + default launch plan + named launch plan sets through the SDK (with validation),
// against a floor measured in the same loop: the same messages built by hand from flyteidl types
// and marshalled the same way. It reports x-floor (SDK time / floor time) and sets/s.
func BenchmarkBuild1000Sets(b *testing.B) {
	tk := benchTask()
	lp := benchPlan(tk)
	var sdk, floor time.Duration
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for j := 0; j < 1000; j++ {
			ts, wf, def, named := sdkSet(b, tk, lp)
			for _, m := range []proto.Message{ts, wf, def, named} {
				if _, err := marshal.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		}
		mid := time.Now()
		for j := 0; j < 1000; j++ {
			ts, wf, def, named := handSet()
			for _, m := range []proto.Message{ts, wf, def, named} {
				if _, err := marshal.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		}
		sdk += mid.Sub(start)
		floor += time.Since(mid)
	}
	b.ReportMetric(float64(sdk)/float64(floor), "x-floor")
	b.ReportMetric(float64(b.N)*1000/sdk.Seconds(), "sets/s")
}
