package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/flytedask/flytedask/bundle"
	"github.com/flytedask/flytedask/register"
	"github.com/flytedask/flytedask/register/registertest"
)

const (
	exampleSpec     = "../../examples/specs/hello_dask.yaml"
	quickstartTGZ   = "../../examples/quickstart/testdata/quickstart.tgz"
	pyflyteRegister = "../../testdata/pyflyte/valid-register.tgz"
	helloTask       = "workflows.dask_example.hello_dask"
	scoreTask       = "workflows.dask_example.score"
)

// fakeAdmin is register/registertest's in-memory FlyteAdmin (v1.1.131's
// CreateTask/GetTask semantics) served on 127.0.0.1, so the CLI reaches it
// through its real dial path.
type fakeAdmin struct {
	*registertest.Admin
	addr string
}

func startFakeAdmin(t *testing.T, opts ...grpc.ServerOption) *fakeAdmin {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &fakeAdmin{Admin: registertest.New(), addr: lis.Addr().String()}
	srv := grpc.NewServer(opts...)
	service.RegisterAdminServiceServer(srv, f.Admin)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return f
}

func idKey(id *core.Identifier) string {
	return strings.Join([]string{id.GetProject(), id.GetDomain(), id.GetName(), id.GetVersion()}, "/")
}

// stats returns the number of CreateTask and GetTask calls and the stored keys, sorted.
func (f *fakeAdmin) stats() (creates, gets int, keys []string) {
	st := f.Stats()
	for _, n := range st.Calls {
		creates += n
	}
	for _, tt := range f.Templates() {
		keys = append(keys, idKey(tt.GetId()))
	}
	sort.Strings(keys)
	return creates, st.GetTaskCalls, keys
}

// template returns the stored template with the key, or nil.
func (f *fakeAdmin) template(key string) *core.TaskTemplate {
	for _, tt := range f.Templates() {
		if idKey(tt.GetId()) == key {
			return tt
		}
	}
	return nil
}

// hermetic makes config lookup independent of the machine: no
// $FLYTECTL_CONFIG and an empty home directory.
func hermetic(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv(register.EnvFlytectlConfig, "")
}

