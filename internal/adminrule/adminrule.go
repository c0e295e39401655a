// Package adminrule holds the FlyteAdmin acceptance rules that more than one flytedask package
// applies, so that each rule has one implementation: task checks them before building, register
// before sending.
package adminrule

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// URLUnsafe are the characters FlyteAdmin's validation.ValidateVersion names in its message.
const URLUnsafe = "!*'();:@&=+$,/?#[]"

// VersionProblem returns why FlyteAdmin would refuse version, or "" when it accepts it. FlyteAdmin's
// rule (validation.ValidateVersion) is that url.QueryEscape leaves the version unchanged; the checks
// before it only give clearer messages for the common cases. FlyteAdmin v1.1.131 does not apply the
// rule on CreateTask, but such versions break its HTTP API paths
// (/api/v1/tasks/{project}/{domain}/{name}/{version}).
func VersionProblem(v string) string {
	if v == "" {
		return "version is empty"
	}
	if i := strings.IndexAny(v, URLUnsafe); i >= 0 {
		return fmt.Sprintf("version %q contains %q: versions must be URL-safe, without any of %s (FlyteAdmin serves tasks at /api/v1/tasks/{project}/{domain}/{name}/{version})",
			v, v[i:i+1], URLUnsafe)
	}
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Sprintf("version %q contains white space or control characters", v)
	}
	if url.QueryEscape(v) != v {
		return fmt.Sprintf("version %q is not URL-safe ('%%' and non-ASCII characters are escaped in URLs): use letters, digits, '.', '-' and '_'", v)
	}
	return ""
}
