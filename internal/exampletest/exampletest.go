// Package exampletest pins what the examples write: the bundle bytes (so the
// backend verification module can run the real Flyte code over them) and a
// readable JSON rendering of the same specs, for review.
package exampletest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/golden"
)

// AssertBundle writes specs as a .tgz bundle and compares it with
// testdata/name (and their JSON with testdata/name minus .tgz plus .json),
// or rewrites both with -update. It also checks that the bundle reads back
// to the same specs (with empty project, domain and version in their ids).
func AssertBundle(t *testing.T, name string, specs []*admin.TaskSpec) {
	t.Helper()
	var buf bytes.Buffer
	if err := bundle.WriteArchive(&buf, specs); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, name, buf.Bytes())

	var js bytes.Buffer
	for _, s := range specs {
		js.Write(golden.ProtoJSON(t, s))
	}
	golden.Assert(t, strings.TrimSuffix(name, ".tgz")+".json", js.Bytes())

	b, err := bundle.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tasks) != len(specs) {
		t.Fatalf("bundle has %d tasks, want %d", len(b.Tasks), len(specs))
	}
	for i, task := range b.Tasks {
		// The bundle leaves project, domain and version of the ids empty (bundle.WriteArchive's
		// default, as pyflyte package writes them); everything else reads back as built.
		want := proto.Clone(specs[i]).(*admin.TaskSpec)
		want.Template.Id.Project, want.Template.Id.Domain, want.Template.Id.Version = "", "", ""
		if !proto.Equal(task.Spec, want) {
			t.Errorf("task %d does not read back equal", i)
		}
	}
}
