package bundle_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/wfnodes"
)

func pinned(rt core.ResourceType, name string) *core.Identifier {
	return &core.Identifier{ResourceType: rt, Project: "flytesnacks", Domain: "development", Name: name, Version: "v1", Org: "o"}
}

// oneNodeWorkflow is the workflow launch plans over task `task` use (launch-plans.md §1), with
// pinned ids, plus a branch and an array node so that nested references are covered.
func oneNodeWorkflow(task string) *admin.WorkflowSpec {
	ref := func() *core.Node_TaskNode {
		return &core.Node_TaskNode{TaskNode: &core.TaskNode{Reference: &core.TaskNode_ReferenceId{ReferenceId: pinned(core.ResourceType_TASK, task)}}}
	}
	intType := &core.LiteralType{Type: &core.LiteralType_Simple{Simple: core.SimpleType_INTEGER}}
	return &admin.WorkflowSpec{Template: &core.WorkflowTemplate{
		Id:       pinned(core.ResourceType_WORKFLOW, task+"_wf"),
		Metadata: &core.WorkflowMetadata{},
		Interface: &core.TypedInterface{
			Inputs: &core.VariableMap{Variables: map[string]*core.Variable{"n": {Type: intType, Description: "n"}}},
		},
		Nodes: []*core.Node{
			{
				Id:       "n0",
				Metadata: &core.NodeMetadata{Name: task, Retries: &core.RetryStrategy{}},
				Inputs: []*core.Binding{{Var: "n", Binding: &core.BindingData{Value: &core.BindingData_Promise{
					Promise: &core.OutputReference{NodeId: "", Var: "n"}}}}},
				Target: ref(),
			},
			{Id: "n1", Target: &core.Node_BranchNode{BranchNode: &core.BranchNode{IfElse: &core.IfElseBlock{
				Case:    &core.IfBlock{ThenNode: &core.Node{Id: "n1-a", Target: ref()}},
				Other:   []*core.IfBlock{{ThenNode: &core.Node{Id: "n1-b", Target: ref()}}},
				Default: &core.IfElseBlock_ElseNode{ElseNode: &core.Node{Id: "n1-c", Target: ref()}},
			}}}},
			{Id: "n2", Target: &core.Node_ArrayNode{ArrayNode: &core.ArrayNode{Node: &core.Node{Id: "n2-0", Target: ref()}}}},
			{Id: "n3", Target: &core.Node_WorkflowNode{WorkflowNode: &core.WorkflowNode{
				Reference: &core.WorkflowNode_LaunchplanRef{LaunchplanRef: pinned(core.ResourceType_LAUNCH_PLAN, "other")}}}},
		},
		FailureNode: &core.Node{Id: "fn", Target: ref()},
	}}
}

func launchPlan(name, wf string) *admin.LaunchPlan {
	return &admin.LaunchPlan{
		Id: pinned(core.ResourceType_LAUNCH_PLAN, name),
		Spec: &admin.LaunchPlanSpec{
			WorkflowId:     pinned(core.ResourceType_WORKFLOW, wf),
			EntityMetadata: &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{ScheduleExpression: &admin.Schedule_Rate{Rate: &admin.FixedRate{Value: 1, Unit: admin.FixedRateUnit_MINUTE}}}},
			FixedInputs:    &core.LiteralMap{},
		},
	}
}

// entities is n tasks, one workflow per task and, per workflow, its default and one named launch plan.
func entities(n int) bundle.Entities {
	var e bundle.Entities
	for _, s := range daskSpecs(n) {
		name := s.Template.Id.Name
		e.Tasks = append(e.Tasks, s)
		e.Workflows = append(e.Workflows, oneNodeWorkflow(name))
	}
	for _, s := range e.Tasks {
		wf := s.Template.Id.Name + "_wf"
		e.LaunchPlans = append(e.LaunchPlans, launchPlan(wf, wf), launchPlan(s.Template.Id.Name+".nightly", wf))
	}
	return e
}

// allIDs collects every id a registering tool fills in a workflow or launch plan.
func allIDs(m proto.Message) []*core.Identifier {
	var ids []*core.Identifier
	switch v := m.(type) {
	case *admin.WorkflowSpec:
		ids = append(ids, v.GetTemplate().GetId())
		wfnodes.WalkTemplate(v.GetTemplate(), func(n *core.Node) {
			if r := n.GetTaskNode().GetReferenceId(); r != nil {
				ids = append(ids, r)
			}
			if r := n.GetWorkflowNode().GetLaunchplanRef(); r != nil {
				ids = append(ids, r)
			}
		})
	case *admin.LaunchPlan:
		ids = append(ids, v.GetId(), v.GetSpec().GetWorkflowId())
	}
	return ids
}

