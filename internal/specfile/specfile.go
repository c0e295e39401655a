// Package specfile holds the size limit of a spec file, shared by package spec (Decode refuses larger
// files) and the CLI (which reads stdin up to it).
package specfile

import "io"

// MaxSize is the largest spec file spec.Decode accepts (8 MiB).
const MaxSize = 8 << 20

// ReadLimited reads r up to MaxSize+1 bytes, so that spec.Decode can report a larger file without
// all of it being read. sizeHint is the size r is expected to have (a file's, from Stat; 0 when
// unknown): the buffer is allocated once at that size, as os.ReadFile does, instead of growing by
// doubling (twice the file's size in garbage for a large spec).
func ReadLimited(r io.Reader, sizeHint int64) ([]byte, error) {
	lr := io.LimitReader(r, MaxSize+1)
	if sizeHint <= 0 {
		return io.ReadAll(lr)
	}
	// One byte more than the hint, so that reading to EOF does not grow the buffer.
	data := make([]byte, 0, min(sizeHint, MaxSize)+1)
	for {
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == MaxSize+1 { // the limit: Decode reports the file as too large
			return data, nil
		}
		if len(data) == cap(data) { // larger than the hint said
			data = append(data, 0)[:len(data)]
		}
	}
}