// runCLI runs flytedask in-process.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// changedSpec writes a copy of the example spec with 5 instead of 4
// workers by default and returns its path.
func changedSpec(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(exampleSpec)
	require.NoError(t, err)
	changed := strings.Replace(string(data), "number_of_workers: 4", "number_of_workers: 5", 1)
	require.NotEqual(t, string(data), changed)
	p := filepath.Join(t.TempDir(), "changed.yaml")
	require.NoError(t, os.WriteFile(p, []byte(changed), 0o600))
	return p
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestRegisterSpecFiles(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	conn := []string{"--endpoint", srv.addr, "--insecure"}

	// First registration: created, project/domain/version from the spec.
	code, stdout, stderr := runCLI(t, append([]string{"register", "-f", exampleSpec}, conn...)...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, ""+
		"NAME                               VERSION  OUTCOME  ATTEMPTS  INFO\n"+
		"workflows.dask_example.hello_dask  v1       Created  1         registered\n"+
		"workflows.dask_example.score       v1       Created  1         registered\n", stdout)
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	require.Len(t, lines, 3, stderr)
	assert.Equal(t, "registering 2 tasks to flytesnacks/development@v1 at "+srv.addr, lines[0])
	assert.ElementsMatch(t, []string{
		"registered workflows.dask_example.hello_dask: Created",
		"registered workflows.dask_example.score: Created",
	}, lines[1:])
	creates, _, keys := srv.stats()
	assert.Equal(t, 2, creates)
	assert.Equal(t, []string{
		"flytesnacks/development/workflows.dask_example.hello_dask/v1",
		"flytesnacks/development/workflows.dask_example.score/v1",
	}, keys)

	// Again: already existed, still success.
	code, stdout, stderr = runCLI(t, append([]string{"register", "-f", exampleSpec, "--concurrency", "1"}, conn...)...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, ""+
		"NAME                               VERSION  OUTCOME         ATTEMPTS  INFO\n"+
		"workflows.dask_example.hello_dask  v1       AlreadyExisted  1         AlreadyExists: identical task already registered\n"+
		"workflows.dask_example.score       v1       AlreadyExisted  1         AlreadyExists: identical task already registered\n", stdout)
	assert.Contains(t, stderr, "registered workflows.dask_example.hello_dask: AlreadyExisted\n")

	// Flags win over the spec's settings.
	code, _, stderr = runCLI(t, append([]string{"register", "-f", exampleSpec, "--project", "p2", "--domain", "staging", "--version", "abc"}, conn...)...)
	require.Equal(t, ExitOK, code, stderr)
	_, _, keys = srv.stats()
	assert.Contains(t, keys, "p2/staging/workflows.dask_example.hello_dask/abc")

	// Same version, changed content: failed, exit 1, with the field diff under the row.
	creates, _, _ = srv.stats()
	code, stdout, stderr = runCLI(t, append([]string{"register", "-f", changedSpec(t), "--continue-on-error"}, conn...)...)
	require.Equal(t, ExitFailure, code, stderr)
	assert.Equal(t, ""+
		"NAME                               VERSION  OUTCOME         ATTEMPTS  INFO\n"+
		"workflows.dask_example.hello_dask  v1       Failed          1         InvalidArgument: task with different structure already exists with id flytesnacks/development/workflows.dask_example.hello_dask/v1\n"+
		"    1 field differ (registered -> local):\n"+
		"      template.custom.workers.numberOfWorkers: 4 -> 5\n"+
		"workflows.dask_example.score       v1       AlreadyExisted  1         AlreadyExists: identical task already registered\n", stdout)
	assert.Contains(t, stderr, "\nflytedask: 1 of 2 tasks failed, 0 not attempted\n")
	after, _, _ := srv.stats()
	assert.Equal(t, creates+2, after, "one CreateTask per task")
}

func TestRegisterBundle(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	args := []string{"register", quickstartTGZ, "--endpoint", srv.addr, "--insecure", "--project", "flytesnacks", "--domain", "development", "--version", "qs1"}

	code, stdout, stderr := runCLI(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Equal(t, ""+
		"NAME                               VERSION  OUTCOME  ATTEMPTS  INFO\n"+
		"workflows.dask_example.hello_dask  qs1      Created  1         registered\n", stdout)

	// FlyteAdmin holds the bundle's template under the target's id.
	b, err := bundle.ReadFile(quickstartTGZ)
	require.NoError(t, err)
	require.Len(t, b.Tasks, 1)
	want := proto.Clone(b.Tasks[0].Spec.GetTemplate()).(*core.TaskTemplate)
	want.Id = &core.Identifier{ResourceType: core.ResourceType_TASK, Project: "flytesnacks", Domain: "development", Name: helloTask, Version: "qs1"}
	got := srv.template("flytesnacks/development/" + helloTask + "/qs1")
	require.NotNil(t, got)
	assert.True(t, proto.Equal(want, got), "stored template differs from the bundle's")

	code, stdout, stderr = runCLI(t, args...)
	require.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stdout, "AlreadyExisted")
}

func TestRegisterInvalidBundleSendsNothing(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	// A Dask task without its DaskJob payload: task.ValidateSpec rejects it locally.
	b, err := bundle.ReadFile(quickstartTGZ)
	require.NoError(t, err)
	bad := b.Specs()[0]
	bad.Template.Custom = nil
	path := filepath.Join(t.TempDir(), "bad.tgz")
	require.NoError(t, bundle.WriteFile(path, []*admin.TaskSpec{bad}))
	code, stdout, stderr := runCLI(t, "register", path, "--endpoint", srv.addr, "--insecure", "--project", "p", "--domain", "d", "--version", "v1")
	require.Equal(t, ExitFailure, code)
	assert.Contains(t, stdout, "workflows.dask_example.hello_dask  v1       Invalid  0         invalid task spec: ")
	assert.Contains(t, stdout, "template.custom: the task has no custom DaskJob payload")
	assert.Contains(t, stderr, "flytedask: 1 of 1 tasks are invalid; nothing was sent\n")
	creates, gets, _ := srv.stats()
	assert.Zero(t, creates+gets)
}

func TestRegisterDryRun(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	for _, args := range [][]string{
		{"register", "-f", exampleSpec, "--dry-run", "--endpoint", srv.addr, "--insecure"},
		{"register", "-f", exampleSpec, "--dry-run"}, // no config at all
		{"register", quickstartTGZ, "--dry-run", "--project", "p", "--domain", "d", "--version", "v9"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(t, args...)
			require.Equal(t, ExitOK, code, stderr)
			assert.Contains(t, stdout, "WouldRegister  0         valid, not sent (dry run)\n")
			assert.Regexp(t, `^dry run: \d tasks? would be registered to [^ ]+; nothing was sent\n$`, stderr)
		})
	}
	creates, gets, _ := srv.stats()
	assert.Zero(t, creates+gets, "a dry run sends nothing")
}

