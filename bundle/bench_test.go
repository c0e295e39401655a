package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
)

// floorWrite is the simplest hand-written equivalent of WriteArchive: plain proto.Marshal,
// archive/tar with default headers, compress/gzip at the default level. No validation, no
// determinism.
func floorWrite(w io.Writer, specs []*admin.TaskSpec) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	for i, s := range specs {
		data, err := proto.Marshal(s)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%04d_%s_1.pb", i, s.Template.Id.Name)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// BenchmarkWriteArchive writes 10,000 realistic Dask TaskSpecs (~1.3 KB each) with WriteArchive and,
// in the same loop, with floorWrite. It reports x-floor = time(WriteArchive)/time(floor), and the
// per-task times of both. Run: go test -run '^$' -bench BenchmarkWriteArchive -benchtime 10x ./bundle
func BenchmarkWriteArchive(b *testing.B) {
	specs := daskSpecs(10_000)
	var out bytes.Buffer
	if err := bundle.WriteArchive(&out, specs); err != nil { // warm up, size the buffer
		b.Fatal(err)
	}
	out.Grow(2 * out.Len())
	var floor, sut time.Duration
	sutBytes := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := 0; k < 2; k++ {
			// Alternate which one runs first so neither profits from the other's cache/GC state.
			runFloor := (i+k)%2 == 0
			out.Reset()
			start := time.Now()
			var err error
			if runFloor {
				err = floorWrite(&out, specs)
			} else {
				err = bundle.WriteArchive(&out, specs)
			}
			d := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if runFloor {
				floor += d
			} else {
				sut += d
				sutBytes = out.Len()
			}
		}
	}
	b.StopTimer()
	tasks := float64(b.N * len(specs))
	b.ReportMetric(float64(sut)/float64(floor), "x-floor")
	b.ReportMetric(float64(sut.Nanoseconds())/tasks, "ns/task")
	b.ReportMetric(float64(floor.Nanoseconds())/tasks, "floor-ns/task")
	b.ReportMetric(float64(sutBytes)/float64(len(specs)), "archive-bytes/task")
}
