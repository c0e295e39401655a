// Package register registers Flyte task specs (github.com/flyteorg/flyte/flyteidl v1.16.8 admin.TaskSpec, e.g. the Dask tasks
// built by this module) with FlyteAdmin over gRPC. It is the only package of the module that talks to
// the network; building, validating and bundling tasks needs none of it.
//
// # Connecting
//
// [Dial] takes a [Config] mirroring the `admin:` section of flytectl's config file; [FindFlytectlConfig]
// and [LoadFlytectlConfig] find and read that file ($FLYTECTL_CONFIG, ~/.flyte/config.yaml). Transport
// is TLS with the system roots unless Insecure is set. Authentication is either a caller-supplied
// oauth2.TokenSource or the OAuth2 client-credentials flow (flytectl's authType ClientSecret); the
// interactive flows (Pkce, DeviceFlow) and ExternalCommand are not implemented, and the token URL is
// not discovered from FlyteAdmin. Unlike flytectl, which authenticates lazily after an Unauthenticated
// reply, this package authenticates only when configured to. Tokens are never sent over plaintext
// unless Config.AllowCredentialsOverPlaintext is set. [NewClient] wraps any
// service.AdminServiceClient (tests, custom transports).
//
// # Registering
//
// [Client.Register] validates every spec locally first ([Preflight], an optional extra validator,
// [Target.Validate], duplicate names) and sends nothing if any is invalid. It then calls CreateTask for
// each spec with bounded concurrency and returns one [Result] per spec in input order, with an
// [Outcome]: Created, AlreadyExisted (codes.AlreadyExists is success, as in flytectl), Failed,
// NotAttempted or Invalid. Decisions worth knowing:
//
//   - Identity: the request id is {TASK, Target.Project, Target.Domain, template.id.name,
//     Target.Version} and the same id is written into a clone of the template. The target version
//     always wins (flytectl keeps a concrete version found in the file unless --force).
//   - Retries: only Unavailable, DeadlineExceeded and ResourceExhausted, with exponential backoff and
//     full jitter, bounded by MaxRetries (flytectl's default 4) and the context; every attempt has its
//     own timeout (PerRetryTimeout, default 15s). A spec is never sent again after a success reply.
//     A retry after a timed-out attempt may come back AlreadyExists if the first attempt did reach the
//     server; the result then says AlreadyExisted with a note.
//   - Failure policy: fail-fast like flytectl (the first failure stops starting new specs) unless
//     [WithContinueOnError].
//   - Cancellation: no new call starts after the context ends; calls in flight are reported Failed
//     with codes.Canceled or DeadlineExceeded because their server-side effect is unknown. Running
//     Register again is safe: identical tasks come back AlreadyExisted.
//   - Conflicts: FlyteAdmin answers InvalidArgument "task with different structure already exists"
//     when the id exists with other content. Register then fetches the registered template (GetTask)
//     and attaches a field-level diff (Result.Diff); [Client.Diff] does the same comparison on demand.
//     The diff compares templates after setting the registered template's id to the request id;
//     FlyteAdmin's own identity check hashes the compiled task, so a difference it sees outside the
//     template can show up as an empty diff.
//
// [DryRun] runs the same validation without any network access.
//
// Results print as one line (Result.String) or as table cells ([ResultHeader], Result.Row) for a CLI.
package register
