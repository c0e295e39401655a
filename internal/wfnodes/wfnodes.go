// Package wfnodes walks the nodes of a Flyte workflow template: the one traversal that
// registration, the FlyteAdmin fake and the tests use to reach every node, including the nodes
// nested in branch and array nodes and the failure node.
package wfnodes

import "github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"

// Walk calls fn for n and then, depth first, for every node nested in it: a branch node's then
// nodes (case, then other, in order) and else node, an array node's node. A nil node is skipped.
func Walk(n *core.Node, fn func(*core.Node)) {
	if n == nil {
		return
	}
	fn(n)
	if ie := n.GetBranchNode().GetIfElse(); ie != nil {
		Walk(ie.GetCase().GetThenNode(), fn)
		for _, o := range ie.GetOther() {
			Walk(o.GetThenNode(), fn)
		}
		Walk(ie.GetElseNode(), fn)
	}
	Walk(n.GetArrayNode().GetNode(), fn)
}

// WalkTemplate walks (see [Walk]) every node of t in order, then its failure node.
func WalkTemplate(t *core.WorkflowTemplate, fn func(*core.Node)) {
	for _, n := range t.GetNodes() {
		Walk(n, fn)
	}
	Walk(t.GetFailureNode(), fn)
}
