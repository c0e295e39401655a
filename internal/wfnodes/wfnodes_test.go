package wfnodes

import (
	"slices"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
)

func TestWalkTemplate(t *testing.T) {
	node := func(id string) *core.Node { return &core.Node{Id: id} }
	branch := &core.Node{Id: "branch", Target: &core.Node_BranchNode{BranchNode: &core.BranchNode{IfElse: &core.IfElseBlock{
		Case:    &core.IfBlock{ThenNode: node("then")},
		Other:   []*core.IfBlock{{ThenNode: node("other0")}, {ThenNode: nil}, {ThenNode: node("other2")}},
		Default: &core.IfElseBlock_ElseNode{ElseNode: node("else")},
	}}}}
	array := &core.Node{Id: "array", Target: &core.Node_ArrayNode{ArrayNode: &core.ArrayNode{Node: node("mapped")}}}
	tmpl := &core.WorkflowTemplate{Nodes: []*core.Node{node("n0"), branch, nil, array}, FailureNode: node("failure")}

	var got []string
	WalkTemplate(tmpl, func(n *core.Node) { got = append(got, n.GetId()) })
	want := []string{"n0", "branch", "then", "other0", "other2", "else", "array", "mapped", "failure"}
	if !slices.Equal(got, want) {
		t.Errorf("visited %q, want %q", got, want)
	}

	got = nil
	WalkTemplate(nil, func(n *core.Node) { got = append(got, n.GetId()) })
	Walk(nil, func(n *core.Node) { got = append(got, n.GetId()) })
	if len(got) != 0 {
		t.Errorf("nil template/node visited %q, want nothing", got)
	}
}