func TestRegisterUsageErrors(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	noVersion := filepath.Join(dir, "noversion.yaml")
	data, err := os.ReadFile(exampleSpec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(noVersion, []byte(strings.Replace(string(data), "version: v1 ", "", 1)), 0o600))
	placeholder := filepath.Join(dir, "placeholder.yaml")
	require.NoError(t, os.WriteFile(placeholder, []byte(strings.Replace(string(data), "version: v1 ", `version: "{{ registration.version }}"`, 1)), 0o600))

	for _, cmd := range []string{"register", "diff"} {
		for _, tc := range []struct {
			name string
			args []string
			want string
		}{
			{"spec without version", []string{"-f", noVersion}, "missing --version: give it as a flag or set it in the spec"},
			{"placeholder version", []string{"-f", placeholder}, `missing --version: the spec's version "{{ registration.version }}" is filled by flytectl only`},
			{"bundle without flags", []string{quickstartTGZ}, "missing --project, --domain, --version: required with a BUNDLE"},
			{"bundle without version", []string{quickstartTGZ, "--project", "p", "--domain", "d"}, "missing --version: required with a BUNDLE"},
			{"unsafe version", []string{quickstartTGZ, "--project", "p", "--domain", "d", "--version", "a/b"}, `--version: version "a/b" contains "/": versions must be URL-safe`},
			{"both inputs", []string{quickstartTGZ, "-f", exampleSpec}, "give spec files (-f) or a BUNDLE, not both"},
			{"no input", nil, "missing input: give -f SPEC.yaml or a BUNDLE"},
			{"zero concurrency", []string{"-f", exampleSpec, "--concurrency", "0"}, "--concurrency must be at least 1, got 0"},
			{"two bundles", []string{quickstartTGZ, quickstartTGZ}, "accepts at most 1 arg(s), received 2"},
		} {
			t.Run(cmd+" "+tc.name, func(t *testing.T) {
				code, stdout, stderr := runCLI(t, append([]string{cmd, "--endpoint", "127.0.0.1:1", "--insecure"}, tc.args...)...)
				assert.Equal(t, ExitUsage, code, stderr)
				assert.Empty(t, stdout)
				assert.Contains(t, stderr, "flytedask: "+tc.want)
				assert.Contains(t, stderr, "Run 'flytedask "+cmd+" --help' for usage.")
			})
		}
	}
}

