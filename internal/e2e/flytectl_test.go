package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/internal/e2e/harness"
	"github.com/flytedask/flytedask/register"
)

// Issue 10: the real flytectl v0.9.4 (built by run.sh from the module proxy,
// module flytectlbuild) against the real FlyteAdmin, as the judge of
// flytedask's bundles and registrations.

// pyflyteBundles is the directory of real pyflyte bundles (flytectl's own
// test data, see its README).
const pyflyteBundles = "../../../shared/testdata/pyflyte-bundles"

// flytectl runs the flytectl binary with its own HOME, in which
// `flytectl config init --host HOST:PORT --insecure` wrote the config that
// both flytectl and flytedask use unchanged.
type flytectl struct {
	bin, home, config string
	env               []string // added to the environment of every run (e.g. SSL_CERT_FILE)
}

func newFlytectl(t *testing.T, endpoint string) *flytectl {
	t.Helper()
	c := &flytectl{bin: harness.FlytectlBin(t), home: t.TempDir()}
	res := c.exec(t, "config", "init", "--host", endpoint, "--insecure")
	require.Equal(t, 0, res.Code, "flytectl config init: %s", res)
	c.config = filepath.Join(c.home, ".flyte", "config.yaml")
	data, err := os.ReadFile(c.config)
	require.NoError(t, err, "flytectl config init wrote no config: %s", res)
	t.Logf("flytectl config init --host %s --insecure wrote:\n%s", endpoint, data)
	return c
}

func (c *flytectl) exec(t *testing.T, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(append(os.Environ(), "FLYTECTL_CONFIG=", "HOME="+c.home), c.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.Exited():
		res.Code = exit.ExitCode()
	default:
		t.Fatalf("flytectl %s: %v\n%s", strings.Join(args, " "), err, res)
	}
	t.Logf("$ flytectl %s\n%s", strings.Join(args, " "), res)
	return res
}

// run runs flytectl with --config.
func (c *flytectl) run(t *testing.T, args ...string) cliResult {
	t.Helper()
	return c.exec(t, append(args, "--config", c.config)...)
}

// registerFiles runs `flytectl register files B --archive -p -d --version V [extra...]`.
func (c *flytectl) registerFiles(t *testing.T, path, version string, extra ...string) cliResult {
	t.Helper()
	args := append([]string{"register", "files", path, "--archive", "-p", harness.Project, "-d", harness.Domain, "--version", version}, extra...)
	return c.run(t, args...)
}

// ctlRows parses flytectl's register table: for each task file name (as
// bundle.FileName writes it) of names, its "Status | Additional Info".
func ctlRows(t *testing.T, stdout string, names []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) < 4 {
			continue
		}
		file := filepath.Base(strings.TrimSpace(cells[1]))
		for _, n := range names {
			if strings.HasSuffix(file, "_"+n+bundle.TaskSuffix) {
				out[n] = strings.TrimSpace(cells[2]) + " | " + strings.TrimSpace(cells[3])
			}
		}
	}
	return out
}

// getTask returns the template FlyteAdmin holds, read with
// `flytectl get task NAME -p -d --version V -o json`.
func (c *flytectl) getTask(t *testing.T, name, version string) *core.TaskTemplate {
	t.Helper()
	res := c.run(t, "get", "task", name, "-p", harness.Project, "-d", harness.Domain, "--version", version, "-o", "json")
	require.Equal(t, 0, res.Code, "%s", res)
	var task admin.Task
	require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal([]byte(res.Stdout), &task), "flytectl get task output:\n%s", res.Stdout)
	tt := task.GetClosure().GetCompiledTask().GetTemplate()
	require.NotNil(t, tt, "no template in:\n%s", res.Stdout)
	return tt
}

