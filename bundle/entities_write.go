package bundle

import (
	"fmt"
	"io"
	"strconv"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/internal/regid"
)

// KindTask names a task in a *SpecError (the zero Kind means a task too).
const KindTask Kind = "task"

// WriteArchive writes e as a registrable bundle to w, like the function [WriteArchive] does for
// tasks alone: one file per entity, tasks ("{idx}_{name}_1.pb", admin.TaskSpec, name =
// template.id.name), then workflows ("{idx}_{name}_2.pb", admin.WorkflowSpec, name =
// template.id.name), then launch plans ("{idx}_{name}_3.pb", admin.LaunchPlan, name = id.name),
// each kind in slice order, with one index over all files padded to the width pyflyte uses for
// e.Len() entities (see [FileName]). That is a dependency order (tasks before the workflows that
// call them, a workflow before its launch plans; pyflyte interleaves instead, each workflow's tasks,
// the workflow and its launch plans in turn, which is equally valid) and, because every index has
// the same width, the order flytectl registers the files in. A bundle of tasks alone is byte-identical to what the
// function WriteArchive writes for the same specs.
//
// Ids: by default project, domain and version are written empty in every id the registering tool
// fills (a task's or workflow's template id, every node's task reference id, a launch plan's id
// and spec.workflow_id), as today's `pyflyte package` writes them; [WithPinnedIDs] writes them as
// given. The caller's messages are not modified.
//
// Validation before the first byte is written: every entity non-nil with its id (a workflow's
// template and template id, a launch plan's id), names usable in a file name (see the function
// WriteArchive) and unique within their kind. Errors are *SpecError values whose Kind and Index
// say which entity (Index counts within the kind's slice).
func (e Entities) WriteArchive(w io.Writer, opts ...WriteOption) error {
	cfg, err := newWriteConfig(opts, true)
	if err != nil {
		return fmt.Errorf("bundle: write archive: %w", err)
	}
	files, err := planEntities(e)
	if err != nil {
		return fmt.Errorf("bundle: write archive: %w", err)
	}
	if err := writeFiles(w, files, cfg); err != nil {
		return fmt.Errorf("bundle: write archive: %w", err)
	}
	return nil
}

func writeFiles(w io.Writer, files []entityFile, cfg writeConfig) error {
	return writeArchiveFrom(w, len(files), func(i int) (entityFile, error) { return files[i], nil }, cfg)
}

// WriteFile writes e as an archive to path, atomically, as the function [WriteFile] does for tasks
// alone (see [Entities.WriteArchive] for the content).
func (e Entities) WriteFile(path string, opts ...WriteOption) error {
	return writeArchiveFile(path, opts, func() (archiveWriter, error) {
		files, err := planEntities(e)
		return func(w io.Writer, cfg writeConfig) error { return writeFiles(w, files, cfg) }, err
	})
}

// WriteDir writes e as loose files into dir, as the function [WriteDir] does for tasks alone (see
// [Entities.WriteArchive] for the file names and content).
func (e Entities) WriteDir(dir string, opts ...WriteOption) error {
	return writeDirEntities(dir, e, opts)
}

// entityFile is one planned file of a bundle.
type entityFile struct {
	name  string // file name
	kind  Kind
	index int // position in the kind's slice
	id    string
	task  *admin.TaskSpec
	wf    *admin.WorkflowSpec
	lp    *admin.LaunchPlan
}