func TestRegisterConfig(t *testing.T) {
	srv := startFakeAdmin(t)
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	good := write("good.yaml", fmt.Sprintf("admin:\n  endpoint: dns:///%s\n  insecure: true\n", srv.addr))
	elsewhere := write("elsewhere.yaml", "admin:\n  endpoint: dns:///127.0.0.1:1\n  insecure: true\n  maxRetries: 0\n")
	tls := write("tls.yaml", fmt.Sprintf("admin:\n  endpoint: %s\n", srv.addr))
	pkce := write("pkce.yaml", fmt.Sprintf("admin:\n  endpoint: dns:///%s\n  authType: Pkce\n  insecure: true\n", srv.addr))
	noEndpoint := write("noendpoint.yaml", "admin:\n  insecure: true\n")
	notYAML := write("bad.yaml", "admin: [unclosed\n")
	const secret = "s3cr3t-v4lue-never-printed"
	t.Setenv("FLYTEDASK_TEST_SECRET", secret)
	// A plaintext server that wants a token (kubectl port-forward to a sandbox with auth).
	authSrv := startFakeAdmin(t, grpc.UnaryInterceptor(func(context.Context, any, *grpc.UnaryServerInfo, grpc.UnaryHandler) (any, error) {
		return nil, status.Error(codes.Unauthenticated, "token parse error [JWT_VERIFICATION_FAILED]")
	}))
	withSecret := write("secret.yaml", fmt.Sprintf("admin:\n  endpoint: %s\n  insecure: true\n  authType: ClientSecret\n  clientId: ci\n  clientSecretEnvVar: FLYTEDASK_TEST_SECRET\n  tokenUrl: http://127.0.0.1:1/token\n  maxRetries: 0\n", authSrv.addr))
	noAuth := write("noauth.yaml", fmt.Sprintf("admin:\n  endpoint: %s\n  insecure: true\n", authSrv.addr))

	base := []string{"register", "-f", exampleSpec}
	for i, tc := range []struct {
		name    string
		env     string // $FLYTECTL_CONFIG
		home    string // content of ~/.flyte/config.yaml, if any
		args    []string
		code    int
		stderr  string
		out     string // in stdout (the table's INFO)
		created bool
	}{
		{name: "--config", args: []string{"--config", good}, code: ExitOK, created: true},
		{name: "$FLYTECTL_CONFIG", env: good, code: ExitOK, created: true},
		{name: "home config", home: fmt.Sprintf("admin: {endpoint: %q, insecure: true}\n", srv.addr), code: ExitOK, created: true},
		{name: "--config wins over $FLYTECTL_CONFIG", env: elsewhere, args: []string{"--config", good}, code: ExitOK, created: true},
		{name: "--endpoint overrides the file", args: []string{"--config", elsewhere, "--endpoint", srv.addr}, code: ExitOK, created: true},
		{name: "--insecure overrides the file", args: []string{"--config", tls, "--insecure"}, code: ExitOK, created: true},
		{name: "--endpoint needs no file", args: []string{"--endpoint", srv.addr, "--insecure"}, code: ExitOK, created: true},
		// As flytectl, a flow runs only when the server asks for a token: the sandbox needs none.
		{name: "sandbox config with authType Pkce", args: []string{"--config", pkce}, code: ExitOK, created: true},
		{name: "unreachable server", args: []string{"--config", elsewhere, "--concurrency", "1"}, code: ExitFailure, stderr: "flytedask: 1 of 2 tasks failed, 1 not attempted"},
		{name: "no config anywhere", code: ExitFailure, stderr: "flytedask: no FlyteAdmin endpoint: pass --endpoint or --config FILE, set $FLYTECTL_CONFIG, or create ~/.flyte/config.yaml"},
		{name: "missing --config file", args: []string{"--config", filepath.Join(dir, "nope.yaml"), "--endpoint", srv.addr}, code: ExitFailure, stderr: "flytedask: register: no flytectl config file found: config \"" + filepath.Join(dir, "nope.yaml") + "\": stat"},
		{name: "missing $FLYTECTL_CONFIG file", env: filepath.Join(dir, "nope.yaml"), code: ExitFailure, stderr: "flytedask: register: no flytectl config file found: $FLYTECTL_CONFIG"},
		{name: "config without endpoint", args: []string{"--config", noEndpoint}, code: ExitFailure, stderr: "flytedask: flytectl config: " + noEndpoint + ": register: invalid configuration: admin.endpoint is not set\n"},
		{name: "config not YAML", args: []string{"--config", notYAML}, code: ExitFailure, stderr: "flytedask: flytectl config: " + notYAML + ": register: invalid configuration: flytectl YAML: "},
		{name: "secret over plaintext", args: []string{"--config", withSecret}, code: ExitFailure, out: "tokens are not sent over a plaintext connection (admin.insecure: true): use TLS, or set admin.allowTokensOverPlaintext: true or --allow-tokens-over-plaintext"},
		{name: "secret over plaintext allowed", args: []string{"--config", withSecret, "--allow-tokens-over-plaintext"}, code: ExitFailure, out: `authentication failed for client id "ci" at http://127.0.0.1:1/token`,
			// How many tasks are attempted depends on scheduling (fail-fast with two workers); the reason does not.
			stderr: `tasks failed, `},
		{name: "secret over plaintext allowed, reason", args: []string{"--config", withSecret, "--allow-tokens-over-plaintext"}, code: ExitFailure,
			stderr: `not attempted: register: authentication failed for client id "ci" at http://127.0.0.1:1/token`},
		{name: "no authType against an authenticating server", args: []string{"--config", noAuth}, code: ExitFailure, out: "set admin.authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)"},
	} {
		version := fmt.Sprintf("c%d", i)
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv(register.EnvFlytectlConfig, tc.env)
			if tc.home != "" {
				require.NoError(t, os.MkdirAll(filepath.Join(home, ".flyte"), 0o700))
				require.NoError(t, os.WriteFile(filepath.Join(home, ".flyte", "config.yaml"), []byte(tc.home), 0o600))
			}
			// A fresh version per case, so that every successful case creates.
			args := append(append(append([]string(nil), base...), "--version", version), tc.args...)
			code, stdout, stderr := runCLI(t, args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stderr, tc.stderr)
			assert.Contains(t, stdout, tc.out)
			assert.NotContains(t, stdout+stderr, secret)
			if tc.created {
				assert.Contains(t, stdout, "workflows.dask_example.score       "+version+"  ")
				assert.NotContains(t, stdout, "Failed")
			}
		})
	}
}

