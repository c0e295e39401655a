// Package execution launches registered tasks and launch plans on FlyteAdmin, follows executions
// to their end and aborts them (github.com/flyteorg/flyte/flyteidl v1.16.8 AdminService).
//
// # Connecting
//
// [New] takes the [register.Options] of package register (flytectl's config file through
// [register.LoadFlytectlConfig], TLS, the authentication flows, the retry policy) and builds the
// connection with register's code, so a program that registers and runs configures one thing.
// [NewClient] wraps any [Service], such as the generated service.AdminServiceClient or
// register/registertest's fake. Every call except Follow's polls is retried as register's calls are
// (Unavailable, DeadlineExceeded and ResourceExhausted, within the retry window).
//
// # Launching
//
// A [Ref] names a task (launched as a single-task execution: spec.launch_plan is the task's id
// with resource type TASK, as flytectl and flytekit send it) or a launch plan. [Client.Fetch]
// reads its interface from FlyteAdmin ([Launchable.Params]); [Launchable.Bind] converts Go values
// and [Launchable.Parse] command-line strings by each input's type with package literal (the one
// conversion of this module), applying a launch plan's defaults and refusing its fixed inputs;
// every problem (unknown input, missing required input, value that does not fit, fixed input
// given) is reported at once as a *field.ValidationError with the path inputs.NAME, before
// anything is launched. [Client.Start] creates the execution; [Client.Launch] does all three.
//
// Every execution is created with a name ([WithName], else [NewName] makes one before the first
// attempt), so a CreateExecution retried after a lost reply cannot start a second execution:
// AlreadyExists for an execution of the same launch plan and inputs is that execution, as flytekit
// treats it; for another launch plan or other inputs the error wraps [ErrNameTaken].
//
// # Following
//
// FlyteAdmin has no streaming watch, so [Client.Follow] polls GetExecution, one attempt per poll
// interval ([WithPollInterval], default [DefaultPollInterval]). While nothing changes that is its
// whole cost: one GetExecution per interval (measured against the fake: 50 polls of a running
// execution, 50 GetExecution calls and no other call; TestFollowCostsOneGetExecutionPerPoll). Node
// executions and their task attempts (with each attempt's log links, e.g. the Dask plugin's
// "(Dask Runner Logs)") are listed when the phase changes, and again while a node is pending. The
// outputs of a succeeded execution come from GetExecutionData: inline literals as JSON-able values,
// else their URIs. Events ([WithEvents]: a callback called in order from Follow's own goroutine;
// Follow starts none) report phase, node and attempt changes and FlyteAdmin outages: Unavailable
// never ends Follow, only ctx or a non-transient error does.
//
// [Client.Abort] terminates an execution with a cause.
package execution
