// Package register registers Flyte task specs (github.com/flyteorg/flyte/flyteidl v1.16.8
// admin.TaskSpec, e.g. the Dask tasks built by this module) with FlyteAdmin over gRPC. It is the only
// package of the module that talks to the network; building, validating and bundling tasks needs none
// of it.
//
// # Configuring: one way
//
// A [Client] is configured by one [Options] value, aws-sdk-go-v2 style: [New](opts, optFns...)
// applies the functions to a copy of opts and builds the connection from the result, so every
// setting reaches the dialling code, and each setting has exactly one name ([RetryPolicy.MaxBackoff]
// is what the key admin.maxBackoffDelay sets, with this package's meaning: the cap of its retry
// waits; there is no second spelling). The Client keeps its own copy of every slice of the
// options, and nothing about it can be changed after it is made ([Options].OnRetry, the retry
// callback, is a field too). [NewClient] wraps a caller's [TaskService] with the subset
// [ClientOptions] (retries and the retry callback): the connection and its authentication are the
// caller's there. Per-call behaviour of [Client.Register], [DryRun] and [Client.Diff]
// (concurrency, validators, progress) is the separate [CallOption] list of that call. New does not
// dial: it creates the connection with grpc.NewClient, which connects on first use; hence the
// name New, not Dial. New takes no context: it does no network I/O, and every call of the Client
// takes its own. [FindFlytectlConfig] and [LoadFlytectlConfig] turn the `admin:` section of
// flytectl's config file ($FLYTECTL_CONFIG, ~/.flyte/config.yaml) into Options, with flytectl's
// keys and defaults (listed at [ParseFlytectlConfig]).
//
// # Connecting and authenticating
//
// Transport is TLS with the system roots unless Insecure is set; CACertFile is trusted for
// FlyteAdmin and for the OAuth2 requests. Authentication ([Auth]) is one of flytectl's flows,
// implemented with golang.org/x/oauth2: ClientSecret (client credentials), Pkce (authorization code
// with PKCE, redirect listener on a loopback address only), DeviceFlow (RFC 8628) and
// ExternalCommand, or a caller's oauth2.TokenSource. As in flytectl, the first call goes without a
// token and a flow runs only when FlyteAdmin answers Unauthenticated; the token URL, scopes,
// audience, header and public client are discovered from FlyteAdmin's AuthMetadataService when not
// configured. Tokens are cached for the Client's life, replaced before they expire
// (Auth.RefreshWindow) and once more when FlyteAdmin still refuses one. One token request (or
// token command) runs at a time, shared by every call that needs a token meanwhile; it is bounded
// by PerRetryTimeout (the interactive flows by their own timeouts) and cancelled by Close. A
// flow's refusal (a wrong client secret) is remembered for the run ([WithRetryRun]; a Register
// call is one run), so a run fails at once instead of asking again per task; the next run asks
// again. Tokens are sent as gRPC per-RPC credentials that require transport security: they are
// never sent over a plaintext connection, however it was made (Insecure, or transport credentials
// in DialOptions), unless Auth.AllowTokensOverPlaintext is set, and never appear in errors,
// results or String. (The proxy token of ProxyCommand is the exception: it is sent as flytectl sends
// it, also over plaintext, since it is meant for a proxy that may end TLS.) With no authType, an Unauthenticated answer says to set admin.authType.
// Close releases the connection, cancels token requests and commands in progress, and closes
// idle OAuth2 connections.
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
//     Target.Version} and the same id is written into a copy of the template. The target version
//     always wins (flytectl keeps a concrete version found in the file unless --force).
//   - Retries: only Unavailable, DeadlineExceeded and ResourceExhausted, with exponential backoff and
//     full jitter (each wait at most RetryPolicy.MaxBackoff, default 8s), bounded by the context and,
//     by default, by one retry window per run ([DefaultRetryWindow], 60s, see [WithRetryRun]; a call
//     begun within it is retried at least DefaultMaxRetries times), or by an explicit
//     RetryPolicy.MaxRetries per call (admin.maxRetries, flytectl's meaning); every attempt has its
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
// Results print as one line (Result.String). Field differences ([Difference]) and Preflight's
// problems (*field.Error) name fields by their protojson path from the TaskSpec, e.g.
// template.custom.workers.numberOfWorkers, as task.ValidateSpec does.
package register
