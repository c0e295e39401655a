package specfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadLimited(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxSize+10)
	for _, tc := range []struct {
		name     string
		size     int
		hint     int64
		wantLen  int
		wantCaps int // the buffer's capacity, when the hint sized it
	}{
		{"no hint", 3000, 0, 3000, 0},
		{"exact hint", 3000, 3000, 3000, 3001},
		{"hint too small", 3000, 10, 3000, 0},
		{"hint too large", 3000, 5000, 3000, 5001},
		{"empty", 0, 0, 0, 0},
		{"empty with hint", 0, 100, 0, 101},
		{"larger than the limit", MaxSize + 10, MaxSize + 10, MaxSize + 1, MaxSize + 1},
		{"larger than the limit, no hint", MaxSize + 10, 0, MaxSize + 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// OneByteReader makes every Read short, as a pipe's can be.
			got, err := ReadLimited(iotest.OneByteReader(bytes.NewReader(big[:tc.size])), tc.hint)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.wantLen || !bytes.Equal(got, big[:tc.wantLen]) {
				t.Fatalf("read %d bytes, want %d", len(got), tc.wantLen)
			}
			if tc.wantCaps != 0 && cap(got) != tc.wantCaps {
				t.Errorf("capacity %d, want %d (one allocation of the hinted size)", cap(got), tc.wantCaps)
			}
		})
	}
}

func TestReadLimitedError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom))
	for _, hint := range []int64{0, 3, 100} {
		if _, err := ReadLimited(r, hint); !errors.Is(err, boom) {
			t.Fatalf("hint %d: error %v, want %v", hint, err, boom)
		}
		r = io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom))
	}
}