// sent is what flytedask sends for spec under version: register's
// FlytectlForm with the request id as template id.
func sent(t *testing.T, spec *admin.TaskSpec, version string) *core.TaskTemplate {
	t.Helper()
	form, err := register.FlytectlForm(spec)
	require.NoError(t, err)
	tt := form.GetTemplate()
	tt.Id = &core.Identifier{ResourceType: core.ResourceType_TASK, Project: harness.Project, Domain: harness.Domain, Name: tt.GetId().GetName(), Version: version}
	return tt
}

// placeholderBundleSuffix names the example bundle rewritten in the pre-1.0
// pyflyte form (see placeholderBundle).
const placeholderBundleSuffix = "-placeholders"

// exampleBundles returns every example bundle: the golden bundles of
// examples/*/testdata, the quickstart's output and `flytedask package` of
// examples/specs/hello_dask.yaml (all with empty project, domain and version
// in their ids, as today's pyflyte package writes them), plus the latter in
// the placeholder form of 2021-22 pyflyte bundles.
func exampleBundles(t *testing.T) map[string]string {
	t.Helper()
	golden, err := filepath.Glob("../../examples/*/testdata/*.tgz")
	require.NoError(t, err)
	require.NotEmpty(t, golden)
	hello := helloBundle(t)
	out := map[string]string{"quickstart-output": quickstartBundle(t), "package-hello_dask": hello,
		"package-hello_dask" + placeholderBundleSuffix: placeholderBundle(t, hello)}
	for _, g := range golden {
		out[strings.TrimSuffix(filepath.Base(g), ".tgz")] = g
	}
	return out
}

// Pre-1.0 flytekit's registration placeholders, which flytectl fills like
// empty ids.
const (
	projectPlaceholder = "{{ registration.project }}"
	domainPlaceholder  = "{{ registration.domain }}"
	versionPlaceholder = "{{ registration.version }}"
)

// placeholderBundle rewrites the bundle at path with flytekit's
// "{{ registration.* }}" placeholders in every task id (the form of 2021-22
// pyflyte bundles), and returns the new bundle's path.
func placeholderBundle(t *testing.T, path string) string {
	t.Helper()
	b, err := bundle.ReadFile(path)
	require.NoError(t, err)
	specs := b.Specs()
	for _, s := range specs {
		id := s.GetTemplate().GetId()
		id.Project, id.Domain, id.Version = projectPlaceholder, domainPlaceholder, versionPlaceholder
	}
	out := filepath.Join(t.TempDir(), "placeholders.tgz")
	require.NoError(t, bundle.WriteFile(out, specs, bundle.WithPinnedIDs()))
	return out
}

// requireIDForm asserts that every task id of the bundle leaves project,
// domain and version to the registering command in the form the bundle's
// name promises: placeholders, or empty (the default of flytedask's writer).
func requireIDForm(t *testing.T, name string, b *bundle.Bundle) {
	t.Helper()
	want := [3]string{}
	if strings.HasSuffix(name, placeholderBundleSuffix) {
		want = [3]string{projectPlaceholder, domainPlaceholder, versionPlaceholder}
	}
	for _, task := range b.Tasks {
		id := task.Spec.GetTemplate().GetId()
		require.Equal(t, want, [3]string{id.GetProject(), id.GetDomain(), id.GetVersion()}, "task %s of %s: project, domain, version", task.Name(), name)
	}
}

