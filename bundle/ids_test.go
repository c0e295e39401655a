package bundle_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
)

// By default every writer leaves project, domain and version of the template ids empty (what
// today's pyflyte package writes), so `flytectl register files -p P -d D --version V` decides where
// the tasks go; the rest of the spec is unchanged and the caller's specs are not modified.
func TestWritersLeaveIDsEmptyByDefault(t *testing.T) {
	specs := daskSpecs(3)
	orig := make([]proto.Message, len(specs))
	for i, s := range specs {
		orig[i] = proto.Clone(s)
	}
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, bundle.WriteDir(dir, specs))
	fromDir, err := bundle.ReadFile(dir)
	require.NoError(t, err)
	fromArchive, err := bundle.Read(bytes.NewReader(writeArchive(t, specs)))
	require.NoError(t, err)
	for _, b := range []*bundle.Bundle{fromDir, fromArchive} {
		require.Len(t, b.Tasks, len(specs))
		for i, task := range b.Tasks {
			id := task.Spec.GetTemplate().GetId()
			assert.Empty(t, id.GetProject())
			assert.Empty(t, id.GetDomain())
			assert.Empty(t, id.GetVersion())
			assert.Equal(t, specs[i].GetTemplate().GetId().GetOrg(), id.GetOrg())
			assert.Equal(t, specs[i].GetTemplate().GetId().GetName(), id.GetName())
			assert.Equal(t, specs[i].GetTemplate().GetId().GetResourceType(), id.GetResourceType())
			// Apart from the id, the spec is what was given.
			want := proto.Clone(specs[i]).(*admin.TaskSpec)
			want.Template.Id = id
			assert.True(t, protoEqual(want, task.Spec), "task %d", i)
		}
	}
	for i, s := range specs {
		assert.True(t, proto.Equal(orig[i], s), "input %d modified", i)
	}
}

// WithPinnedIDs keeps the ids as given.
func TestWithPinnedIDs(t *testing.T) {
	specs := daskSpecs(2)
	b, err := bundle.Read(bytes.NewReader(writeArchive(t, specs, bundle.WithPinnedIDs())))
	require.NoError(t, err)
	for i, task := range b.Tasks {
		assert.True(t, protoEqual(specs[i], task.Spec))
		assert.Equal(t, "v1.2.3-abcdef0", task.Spec.GetTemplate().GetId().GetVersion())
	}
}

// WriteDir ignores the archive-only options (it used to fail on an invalid compression level it
// does not use).
func TestWriteDirIgnoresArchiveOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, bundle.WriteDir(dir, daskSpecs(1), bundle.WithCompressionLevel(42), bundle.WithFormat(bundle.FormatTar)))
	b, err := bundle.ReadFile(dir)
	require.NoError(t, err)
	assert.Len(t, b.Tasks, 1)
}
