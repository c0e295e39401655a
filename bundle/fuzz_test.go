package bundle_test

import (
	"bytes"
	"errors"
	"sort"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"

	"github.com/flytedask/flytedask/bundle"
)

// FuzzRead feeds arbitrary bytes to Read. Seeds: testdata/fuzz/FuzzRead (real pyflyte bundles,
// bundles written by this package, hostile archives) plus the ones added below. Properties: no
// panic; every error wraps one of the package's sentinels; a successful result is sorted, holds
// only specs with a named template id, and its (uniquely named) specs survive a write/read round
// trip. Workflows and launch plans are decoded with a name.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := bundle.WriteArchive(&buf, daskSpecs(2)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	if err := bundle.WriteArchive(&buf, daskSpecs(1), bundle.WithFormat(bundle.FormatTar)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	if err := entities(2).WriteArchive(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b})

	sentinels := []error{
		bundle.ErrNotArchive, bundle.ErrCorrupt, bundle.ErrUnsafePath, bundle.ErrUnsupportedEntry,
		bundle.ErrDuplicateEntry, bundle.ErrTooLarge, bundle.ErrTooManyEntries, bundle.ErrInvalidFile,
		bundle.ErrDecode,
	}
	limits := bundle.WithLimits(bundle.Limits{MaxFileSize: 1 << 20, MaxTotalSize: 8 << 20, MaxEntries: 1000})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := bundle.Read(bytes.NewReader(data), limits)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		paths := make([]string, 0, len(b.Tasks))
		seen := map[string]bool{}
		var unique []*admin.TaskSpec
		for _, task := range b.Tasks {
			if task.Spec.GetTemplate().GetId().GetName() == "" {
				t.Fatalf("task %q without a name", task.Path)
			}
			paths = append(paths, task.Path)
			if !seen[task.Name()] {
				seen[task.Name()] = true
				unique = append(unique, task.Spec)
			}
		}
		if !sort.SliceIsSorted(b.Skipped, func(i, j int) bool { return b.Skipped[i].Path < b.Skipped[j].Path }) {
			t.Fatalf("skipped entries not sorted")
		}
		for _, w := range b.Workflows {
			if w.Name() == "" {
				t.Fatalf("workflow %q without a name", w.Path)
			}
		}
		for _, l := range b.LaunchPlans {
			if l.Name() == "" {
				t.Fatalf("launch plan %q without a name", l.Path)
			}
		}
		var out bytes.Buffer
		if err := bundle.WriteArchive(&out, unique, bundle.WithPinnedIDs()); err != nil {
			if errors.Is(err, bundle.ErrInvalidSpec) {
				return // e.g. a name with '/' or invalid UTF-8 that a hostile file carried
			}
			t.Fatalf("write: %v", err)
		}
		again, err := bundle.Read(&out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if len(again.Tasks) != len(unique) {
			t.Fatalf("round trip: %d tasks, want %d", len(again.Tasks), len(unique))
		}
		for i := range unique {
			if !protoEqual(unique[i], again.Tasks[i].Spec) {
				t.Fatalf("round trip changed task %d", i)
			}
		}
	})
}
