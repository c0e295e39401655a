package regid_test

import (
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/stretchr/testify/assert"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/internal/regid"
)

func TestUnpinned(t *testing.T) {
	assert.Nil(t, regid.Unpinned(nil))

	empty := &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "a"}
	assert.Same(t, empty, regid.Unpinned(empty), "already empty: no copy")

	for _, id := range []*core.Identifier{
		{ResourceType: core.ResourceType_TASK, Project: "p", Domain: "d", Name: "a", Version: "v1", Org: "o"},
		{ResourceType: core.ResourceType_WORKFLOW, Project: regid.ProjectPlaceholder, Domain: regid.DomainPlaceholder, Name: "a", Version: regid.VersionPlaceholder, Org: "o"},
		{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "a", Version: "v1", Org: "o"},
	} {
		orig := proto.Clone(id)
		got := regid.Unpinned(id)
		assert.True(t, proto.Equal(&core.Identifier{ResourceType: id.GetResourceType(), Name: "a", Org: "o"}, got), "%v -> %v", id, got)
		assert.True(t, proto.Equal(orig, id), "input modified")
	}
}

func TestFilledAtRegistration(t *testing.T) {
	for v, want := range map[string]bool{
		"": true, regid.ProjectPlaceholder: true, regid.DomainPlaceholder: true, regid.VersionPlaceholder: true,
		"v1": false, "{{ registration.other }}": false, " ": false,
	} {
		assert.Equal(t, want, regid.FilledAtRegistration(v), "%q", v)
	}
}

func TestShallow(t *testing.T) {
	n := &core.Node{Id: "n0", Metadata: &core.NodeMetadata{Name: "x"}}
	c := regid.Shallow(n)
	assert.NotSame(t, n, c)
	assert.Same(t, n.Metadata, c.Metadata)
	c.Id = "changed"
	assert.Equal(t, "n0", n.Id)
}