func TestEntitiesFileNamesAndOrder(t *testing.T) {
	e := entities(3) // 3 tasks + 3 workflows + 6 launch plans = 12 files: two-digit indexes
	var buf bytes.Buffer
	require.NoError(t, e.WriteArchive(&buf))
	b, err := bundle.Read(&buf)
	require.NoError(t, err)
	var paths []string
	for _, x := range b.Tasks {
		paths = append(paths, x.Path)
	}
	for _, x := range b.Workflows {
		paths = append(paths, x.Path)
	}
	for _, x := range b.LaunchPlans {
		paths = append(paths, x.Path)
	}
	n := func(i int) string { return daskSpecs(3)[i].Template.Id.Name }
	assert.Equal(t, []string{
		"00_" + n(0) + "_1.pb", "01_" + n(1) + "_1.pb", "02_" + n(2) + "_1.pb",
		"03_" + n(0) + "_wf_2.pb", "04_" + n(1) + "_wf_2.pb", "05_" + n(2) + "_wf_2.pb",
		"06_" + n(0) + "_wf_3.pb", "07_" + n(0) + ".nightly_3.pb",
		"08_" + n(1) + "_wf_3.pb", "09_" + n(1) + ".nightly_3.pb",
		"10_" + n(2) + "_wf_3.pb", "11_" + n(2) + ".nightly_3.pb",
	}, paths)
	assert.Empty(t, b.Skipped)
}

// A bundle of tasks alone is the same, byte for byte, whichever writer writes it; output is
// deterministic.
func TestEntitiesTasksOnlyByteIdentical(t *testing.T) {
	specs := daskSpecs(11)
	var a, b, c bytes.Buffer
	require.NoError(t, bundle.WriteArchive(&a, specs))
	require.NoError(t, bundle.Entities{Tasks: specs}.WriteArchive(&b))
	assert.Equal(t, a.Bytes(), b.Bytes())
	e := entities(4)
	b.Reset()
	require.NoError(t, e.WriteArchive(&b))
	require.NoError(t, entities(4).WriteArchive(&c))
	assert.Equal(t, b.Bytes(), c.Bytes(), "same entities, same bytes")
}

func TestEntitiesIDsEmptyByDefault(t *testing.T) {
	e := entities(2)
	orig := make([]proto.Message, 0, len(e.Workflows)+len(e.LaunchPlans))
	for _, w := range e.Workflows {
		orig = append(orig, proto.Clone(w))
	}
	for _, l := range e.LaunchPlans {
		orig = append(orig, proto.Clone(l))
	}
	var buf bytes.Buffer
	require.NoError(t, e.WriteArchive(&buf))
	b, err := bundle.Read(&buf)
	require.NoError(t, err)
	var got []proto.Message
	for _, w := range b.Workflows {
		got = append(got, w.Spec)
	}
	for _, l := range b.LaunchPlans {
		got = append(got, l.Spec)
	}
	require.Len(t, got, len(orig))
	for i, m := range got {
		ids := allIDs(m)
		require.Len(t, ids, len(allIDs(orig[i])))
		for j, id := range ids {
			assert.Empty(t, id.GetProject(), "%d/%d", i, j)
			assert.Empty(t, id.GetDomain(), "%d/%d", i, j)
			assert.Empty(t, id.GetVersion(), "%d/%d", i, j)
			want := allIDs(orig[i])[j]
			assert.Equal(t, want.GetName(), id.GetName())
			assert.Equal(t, want.GetOrg(), id.GetOrg())
			assert.Equal(t, want.GetResourceType(), id.GetResourceType())
		}
	}
	// Nothing else changed, and the caller's messages were not modified.
	for i, w := range e.Workflows {
		assert.True(t, proto.Equal(orig[i], w), "workflow %d modified", i)
	}
	for i, l := range e.LaunchPlans {
		assert.True(t, proto.Equal(orig[len(e.Workflows)+i], l), "launch plan %d modified", i)
	}
	w := proto.Clone(b.Workflows[0].Spec).(*admin.WorkflowSpec)
	w.Template.Id = e.Workflows[0].Template.Id
	assert.Equal(t, len(e.Workflows[0].Template.Nodes), len(w.Template.Nodes))
	assert.True(t, proto.Equal(e.Workflows[0].Template.Interface, w.Template.Interface))
	assert.True(t, proto.Equal(e.Workflows[0].Template.Nodes[0].Inputs[0], w.Template.Nodes[0].Inputs[0]))

	// WithPinnedIDs writes everything as given.
	buf.Reset()
	require.NoError(t, e.WriteArchive(&buf, bundle.WithPinnedIDs()))
	b, err = bundle.Read(&buf)
	require.NoError(t, err)
	for i, w := range b.Workflows {
		assert.True(t, proto.Equal(e.Workflows[i], w.Spec))
	}
	for i, l := range b.LaunchPlans {
		assert.True(t, proto.Equal(e.LaunchPlans[i], l.Spec))
	}
}

