package harness

import (
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// Clone deep-copies a flyteidl message.
func Clone[T proto.Message](m T) T {
	return proto.Clone(m).(T)
}

// Equal reports whether two flyteidl messages are equal (proto.Equal).
func Equal(a, b proto.Message) bool {
	return proto.Equal(a, b)
}

// Diff returns a human-readable difference of two flyteidl messages,
// empty when they are equal.
func Diff(want, got proto.Message) string {
	return cmp.Diff(want, got, protocmp.Transform())
}