// TestFlytectlRegistersExampleBundles: for every example bundle (empty ids,
// and one in the placeholder form, which both tools register alike),
//  1. flytectl register files --version V registers every task at V (the
//     bundle leaves project, domain and version to the registering command);
//  2. flytectl get task -o json returns exactly the template flytedask
//     sends (FlytectlForm + request id);
//  3. flytedask diff reports same, flytedask register AlreadyExisted, both
//     with the config `flytectl config init` wrote;
//  4. the other order at a new version: flytedask register Created, then
//     flytectl register files Success/AlreadyExists, exit 0;
//  5. flytectl register files --dryRun: Success, exit 0, nothing registered.
func TestFlytectlRegistersExampleBundles(t *testing.T) {
	ep := harness.Endpoint(t)
	ctl := newFlytectl(t, ep)
	bundles := exampleBundles(t)
	for _, name := range slices.Sorted(maps.Keys(bundles)) {
		path := bundles[name]
		t.Run(name, func(t *testing.T) {
			b, err := bundle.ReadFile(path)
			require.NoError(t, err)
			requireIDForm(t, name, b)
			names := bundleNames(t, path)

			// 1. flytectl first.
			v1 := harness.UniqueVersion("ctl-" + strings.ReplaceAll(name, "_", "-"))
			res := ctl.registerFiles(t, path, v1)
			require.Equal(t, 0, res.Code, "%s", res)
			rows := ctlRows(t, res.Stdout, names)
			for _, n := range names {
				assert.Equal(t, "Success | Successfully registered file", rows[n], "task %s: %s", n, res)
			}

			// 2. What FlyteAdmin holds is what flytedask sends.
			for _, task := range b.Tasks {
				got := ctl.getTask(t, task.Name(), v1)
				want := sent(t, task.Spec, v1)
				if d := cmp.Diff(want, got, protocmp.Transform()); d != "" {
					t.Errorf("task %s: flytectl get task differs from what flytedask sends (-flytedask +registered):\n%s", task.Name(), d)
				}
			}

			// 3. flytedask agrees, through the config flytectl wrote.
			res = runCLI(t, append([]string{"diff", path, "--config", ctl.config}, target(v1)...)...)
			require.Equal(t, 0, res.Code, "%s", res)
			for _, n := range names {
				assert.Equal(t, "same", diffLines(res.Stdout)[n], "%s", res)
			}
			requireOutcomes(t, runCLI(t, append([]string{"register", path, "--config", ctl.config}, target(v1)...)...), 0, "AlreadyExisted", names...)

			// 4. flytedask first, then flytectl.
			v2 := harness.UniqueVersion("dask-" + strings.ReplaceAll(name, "_", "-"))
			requireOutcomes(t, runCLI(t, append([]string{"register", path, "--config", ctl.config}, target(v2)...)...), 0, "Created", names...)
			res = ctl.registerFiles(t, path, v2)
			require.Equal(t, 0, res.Code, "%s", res)
			rows = ctlRows(t, res.Stdout, names)
			for _, n := range names {
				assert.Equal(t, "Success | AlreadyExists", rows[n], "task %s: %s", n, res)
			}

			// 5. --dryRun sends nothing.
			v3 := harness.UniqueVersion("dry")
			res = ctl.registerFiles(t, path, v3, "--dryRun")
			require.Equal(t, 0, res.Code, "%s", res)
			rows = ctlRows(t, res.Stdout, names)
			for _, n := range names {
				assert.True(t, strings.HasPrefix(rows[n], "Success"), "task %s: %s", n, res)
			}
			res = runCLI(t, append([]string{"diff", path, "--config", ctl.config}, target(v3)...)...)
			require.Equal(t, 1, res.Code, "%s", res)
			for _, n := range names {
				assert.Equal(t, "not registered", diffLines(res.Stdout)[n], "%s", res)
			}
		})
	}
}

// TestFlytectlPinnedBundle: a bundle written with `package --pin` pins its
// version; flytectl registers the pinned version whatever --version says,
// and flytedask, given no --version, registers the same (AlreadyExisted).
func TestFlytectlPinnedBundle(t *testing.T) {
	ep := harness.Endpoint(t)
	ctl := newFlytectl(t, ep)
	pinned := harness.UniqueVersion("pinned")
	path := filepath.Join(t.TempDir(), "pinned.tgz")
	res := runCLI(t, "package", "-f", helloSpec, "-o", path, "--pin", "--version", pinned)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Contains(t, res.Stderr, "whatever --version it is given (unless --force)")
	names := bundleNames(t, path)
	res = ctl.registerFiles(t, path, harness.UniqueVersion("ignored"))
	require.Equal(t, 0, res.Code, "%s", res)
	for _, n := range names {
		ctl.getTask(t, n, pinned) // registered under the pinned version
	}
	res = runCLI(t, "register", path, "--config", ctl.config, "--project", harness.Project, "--domain", harness.Domain)
	requireOutcomes(t, res, 0, "AlreadyExisted", names...)
	assert.Contains(t, res.Stderr, "using the version the bundle pins, "+pinned)
}

