// Package version holds the flytedask release, written into every task's
// RuntimeMetadata.version.
package version

// Version is the flytedask release. It is a constant, not read from build
// info, so the same spec gives the same bytes whichever way the SDK was built.
const Version = "0.1.0"
