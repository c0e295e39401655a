package cli

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/fastregister"
	"github.com/flytedask/flytedask/internal/regid"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/task"
)

// packageIDNote explains, on stderr, what the bundle's ids mean for
// `flytectl register files`.
//
// Without --pin a note is printed only when --project, --domain or
// --version was given (they do not reach the bundle then); spec files
// usually carry those values for register -f and render.
func packageIDNote(e *Env, s task.Settings, pin, flagsGiven bool) {
	coords := func() string {
		v := func(x, what string) string {
			if regid.FilledAtRegistration(x) {
				return "<" + what + " from the registering command>"
			}
			return x
		}
		return v(s.Project, "project") + "/" + v(s.Domain, "domain") + "/" + v(s.Version, "version")
	}
	switch {
	case pin && s.Version != "" && !regid.FilledAtRegistration(s.Version):
		fmt.Fprintf(e.Stderr, "note: --pin: the bundle's tasks carry %s; flytectl register files registers them as version %s whatever --version it is given (unless --force), under its own -p/-d\n", coords(), s.Version)
	case pin:
		fmt.Fprintf(e.Stderr, "note: --pin: the bundle's tasks carry %s; flytectl register files fills the rest from its -p/-d/--version\n", coords())
	case flagsGiven:
		fmt.Fprintf(e.Stderr, "note: the bundle leaves project, domain and version empty for the registering command to fill, as pyflyte package does; give them when registering (flytectl register files -p -d --version, or flytedask register --project --domain --version), or use --pin to write %s into the bundle\n", coords())
	}
}