// taskOnlyBundle writes the tasks of a pyflyte bundle that have a container or
// a pod (the task kinds flytedask registers and compares) into a bundle of
// their own: without the workflows and launch plans (2021 specs FlyteAdmin
// v1.1.131 may refuse, which would stop flytectl) and without the fast-
// register source archive (flytedask does not upload source code), each
// task once. Their "{{ .remote_package_path }}" arguments then become ""
// with both tools.
func taskOnlyBundle(t *testing.T, path string) (string, []*admin.TaskSpec) {
	t.Helper()
	b, err := bundle.ReadFile(path)
	require.NoError(t, err)
	var specs []*admin.TaskSpec
	seen := map[string]*admin.TaskSpec{}
	for _, s := range b.Specs() {
		if s.GetTemplate().GetContainer() == nil && s.GetTemplate().GetK8SPod() == nil {
			continue
		}
		// pyflyte serialized some tasks twice (same name, same content); a bundle written by
		// bundle.WriteFile holds each name once.
		name := s.GetTemplate().GetId().GetName()
		if prev, ok := seen[name]; ok {
			require.True(t, proto.Equal(prev, s), "%s holds two different tasks named %s", path, name)
			continue
		}
		seen[name] = s
		specs = append(specs, proto.Clone(s).(*admin.TaskSpec))
	}
	out := filepath.Join(t.TempDir(), filepath.Base(strings.TrimSuffix(strings.TrimSuffix(path, ".tgz"), ".tar"))+"-tasks.tgz")
	require.NoError(t, bundle.WriteFile(out, specs))
	return out, specs
}

