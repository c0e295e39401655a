package harness

import (
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/testing/protocmp"
)

// Clone deep-copies a flyteidl (APIv1) message.
func Clone[T protoadapt.MessageV1](m T) T {
	return protoadapt.MessageV1Of(proto.Clone(protoadapt.MessageV2Of(m))).(T)
}

// Equal reports whether two flyteidl (APIv1) messages are equal (proto.Equal).
func Equal(a, b protoadapt.MessageV1) bool {
	return proto.Equal(protoadapt.MessageV2Of(a), protoadapt.MessageV2Of(b))
}

// Diff returns a human-readable difference of two flyteidl (APIv1) messages,
// empty when they are equal.
func Diff(want, got protoadapt.MessageV1) string {
	return cmp.Diff(protoadapt.MessageV2Of(want), protoadapt.MessageV2Of(got), protocmp.Transform())
}
