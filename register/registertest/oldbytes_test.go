package registertest_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
	"github.com/flytedask/flytedask/task"
)

// TestUnknownFieldsSurvive is issue 8's promise for old bundles: a spec carrying fields the v1.16.8
// IDL does not know (here TaskMetadata field 10, the bool generates_deck older pyflyte wrote and the
// IDL now reserves, and an unknown TaskTemplate field) is read from a bundle, validated and
// registered with those bytes intact: nothing is silently dropped.
func TestUnknownFieldsSurvive(t *testing.T) {
	spec, err := quickstart().Build(task.Settings{Version: "v1"})
	require.NoError(t, err)
	oldDeck := protowire.AppendVarint(protowire.AppendTag(nil, 10, protowire.VarintType), 1)
	spec.Template.Metadata.ProtoReflect().SetUnknown(oldDeck)
	future := protowire.AppendBytes(protowire.AppendTag(nil, 999, protowire.BytesType), []byte("future"))
	spec.Template.ProtoReflect().SetUnknown(future)
	want, err := proto.MarshalOptions{Deterministic: true}.Marshal(spec)
	require.NoError(t, err)

	var archive bytes.Buffer
	require.NoError(t, bundle.WriteArchive(&archive, []*admin.TaskSpec{spec}, bundle.WithPinnedIDs()))
	b, err := bundle.Read(&archive)
	require.NoError(t, err)
	require.Len(t, b.Tasks, 1)
	got, err := proto.MarshalOptions{Deterministic: true}.Marshal(b.Tasks[0].Spec)
	require.NoError(t, err)
	assert.Equal(t, want, got, "bytes through a bundle")
	require.NoError(t, task.ValidateSpec(b.Tasks[0].Spec))

	fake := registertest.New()
	_, err = register.NewClient(fake.Client(), register.ClientOptions{}).Register(context.Background(), b.Specs(),
		register.Target{Project: "p", Domain: "d", Version: "v1"})
	require.NoError(t, err)
	stored := fake.Templates()[0]
	assert.Equal(t, []byte(oldDeck), []byte(stored.GetMetadata().ProtoReflect().GetUnknown()), "metadata field 10 sent")
	assert.Equal(t, []byte(future), []byte(stored.ProtoReflect().GetUnknown()), "template field 999 sent")
}