// bundleTarget resolves the target of a bundle registration like
// `flytectl register files -p P -d D --version V [--force]`: project and
// domain always come from the flags; a task whose id holds no version (or
// flytekit's old placeholder) gets --version, a task whose id pins a version keeps it unless
// --force. One run registers one version, so a bundle whose pinned versions
// disagree with each other or with --version is refused (flytectl would
// register them at different versions, silently ignoring --version).
func bundleTarget(e *Env, f *specFlags, ids []*core.Identifier, force bool) (register.Target, error) {
	t := register.Target{Project: f.project, Domain: f.domain, Version: f.version}
	pinned := map[string][]string{} // version -> task names
	open := 0
	for _, id := range ids {
		if regid.FilledAtRegistration(id.GetVersion()) {
			open++
			continue
		}
		pinned[id.GetVersion()] = append(pinned[id.GetVersion()], id.GetName())
	}
	if force || len(pinned) == 0 {
		if err := checkTarget(t, "required with a BUNDLE"); err != nil {
			return t, err
		}
		if force && len(pinned) > 0 {
			fmt.Fprintf(e.Stderr, "note: --force: registering every task as version %s, replacing the version pinned in the bundle (as flytectl register files --force does)\n", t.Version)
		}
		return t, nil
	}
	versions := make([]string, 0, len(pinned))
	for v := range pinned {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	describe := func() string {
		var parts []string
		for _, v := range versions {
			parts = append(parts, fmt.Sprintf("%q (%s)", v, strings.Join(pinned[v], ", ")))
		}
		return strings.Join(parts, "; ")
	}
	switch {
	case len(versions) > 1:
		return t, usageErrorf("the bundle pins different versions: %s; flytectl register files would register each task at its own version and ignore --version: give --version V --force to register them all as V", describe())
	case t.Version != "" && t.Version != versions[0]:
		return t, usageErrorf("--version %s: the bundle pins version %s; flytectl register files would register its tasks as %s and silently ignore --version (unless --force): omit --version, give --version %s, or add --force to register them as %s", t.Version, describe(), versions[0], versions[0], t.Version)
	case open > 0 && t.Version == "":
		return t, usageErrorf("missing --version: %d task(s) of the bundle leave the version to the registering command; the others pin %s", open, describe())
	}
	if t.Version == "" {
		fmt.Fprintf(e.Stderr, "note: using the version the bundle pins, %s (as flytectl register files does)\n", versions[0])
		t.Version = versions[0]
	}
	return t, checkTarget(t, "required with a BUNDLE")
}

// bundleChecks refuses what flytectl would register differently: a fast-
// registered bundle (flytectl uploads its fast*.tar.gz and writes the
// location into the tasks' arguments; flytedask uploads nothing). Without a
// source archive, "{{ .remote_package_path }}" becomes "" as with flytectl,
// with a warning.
func bundleChecks(e *Env, b *bundle.Bundle, path string) error {
	var fast []string
	for _, s := range b.Skipped {
		if s.Kind == bundle.KindFastSource {
			fast = append(fast, s.Path)
		}
	}
	var users []string
	for _, s := range b.Specs() {
		if fastregister.UsesRemotePackagePath(s) {
			users = append(users, s.GetTemplate().GetId().GetName())
		}
	}
	switch {
	case len(users) == 0:
		return nil
	case len(fast) > 0:
		return failf("%s is fast-registered: flytectl register files uploads %s and writes its location into the arguments of %s; flytedask does not upload source code: register this bundle with flytectl", path, strings.Join(fast, ", "), plural(len(users), "task"))
	default:
		fmt.Fprintf(e.Stderr, "warning: %s pass %q but the bundle has no fast-register source archive: it becomes \"\", as flytectl register files does\n", plural(len(users), "task"), fastregister.RemotePackagePath)
		return nil
	}
}

// bundleValidator runs the Dask checks (task.ValidateSpec, as for built
// specs) on Dask tasks only: other task types in a bundle (pyflyte's python,
// container, sql tasks) get register's own Preflight, as flytectl, which
// validates nothing itself, would send them too.
func bundleValidator(s *admin.TaskSpec) error {
	if s.GetTemplate().GetType() != task.TaskType {
		return nil
	}
	return task.ValidateSpec(s)
}

// retryReporter prints, on stderr, that the command is waiting for
// FlyteAdmin and why: the first retry at once, then at most one line every
// few seconds (many tasks retry concurrently).
type retryReporter struct {
	e        *Env
	endpoint string
	mu       sync.Mutex
	last     time.Time
}

const retryReportEvery = 5 * time.Second

func (r *retryReporter) report(ev register.RetryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < retryReportEvery {
		return
	}
	r.last = now
	reason := oneLine(ev.Err.Error())
	limit := fmt.Sprintf("%d more retries", ev.RetriesLeft)
	if ev.Window > 0 {
		limit = fmt.Sprintf("retrying for up to %s", ev.Window.Round(time.Second))
	}
	fmt.Fprintf(r.e.Stderr, "waiting for FlyteAdmin at %s: %s after %s (%s; %s)\n", r.endpoint, ev.Code, ev.Elapsed.Round(100*time.Millisecond), reason, limit)
}

// registerForce adds --force (flytectl's flag of the same name) to cmd.
func (f *specFlags) registerForce(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.force, "force", false, "with a BUNDLE: use --version even for tasks whose id pins a version (flytectl register files --force)")
}

// dedupeIdentical drops a task that repeats an earlier task of the bundle
// byte for byte in content and name (pyflyte bundles have them: a task used
// by two modules is serialized twice). flytectl registers both files, the
// second as AlreadyExists; register refuses duplicate names, so the copy is
// dropped here, with a note. Duplicates that differ are kept, and refused.
func dedupeIdentical(e *Env, b *bundle.Bundle) []*admin.TaskSpec {
	specs := b.Specs()
	first := map[string]*admin.TaskSpec{}
	out := specs[:0:0]
	for i, s := range specs {
		name := s.GetTemplate().GetId().GetName()
		if prev, ok := first[name]; ok && proto.Equal(prev, s) {
			fmt.Fprintf(e.Stderr, "note: %s repeats task %s identically; registering it once (flytectl reports it AlreadyExists)\n", oneLine(b.Tasks[i].Path), name)
			continue
		}
		if _, ok := first[name]; !ok {
			first[name] = s
		}
		out = append(out, s)
	}
	return out
}
