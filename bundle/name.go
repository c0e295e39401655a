package bundle

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultArchiveName is the file name pyflyte package writes by default ("./flyte-package.tgz") and
// the name flytectl's documentation uses; callers without a better name should use it.
const DefaultArchiveName = "flyte-package.tgz"

// Suffixes of the per-entity files in a bundle, as written by flytekit and used by flytectl
// (v0.7.5+) to pick the message type it tries first.
const (
	// TaskSuffix ends the file name of an admin.TaskSpec.
	TaskSuffix = "_1.pb"
	// WorkflowSuffix ends the file name of an admin.WorkflowSpec.
	WorkflowSuffix = "_2.pb"
	// LaunchPlanSuffix ends the file name of an admin.LaunchPlan.
	LaunchPlanSuffix = "_3.pb"
)

// maxFileNameBytes is the limit of one path component on the common file systems (ext4, xfs, btrfs,
// APFS, NTFS in UTF-16 units): flytectl extracts every member to a temporary directory, so a longer
// file name cannot be registered.
const maxFileNameBytes = 255

// FileName returns the name pyflyte gives the i-th of n entities when that entity is a task named
// name: "{idx}_{name}_1.pb" (flytekit flytekit/tools/serialize_helpers.py,
// persist_registrable_entities).
//
// idx is str(i).zfill(w) with w = ceil(log(n, 10)) (flytekit _determine_text_chars), computed here
// exactly with integers as "the smallest w with 10^w >= n": n <= 1 gives w = 0 (so index 0 is "0"),
// n = 2..10 gives 1 digit, 11..100 two digits, 101..1000 three, and so on. Python's floating-point
// log agrees with this for every n below 10^15 (checked for n <= 2,000,000 and around every power
// of ten); bundles that large do not exist. Like Python's zfill the index is never truncated, so an
// out-of-range i (i >= n) still yields its full decimal form, and a negative i keeps its sign in
// front of the padding.
//
// Because every index in a bundle has the same width, the lexicographic order of the file names,
// which is the order flytectl registers them in, is the order of i.
//
// FileName does not validate name; the write functions do (see WriteArchive).
func FileName(i, n int, name string) string {
	return zfill(strconv.Itoa(i), indexWidth(n)) + "_" + name + TaskSuffix
}

// indexWidth returns the number of digits pyflyte uses for indexes of a bundle with n entities.
func indexWidth(n int) int {
	if n <= 1 {
		return 0
	}
	// The smallest w with 10^w >= n is the number of decimal digits of n-1.
	return len(strconv.Itoa(n - 1))
}

// zfill mirrors Python's str.zfill: pad with '0' on the left to width, after a leading sign.
func zfill(s string, width int) string {
	if len(s) >= width {
		return s
	}
	pad := strings.Repeat("0", width-len(s))
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return s[:1] + pad + s[1:]
	}
	return pad + s
}

// checkName reports why name cannot be used as a task name in a bundle file name, with the fix.
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("template.id.name is empty; set it to the task's name (e.g. \"mypkg.tasks.my_task\")")
	case !utf8.ValidString(name):
		return fmt.Errorf("template.id.name is not valid UTF-8; protobuf strings must be UTF-8")
	case strings.ContainsRune(name, '/'):
		return fmt.Errorf("template.id.name contains '/', which would put the file in a sub-directory; use '.' to separate name parts")
	case strings.ContainsRune(name, '\\'):
		return fmt.Errorf("template.id.name contains '\\', which is a path separator on Windows; use '.' to separate name parts")
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("template.id.name contains a NUL byte, which no file name can hold; remove it")
	}
	return nil
}
