// Package specfile holds the size limit of a spec file, shared by package spec (Decode refuses larger
// files) and the CLI (which reads stdin up to it).
package specfile

import "io"

// MaxSize is the largest spec file spec.Decode accepts (8 MiB).
const MaxSize = 8 << 20

// ReadLimited reads r up to MaxSize+1 bytes, so that spec.Decode can report a larger file without
// all of it being read.
func ReadLimited(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, MaxSize+1))
}