func TestRegisterCancelled(t *testing.T) {
	hermetic(t)
	srv := startFakeAdmin(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"register", "-f", exampleSpec, "--endpoint", srv.addr, "--insecure"}, strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, ExitFailure, code)
	assert.Contains(t, stdout.String(), "workflows.dask_example.hello_dask  v1       NotAttempted  0         Canceled: not attempted: context canceled\n")
	assert.Contains(t, stderr.String(), "flytedask: 0 of 2 tasks failed, 2 not attempted (context canceled)\n")
	creates, _, _ := srv.stats()
	assert.Zero(t, creates)
}

func ExampleMain_registerDryRun() {
	spec := `
project: flytesnacks
domain: development
tasks:
  - name: wf.hello
    image: ghcr.io/acme/dask-app:1.4.2
    python: {module: wf, function: hello}
    requests: {cpu: "1", mem: 2Gi}
    limits: {cpu: "1", mem: 2Gi}
    dask:
      workers:
        number_of_workers: 4
        requests: {cpu: "2", mem: 8Gi}
        limits: {cpu: "2", mem: 8Gi}
`
	// --dry-run validates and lists what would be registered: no network, no config file.
	code := Main(context.Background(), []string{"register", "-f", "-", "--version", "v1", "--dry-run"}, strings.NewReader(spec), os.Stdout, os.Stdout)
	fmt.Println("exit code", code)
	// Output:
	// NAME      VERSION  OUTCOME        ATTEMPTS  INFO
	// wf.hello  v1       WouldRegister  0         valid, not sent (dry run)
	// dry run: 1 task would be registered to flytesnacks/development@v1; nothing was sent
	// exit code 0
}

// TestRegisterClientSecret goes through TLS (a private CA from
// caCertFilePath) and the OAuth2 client-credentials flow with the secret in
// an environment variable, as a CI config would, and checks that neither
// the secret nor the token is ever printed.
func TestRegisterClientSecret(t *testing.T) {
	hermetic(t)
	const (
		clientSecret = "client-secret-DO-NOT-LEAK"
		accessToken  = "access-token-DO-NOT-LEAK"
	)
	var tokenRequests atomic.Int32
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokenRequests.Add(1)
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		if id != "ci" || secret != clientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": accessToken, "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(tokens.Close)

	cert, caFile := selfSignedCert(t)
	srv := startFakeAdmin(t,
		grpc.Creds(credentials.NewServerTLSFromCert(&cert)),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			md, _ := metadata.FromIncomingContext(ctx)
			if v := md.Get("authorization"); len(v) != 1 || v[0] != "Bearer "+accessToken {
				return nil, status.Error(codes.Unauthenticated, "missing or bad token")
			}
			return h(ctx, req)
		}))
	cfg := writeFile(t, t.TempDir(), "config.yaml", fmt.Sprintf(`admin:
  endpoint: dns:///%s
  caCertFilePath: %s
  authType: ClientSecret
  clientId: ci
  clientSecretEnvVar: FLYTEDASK_TEST_CLIENT_SECRET
  tokenUrl: %s
  scopes: [all]
`, srv.addr, caFile, tokens.URL))

	for _, tc := range []struct {
		name, secret string
		code         int
		want         string
	}{
		{"right secret", clientSecret, ExitOK, helloTask + "  v1       Created"},
		{"wrong secret", "not-" + clientSecret[:10], ExitFailure, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FLYTEDASK_TEST_CLIENT_SECRET", tc.secret)
			code, stdout, stderr := runCLI(t, "register", "-f", exampleSpec, "--config", cfg)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stdout, tc.want)
			for _, s := range []string{clientSecret, accessToken, tc.secret} {
				assert.NotContains(t, stdout+stderr, s)
			}
		})
	}
	assert.Positive(t, tokenRequests.Load())
	_, _, keys := srv.stats()
	assert.Len(t, keys, 2)
}

// selfSignedCert returns a certificate for 127.0.0.1 and the path of a PEM
// file holding it (the CA to trust).
func selfSignedCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fake flyteadmin"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, err)
	return cert, writeFile(t, t.TempDir(), "ca.pem", string(certPEM))
}