// planEntities validates e and returns its files in bundle order.
func planEntities(e Entities) ([]entityFile, error) {
	n := e.Len()
	files := make([]entityFile, 0, n)
	add := func(kind Kind, i int, name, suffix string, seen map[string]int, f entityFile) error {
		if err := checkEntityName(kind, name); err != nil {
			return kindSpecErr(kind, i, name, "%v", err)
		}
		if j, dup := seen[name]; dup {
			return kindSpecErr(kind, i, name, "duplicate %s name, %s %d has the same name; every %s in a bundle needs a unique name", kind, kind, j, kind)
		}
		seen[name] = i
		fn := fileName(len(files), n, name, suffix)
		if len(fn) > maxFileNameBytes {
			return kindSpecErr(kind, i, name, "file name %q is %d bytes, over the %d-byte file name limit of common file systems (flytectl extracts bundles to disk); shorten the name", fn, len(fn), maxFileNameBytes)
		}
		f.name, f.kind, f.index, f.id = fn, kind, i, name
		files = append(files, f)
		return nil
	}
	tp := newPlanner(n) // tasks come first: their file names are the task writers'
	for i, s := range e.Tasks {
		name, err := tp.plan(i, s)
		if err != nil {
			return nil, err
		}
		files = append(files, taskFile(i, s, name))
	}
	seen := make(map[string]int, len(e.Workflows))
	for i, s := range e.Workflows {
		switch {
		case s == nil:
			return nil, kindSpecErr(KindWorkflow, i, "", "spec is nil; pass a non-nil *admin.WorkflowSpec")
		case s.Template == nil:
			return nil, kindSpecErr(KindWorkflow, i, "", "spec.template is nil; a WorkflowSpec file must carry the workflow's core.WorkflowTemplate")
		case s.Template.Id == nil:
			return nil, kindSpecErr(KindWorkflow, i, "", "spec.template.id is nil; set it (resource_type WORKFLOW and name)")
		}
		if err := add(KindWorkflow, i, s.Template.Id.Name, WorkflowSuffix, seen, entityFile{wf: s}); err != nil {
			return nil, err
		}
	}
	seen = make(map[string]int, len(e.LaunchPlans))
	for i, lp := range e.LaunchPlans {
		switch {
		case lp == nil:
			return nil, kindSpecErr(KindLaunchPlan, i, "", "launch plan is nil; pass a non-nil *admin.LaunchPlan")
		case lp.Id == nil:
			return nil, kindSpecErr(KindLaunchPlan, i, "", "id is nil; set it (resource_type LAUNCH_PLAN and name)")
		}
		if err := add(KindLaunchPlan, i, lp.Id.Name, LaunchPlanSuffix, seen, entityFile{lp: lp}); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// fileName is "{idx}_{name}{suffix}" with pyflyte's index padding for n entities.
func fileName(i, n int, name, suffix string) string {
	return zfill(strconv.Itoa(i), indexWidth(n)) + "_" + name + suffix
}

// checkEntityName is checkName with the field path of the entity's kind.
func checkEntityName(kind Kind, name string) error {
	err := checkName(name)
	if err == nil || kind == KindTask {
		return err
	}
	path := "template.id.name"
	if kind == KindLaunchPlan {
		path = "id.name"
	}
	return fmt.Errorf("%s%s", path, err.Error()[len("template.id.name"):])
}

func kindSpecErr(kind Kind, i int, name, format string, args ...any) error {
	err := specErr(i, name, format, args...).(*SpecError)
	if kind != KindTask {
		err.Kind = kind
	}
	return err
}

// marshalEntity appends the deterministic encoding of f's message to buf, with its ids unpinned
// unless cfg.pinned.
func marshalEntity(buf []byte, f entityFile, cfg writeConfig) ([]byte, error) {
	var m proto.Message
	switch {
	case f.task != nil:
		return marshalSpec(buf, f.index, f.task, cfg)
	case f.wf != nil:
		m = f.wf
		if !cfg.pinned {
			m = unpinnedWorkflow(f.wf)
		}
	default:
		m = f.lp
		if !cfg.pinned {
			m = unpinnedLaunchPlan(f.lp)
		}
	}
	out, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(buf, m)
	if err != nil {
		return buf, kindSpecErr(f.kind, f.index, f.id, "cannot marshal: %v", err)
	}
	return out, nil
}

// unpinID is the id rule of every bundle writer (regid.Unpinned, as for tasks): project, domain
// and version empty, resource type, name and org kept; id itself when nothing changes.
func unpinID(id *core.Identifier) *core.Identifier { return regid.Unpinned(id) }

// shallow is regid.Shallow: a copy sharing every field's value.
func shallow[M proto.Message](m M) M { return regid.Shallow(m) }

// unpinnedWorkflow returns s, or a shallow copy in which the template id and the task reference
// ids of its nodes (and of its sub-workflows' nodes) are unpinned. Only the messages on the path to
// a changed id are copied.
func unpinnedWorkflow(s *admin.WorkflowSpec) *admin.WorkflowSpec {
	t, tChanged := unpinnedTemplate(s.GetTemplate())
	var subs []*core.WorkflowTemplate
	for i, sw := range s.GetSubWorkflows() {
		c, changed := unpinnedTemplate(sw)
		if changed && subs == nil {
			subs = append([]*core.WorkflowTemplate(nil), s.GetSubWorkflows()...)
		}
		if changed {
			subs[i] = c
		}
	}
	if !tChanged && subs == nil {
		return s
	}
	c := shallow(s)
	c.Template = t
	if subs != nil {
		c.SubWorkflows = subs
	}
	return c
}

func unpinnedTemplate(t *core.WorkflowTemplate) (*core.WorkflowTemplate, bool) {
	if t == nil {
		return t, false
	}
	id := unpinID(t.GetId())
	nodes, nodesChanged := unpinnedNodes(t.GetNodes())
	fn, fnChanged := unpinnedNode(t.GetFailureNode())
	if id == t.GetId() && !nodesChanged && !fnChanged {
		return t, false
	}
	c := shallow(t)
	c.Id = id
	c.Nodes = nodes
	if fnChanged {
		c.FailureNode = fn
	}
	return c, true
}

func unpinnedNodes(nodes []*core.Node) ([]*core.Node, bool) {
	var out []*core.Node
	for i, n := range nodes {
		c, changed := unpinnedNode(n)
		if changed && out == nil {
			out = append([]*core.Node(nil), nodes...)
		}
		if changed {
			out[i] = c
		}
	}
	if out == nil {
		return nodes, false
	}
	return out, true
}

// unpinnedNode unpins the ids a node refers to: a task node's reference id, a workflow node's
// launch plan or sub-workflow reference, and those of the nodes nested in branches.
func unpinnedNode(n *core.Node) (*core.Node, bool) {
	if n == nil {
		return n, false
	}
	switch t := n.GetTarget().(type) {
	case *core.Node_TaskNode:
		ref := t.TaskNode.GetReferenceId()
		u := unpinID(ref)
		if u == ref {
			return n, false
		}
		tn := shallow(t.TaskNode)
		tn.Reference = &core.TaskNode_ReferenceId{ReferenceId: u}
		c := shallow(n)
		c.Target = &core.Node_TaskNode{TaskNode: tn}
		return c, true
	case *core.Node_WorkflowNode:
		wn := t.WorkflowNode
		var ref *core.Identifier
		switch r := wn.GetReference().(type) {
		case *core.WorkflowNode_LaunchplanRef:
			ref = r.LaunchplanRef
		case *core.WorkflowNode_SubWorkflowRef:
			ref = r.SubWorkflowRef
		default:
			return n, false
		}
		u := unpinID(ref)
		if u == ref {
			return n, false
		}
		c2 := shallow(wn)
		if _, lp := wn.GetReference().(*core.WorkflowNode_LaunchplanRef); lp {
			c2.Reference = &core.WorkflowNode_LaunchplanRef{LaunchplanRef: u}
		} else {
			c2.Reference = &core.WorkflowNode_SubWorkflowRef{SubWorkflowRef: u}
		}
		c := shallow(n)
		c.Target = &core.Node_WorkflowNode{WorkflowNode: c2}
		return c, true
	case *core.Node_ArrayNode:
		inner, changed := unpinnedNode(t.ArrayNode.GetNode())
		if !changed {
			return n, false
		}
		an := shallow(t.ArrayNode)
		an.Node = inner
		c := shallow(n)
		c.Target = &core.Node_ArrayNode{ArrayNode: an}
		return c, true
	case *core.Node_BranchNode:
		ie := t.BranchNode.GetIfElse()
		if ie == nil {
			return n, false
		}
		changed := false
		cie := shallow(ie)
		if ie.GetCase() != nil {
			if tn, ch := unpinnedNode(ie.GetCase().GetThenNode()); ch {
				cc := shallow(ie.GetCase())
				cc.ThenNode = tn
				cie.Case = cc
				changed = true
			}
		}
		var others []*core.IfBlock
		for i, b := range ie.GetOther() {
			if tn, ch := unpinnedNode(b.GetThenNode()); ch {
				if others == nil {
					others = append([]*core.IfBlock(nil), ie.GetOther()...)
				}
				cb := shallow(b)
				cb.ThenNode = tn
				others[i] = cb
			}
		}
		if others != nil {
			cie.Other = others
			changed = true
		}
		if en, ok := ie.GetDefault().(*core.IfElseBlock_ElseNode); ok {
			if tn, ch := unpinnedNode(en.ElseNode); ch {
				cie.Default = &core.IfElseBlock_ElseNode{ElseNode: tn}
				changed = true
			}
		}
		if !changed {
			return n, false
		}
		bn := shallow(t.BranchNode)
		bn.IfElse = cie
		c := shallow(n)
		c.Target = &core.Node_BranchNode{BranchNode: bn}
		return c, true
	}
	return n, false
}

// unpinnedLaunchPlan returns lp, or a shallow copy whose id and spec.workflow_id are unpinned.
func unpinnedLaunchPlan(lp *admin.LaunchPlan) *admin.LaunchPlan {
	id := unpinID(lp.GetId())
	wid := unpinID(lp.GetSpec().GetWorkflowId())
	if id == lp.GetId() && wid == lp.GetSpec().GetWorkflowId() {
		return lp
	}
	c := shallow(lp)
	c.Id = id
	if wid != lp.GetSpec().GetWorkflowId() {
		spec := shallow(lp.GetSpec())
		spec.WorkflowId = wid
		c.Spec = spec
	}
	return c
}