// TestFlytectlPyflyteBundlesBothOrders: for every real pyflyte bundle, its
// container tasks registered by flytectl then flytedask, and by flytedask
// then flytectl, at the same version: both succeed (AlreadyExists counts as
// success), and diff after flytectl reports no change. Tasks FlyteAdmin
// itself refuses (2021 specs) must be refused alike by both tools.
func TestFlytectlPyflyteBundlesBothOrders(t *testing.T) {
	ep := harness.Endpoint(t)
	ctl := newFlytectl(t, ep)
	all, err := filepath.Glob(filepath.Join(pyflyteBundles, "*.t*"))
	require.NoError(t, err)
	var paths []string
	for _, p := range all {
		if filepath.Base(p) != "invalid.tgz" {
			paths = append(paths, p)
		}
	}
	require.NotEmpty(t, paths)
	for _, orig := range paths {
		t.Run(filepath.Base(orig), func(t *testing.T) {
			path, specs := taskOnlyBundle(t, orig)
			require.NotEmpty(t, specs)
			var names []string
			for _, s := range specs {
				names = append(names, s.GetTemplate().GetId().GetName())
			}
			// A fast-registered original is refused by flytedask (it would need the upload).
			if ob, err := bundle.ReadFile(orig); err == nil {
				for _, s := range ob.Skipped {
					if s.Kind == bundle.KindFastSource {
						res := runCLI(t, append([]string{"register", orig, "--config", ctl.config, "--dry-run"}, target("v1")...)...)
						require.Equal(t, 1, res.Code, "%s", res)
						assert.Contains(t, res.Stderr, "is fast-registered")
						break
					}
				}
			}

			// flytectl, then flytedask.
			v1 := harness.UniqueVersion("py-ctl")
			res := ctl.registerFiles(t, path, v1, "--continueOnError")
			rows := ctlRows(t, res.Stdout, names)
			refused := map[string]bool{}
			for _, n := range names {
				if !strings.HasPrefix(rows[n], "Success") {
					refused[n] = true
					t.Logf("FlyteAdmin refuses %s (flytectl: %s)", n, rows[n])
				}
			}
			require.Less(t, len(refused), len(names), "FlyteAdmin refused every task of the bundle: %s", res)
			dres := runCLI(t, append([]string{"register", path, "--config", ctl.config, "--continue-on-error"}, target(v1)...)...)
			got := tableOutcomes(t, dres.Stdout)
			for _, n := range names {
				if refused[n] {
					assert.Equal(t, "Failed", got[n], "refused by FlyteAdmin through flytectl, so through flytedask: %s", dres)
					assert.NotContains(t, dres.Stdout, "different structure")
				} else {
					assert.Equal(t, "AlreadyExisted", got[n], "task %s: %s", n, dres)
				}
			}
			if len(refused) == 0 {
				require.Equal(t, 0, dres.Code, "%s", dres)
				res = runCLI(t, append([]string{"diff", path, "--config", ctl.config}, target(v1)...)...)
				require.Equal(t, 0, res.Code, "%s", res)
			}
			for _, s := range specs {
				n := s.GetTemplate().GetId().GetName()
				if refused[n] {
					continue
				}
				if d := cmp.Diff(sent(t, s, v1), ctl.getTask(t, n, v1), protocmp.Transform()); d != "" {
					t.Errorf("task %s: registered by flytectl differs from what flytedask sends (-flytedask +registered):\n%s", n, d)
				}
			}

			// flytedask, then flytectl.
			v2 := harness.UniqueVersion("py-dask")
			dres = runCLI(t, append([]string{"register", path, "--config", ctl.config, "--continue-on-error"}, target(v2)...)...)
			got = tableOutcomes(t, dres.Stdout)
			res = ctl.registerFiles(t, path, v2, "--continueOnError")
			rows = ctlRows(t, res.Stdout, names)
			for _, n := range names {
				if refused[n] {
					continue
				}
				assert.Equal(t, "Created", got[n], "task %s: %s", n, dres)
				assert.Equal(t, "Success | AlreadyExists", rows[n], "task %s: %s", n, res)
			}
			if len(refused) == 0 {
				require.Equal(t, 0, res.Code, "%s", res)
			}
		})
	}
}

// TestCLIRegisterRidesOutAdminStartingLate (issue 10, item 5): with no retry
// keys in the config, `flytedask register` against a FlyteAdmin that starts
// 20 s later succeeds, and says on stderr that it is waiting and why.
func TestCLIRegisterRidesOutAdminStartingLate(t *testing.T) {
	sb := harness.Standby(t)
	qs := quickstartBundle(t)
	names := bundleNames(t, qs)
	cfg := flytectlConfig(t, sb.Endpoint) // no maxRetries, maxBackoffDelay, perRetryTimeout
	version := harness.UniqueVersion("cli-late20")
	const delay = 20 * time.Second

	begin := time.Now()
	wait := startCLI(t, append([]string{"register", qs, "--config", cfg}, target(version)...)...)
	time.Sleep(delay)
	started := time.Now()
	proc := sb.Start(t)
	res := wait()
	t.Logf("admin started %s after register began; register exited %s after admin start",
		started.Sub(begin).Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	select {
	case <-proc.Exited():
		t.Fatalf("standby admin exited:\n%s", proc.LogTail(3000))
	default:
	}
	requireOutcomes(t, res, 0, "Created", names...)
	assert.Contains(t, res.Stderr, "waiting for FlyteAdmin at dns:///"+sb.Endpoint+": Unavailable after ")
	assert.Contains(t, res.Stderr, "retrying for up to 1m0s")
}