func TestEntitiesInvalid(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(e *bundle.Entities)
		kind  bundle.Kind
		index int
		msg   string
	}{
		{"nil workflow", func(e *bundle.Entities) { e.Workflows[1] = nil }, bundle.KindWorkflow, 1, "spec is nil"},
		{"workflow without template", func(e *bundle.Entities) { e.Workflows[0].Template = nil }, bundle.KindWorkflow, 0, "spec.template is nil"},
		{"workflow without id", func(e *bundle.Entities) { e.Workflows[0].Template.Id = nil }, bundle.KindWorkflow, 0, "spec.template.id is nil"},
		{"workflow name with slash", func(e *bundle.Entities) { e.Workflows[0].Template.Id.Name = "a/b" }, bundle.KindWorkflow, 0, "template.id.name contains '/'"},
		{"duplicate workflow", func(e *bundle.Entities) { e.Workflows[1] = e.Workflows[0] }, bundle.KindWorkflow, 1, "duplicate workflow name, workflow 0"},
		{"nil launch plan", func(e *bundle.Entities) { e.LaunchPlans[3] = nil }, bundle.KindLaunchPlan, 3, "launch plan is nil"},
		{"launch plan without id", func(e *bundle.Entities) { e.LaunchPlans[2].Id = nil }, bundle.KindLaunchPlan, 2, "id is nil"},
		{"launch plan empty name", func(e *bundle.Entities) { e.LaunchPlans[2].Id.Name = "" }, bundle.KindLaunchPlan, 2, "id.name is empty"},
		{"duplicate launch plan", func(e *bundle.Entities) { e.LaunchPlans[3] = e.LaunchPlans[1] }, bundle.KindLaunchPlan, 3, "duplicate launch-plan name, launch-plan 1"},
		{"nil task", func(e *bundle.Entities) { e.Tasks[1] = nil }, "", 1, "spec is nil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := entities(2)
			tc.edit(&e)
			var buf bytes.Buffer
			err := e.WriteArchive(&buf)
			require.ErrorIs(t, err, bundle.ErrInvalidSpec)
			var se *bundle.SpecError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tc.kind, se.Kind)
			assert.Equal(t, tc.index, se.Index)
			assert.ErrorContains(t, err, tc.msg)
			assert.Zero(t, buf.Len(), "nothing written")

			// WriteFile and WriteDir leave nothing behind.
			dir := t.TempDir()
			require.Error(t, e.WriteFile(filepath.Join(dir, "b.tgz")))
			require.Error(t, e.WriteDir(filepath.Join(dir, "out")))
			entries, _ := os.ReadDir(dir)
			assert.Empty(t, entries)
		})
	}
}

func TestEntitiesWriteFileAndDir(t *testing.T) {
	e := entities(2)
	dir := t.TempDir()
	path := filepath.Join(dir, "b.tar")
	require.NoError(t, e.WriteFile(path))
	var want bytes.Buffer
	require.NoError(t, e.WriteArchive(&want, bundle.WithFormat(bundle.FormatTar)))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want.Bytes(), got)

	out := filepath.Join(dir, "out")
	require.NoError(t, e.WriteDir(out))
	b, err := bundle.ReadFile(out)
	require.NoError(t, err)
	assert.Len(t, b.Tasks, 2)
	assert.Len(t, b.Workflows, 2)
	assert.Len(t, b.LaunchPlans, 4)
	assert.Equal(t, e.Len(), b.Entities().Len())
}

func TestReadEntityDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ file, msg string }{
		{"0_wf_2.pb", "admin.WorkflowSpec"},
		{"0_lp_3.pb", "admin.LaunchPlan"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := bundle.Read(bytes.NewReader(makeTar(t, file(tc.file, []byte{0xff, 0xff}))))
			require.ErrorIs(t, err, bundle.ErrDecode)
			var ee *bundle.EntryError
			require.True(t, errors.As(err, &ee))
			assert.Equal(t, tc.file, ee.Path)
			assert.ErrorContains(t, err, tc.msg)
			// A decodable message without a name is refused too.
			_, err = bundle.Read(bytes.NewReader(makeTar(t, file(tc.file, nil))))
			require.ErrorIs(t, err, bundle.ErrDecode)
		})
	}
}
