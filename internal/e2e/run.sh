#!/usr/bin/env bash
# End-to-end harness: a real FlyteAdmin v1.1.131 on PostgreSQL 15 plus a stub
# Kubernetes discovery API, then `go test` of this module against it.
#
# Usage: internal/e2e/run.sh [go test arguments...]   (default: ./...)
#   e.g. internal/e2e/run.sh -run 'TestCreateTask|TestAdminStartedLate' -v ./...
#
# What it does (all state under internal/e2e/.work/, gitignored):
#   1. installs PostgreSQL 15 with apt-get when no initdb/pg_ctl is found (root only);
#   2. builds flyteadmin (module ./adminbuild), flytectl v0.9.4 (module
#      ./flytectlbuild), the helpers in ./cmd (kubestub,
#      freeport, waitadmin) and the main module's flytedask CLI and quickstart
#      example (tools of this module) into .work/bin, and pre-compiles the tests;
#   3. creates a network namespace with only loopback up (root + iproute2) and runs
#      every process below inside it: FlyteAdmin v1.1.131 hard-codes 0.0.0.0 for its
#      HTTP, gRPC and profiler listeners, so nothing may listen on real interfaces;
#   4. initdb + pg_ctl start as user postgres (127.0.0.1 only, no unix socket, free
#      port), CREATE DATABASE flyte; starts kubestub (127.0.0.1, writes kubeconfig);
#   5. writes admin.yaml, runs `migrate run`, `migrate seed-projects flytesnacks`,
#      starts `serve`, waits (bounded) until gRPC answers;
#   5b. starts a third FlyteAdmin with authentication on (authadmin.yaml): TLS with a
#      private CA (authkit certs), useAuth with its own OAuth2 server (appAuth Self),
#      a static confidential client flytedask-ci whose secret it holds as the base64 of
#      its bcrypt hash, scopes [all], 45 s access tokens, and a stub OpenID issuer
#      (authkit oidc) for its start-up discovery; keys from `flyteadmin secret init`;
#   6. writes standby.yaml for a second admin (same database, own ports) that tests
#      start and stop themselves (harness.Standby), e.g. the "admin started late"
#      scenario;
#   7. runs `go test` here with FLYTEDASK_E2E_* set (see harness/harness.go);
#   8. on exit, always: stops admin, kubestub and postgres, kills whatever is left in
#      the namespace, deletes it, removes the database directory. Exit code = go test's.
#
# Environment knobs:
#   FLYTEDASK_E2E_NETNS=auto|1|0  auto (default): use a namespace when possible;
#                                 1: require it; 0: never (then the listeners bind
#                                 0.0.0.0 on random free ports; clients use 127.0.0.1).
#   FLYTEDASK_E2E_WORK=DIR        state directory (default internal/e2e/.work)
#   FLYTEDASK_E2E_PG_BINDIR=DIR   directory with initdb/pg_ctl/psql
#   FLYTEDASK_E2E_TEST_TIMEOUT    go test -timeout (default 10m)
#   FLYTEDASK_E2E_READY_TIMEOUT   seconds to wait for admin's gRPC (default 180)
#   FLYTEDASK_E2E_KEEP_DB=1       keep the PostgreSQL data directory after the run
#   FLYTEDASK_E2E_EXECPATH=0      skip the execution path (execpath.sh: kube-apiserver,
#                                 a second FlyteAdmin, flytepropeller, local Dask operator)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${FLYTEDASK_E2E_WORK:-$HERE/.work}
BIN=$WORK/bin
LOGS=$WORK/logs
NETNS_MODE=${FLYTEDASK_E2E_NETNS:-auto}
TEST_TIMEOUT=${FLYTEDASK_E2E_TEST_TIMEOUT:-10m}
READY_TIMEOUT=${FLYTEDASK_E2E_READY_TIMEOUT:-180}

NETNS=""          # name of the namespace we created, if any
PGBIN=""          # directory holding initdb/pg_ctl
PGDATA=""         # database directory (we created it)
PG_STARTED=0
ADMIN_PID=""
STUB_PID=""
AUTH_ADMIN_PID="" # FlyteAdmin with authentication on
OIDC_PID=""       # its stub OpenID issuer
TEST_PGID=""      # process group of `go test`, while it runs
SCRIPT_START=$(date +%s)

log() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# NSEXEC is the command prefix that enters our namespace (empty without one).
# Background processes use it directly rather than through nsrun, so that $!
# is the process itself and not a subshell around it.
NSEXEC=()

# nsrun runs a command inside our namespace (or directly without one).
nsrun() {
	if [[ -n $NETNS ]]; then
		ip netns exec "$NETNS" "$@"
	else
		"$@"
	fi
}

# asdb runs a command as the database owner (postgres refuses to run as root).
asdb() {
	if [[ $EUID -eq 0 ]]; then
		nsrun runuser -u postgres -- "$@"
	else
		nsrun "$@"
	fi
}

# stop_pid PID NAME: SIGTERM, wait up to 15 s, then SIGKILL.
stop_pid() {
	local pid=$1 name=$2 i
	[[ -n $pid ]] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	log "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name did not stop, SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

show_log() {
	local f=$1
	[[ -s $f ]] || return 0
	log "---- last lines of $f ----"
	tail -n "${2:-40}" "$f" >&2 || true
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [[ $rc -ne 0 ]]; then
		show_log "$LOGS/admin.log"
		show_log "$LOGS/authadmin.log"
		show_log "$LOGS/kubestub.log" 10
		show_log "$LOGS/postgres.log" 20
	fi
	if [[ -n $TEST_PGID ]]; then
		log "interrupted: stopping go test (process group $TEST_PGID)"
		kill -TERM -- "-$TEST_PGID" 2>/dev/null
		sleep 2
		kill -KILL -- "-$TEST_PGID" 2>/dev/null
		wait "$TEST_PGID" 2>/dev/null
	fi
	declare -F execpath_stop >/dev/null && execpath_stop "$rc"
	stop_pid "$ADMIN_PID" flyteadmin
	stop_pid "$AUTH_ADMIN_PID" "flyteadmin (auth)"
	stop_pid "$OIDC_PID" "stub OpenID issuer"
	stop_pid "$STUB_PID" kubestub
	if [[ $PG_STARTED -eq 1 ]]; then
		log "stopping postgres"
		asdb "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1
		if [[ -f $PGDATA/postmaster.pid ]]; then
			local pgpid
			pgpid=$(head -n 1 "$PGDATA/postmaster.pid")
			[[ -n $pgpid ]] && kill -KILL "$pgpid" 2>/dev/null
		fi
	fi
	if [[ -n $NETNS ]]; then
		# Everything in the namespace was started by this script or its tests.
		local left
		left=$(ip netns pids "$NETNS" 2>/dev/null | tr '\n' ' ')
		if [[ -n ${left// /} ]]; then
			log "killing leftover processes in namespace $NETNS: $left"
			# shellcheck disable=SC2086
			kill -KILL $left 2>/dev/null
			sleep 0.5
		fi
		ip netns delete "$NETNS" 2>/dev/null || log "could not delete namespace $NETNS"
	fi
	if [[ -n $PGDATA && -d $PGDATA && ${FLYTEDASK_E2E_KEEP_DB:-0} != 1 ]]; then
		rm -rf "$PGDATA"
	fi
	log "done in $(($(date +%s) - SCRIPT_START)) s, exit code $rc (logs: $LOGS)"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# 1. PostgreSQL binaries.
find_pgbin() {
	local d
	for d in "${FLYTEDASK_E2E_PG_BINDIR:-}" /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then
			echo "$d"
			return 0
		fi
	done
	if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
		dirname "$(readlink -f "$(command -v initdb)")"
		return 0
	fi
	return 1
}

install_postgres() {
	[[ $EUID -eq 0 ]] || die "PostgreSQL (initdb, pg_ctl) not found and not root: install postgresql-15 or set FLYTEDASK_E2E_PG_BINDIR"
	command -v apt-get >/dev/null || die "PostgreSQL not found and no apt-get: install PostgreSQL 15 or set FLYTEDASK_E2E_PG_BINDIR"
	log "installing postgresql-15 with apt-get"
	local policy=0
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		# Keep the package from starting its own cluster on port 5432.
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	local ok=1
	# postgresql-15 is Debian 12's; elsewhere take the distribution's default.
	apt-get update -qq </dev/null &&
		{ apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 </dev/null ||
			apt-get install -y -qq --no-install-recommends postgresql postgresql-client </dev/null; } || ok=0
	[[ $policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
	[[ $ok -eq 1 ]] || die "apt-get install postgresql-15 failed"
}

PGBIN=$(find_pgbin) || {
	install_postgres
	PGBIN=$(find_pgbin) || die "initdb/pg_ctl still not found after installing postgresql-15"
}
PSQL=$PGBIN/psql
[[ -x $PSQL ]] || PSQL=$(command -v psql) || die "psql not found"
if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
	die "user postgres does not exist (PostgreSQL refuses to run as root); create it or install postgresql-15"
fi
log "PostgreSQL: $("$PGBIN/pg_ctl" --version) in $PGBIN"

# ---------------------------------------------------------------------------
# 2. Build (outside the namespace: needs the module proxy on a cold cache).
mkdir -p "$BIN" "$LOGS"
rm -f "$LOGS"/*.log
# Execution path (issue 15, execpath.sh): its builds run in the background
# from here on, overlapping FlyteAdmin's; execpath_start waits for them.
source "$HERE/execpath.sh"
execpath_build_start
command -v go >/dev/null || die "go not found"
log "building flyteadmin v1.1.131 (module adminbuild)"
t0=$(date +%s)
# CGO_ENABLED=0: the only cgo dependency is SQLite, which v1.1.131 cannot use
# anyway (its migrations fail there); skipping it saves a minute of C compiling.
(cd "$HERE/adminbuild" && CGO_ENABLED=0 go build -o "$BIN/flyteadmin" github.com/flyteorg/flyteadmin/cmd)
log "flyteadmin built in $(($(date +%s) - t0)) s"
# Issue 14: the native scheduler of the same release (adminbuild's second tool);
# TestScheduleFires starts it against admin.yaml's database and admin.
t2=$(date +%s)
(cd "$HERE/adminbuild" && CGO_ENABLED=0 go build -o "$BIN/flytescheduler" github.com/flyteorg/flyteadmin/cmd/scheduler)
log "flytescheduler built in $(($(date +%s) - t2)) s"
# flytectl v0.9.4 (module flytectlbuild), the peer tool: issue 10's tests
# register with it and compare with what flytedask sends.
t1=$(date +%s)
log "building flytectl v0.9.4 (module flytectlbuild)"
(cd "$HERE/flytectlbuild" && CGO_ENABLED=0 go build -o "$BIN/flytectl" github.com/flyteorg/flyte/flytectl)
log "flytectl built in $(($(date +%s) - t1)) s"
(cd "$HERE" && go build -o "$BIN/" ./cmd/...)
# This module requires the main module (replace => ../..): when the main
# go.mod gains a requirement, this go.mod must be tidied again, else the
# offline test run below fails on a missing module.
(cd "$HERE" && go mod tidy -diff >"$LOGS/tidy.diff" 2>&1) ||
	die "internal/e2e/go.mod is not tidy (did the main module's go.mod change?): run 'cd internal/e2e && go mod tidy'; see $LOGS/tidy.diff"
log "building flytedask and examples/quickstart, pre-compiling tests"
# The tests build cmd/flytedask and examples/quickstart themselves (go.mod
# lists them as tools); building them here downloads their modules while the
# proxy is reachable and fills the build cache.
(cd "$HERE" && go mod download && go build -o "$BIN/" tool && go test -count=1 -run '^$' ./... >/dev/null)
log "build done in $(($(date +%s) - t0)) s"

# ---------------------------------------------------------------------------
# 3. Network namespace.
netns_possible() {
	[[ $EUID -eq 0 ]] && command -v ip >/dev/null
}
case $NETNS_MODE in
auto | 1)
	if ! netns_possible && [[ $NETNS_MODE == 1 && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
		log "installing iproute2"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 </dev/null >/dev/null
	fi
	if netns_possible; then
		name=flytedask-e2e-$$
		if ip netns add "$name" 2>"$LOGS/netns.err"; then
			NETNS=$name
			NSEXEC=(ip netns exec "$NETNS")
			ip netns exec "$NETNS" ip link set lo up
			log "network namespace $NETNS (loopback only)"
		else
			[[ $NETNS_MODE == 1 ]] && die "ip netns add failed: $(cat "$LOGS/netns.err")"
		fi
	elif [[ $NETNS_MODE == 1 ]]; then
		die "FLYTEDASK_E2E_NETNS=1 but namespaces need root and iproute2"
	fi
	;;
0) ;;
*) die "FLYTEDASK_E2E_NETNS must be auto, 1 or 0" ;;
esac
if [[ -z $NETNS ]]; then
	log "WARNING: no network namespace: flyteadmin binds 0.0.0.0 on random free ports for this run; clients use 127.0.0.1 only"
fi

# Ports: chosen inside the namespace (all free there), or random free ones.
mapfile -t PORTS < <(nsrun "$BIN/freeport" -n 10)
[[ ${#PORTS[@]} -eq 10 ]] || die "freeport failed"
PG_PORT=${PORTS[0]}
ADMIN_HTTP=${PORTS[1]} ADMIN_GRPC=${PORTS[2]} ADMIN_PROF=${PORTS[3]}
STANDBY_HTTP=${PORTS[4]} STANDBY_GRPC=${PORTS[5]} STANDBY_PROF=${PORTS[6]}
AUTH_HTTP=${PORTS[7]} AUTH_GRPC=${PORTS[8]} AUTH_PROF=${PORTS[9]}

# ---------------------------------------------------------------------------
# 4. PostgreSQL and the stub Kubernetes API.
PGDATA=$WORK/pgdata
rm -rf "$PGDATA"
mkdir -p "$PGDATA"
if [[ $EUID -eq 0 ]]; then
	chown postgres: "$PGDATA"
	chmod 700 "$PGDATA"
	if ! runuser -u postgres -- test -w "$PGDATA"; then
		# A parent directory is not traversable for postgres: use /tmp instead.
		rmdir "$PGDATA"
		PGDATA=$(mktemp -d /tmp/flytedask-e2e-pg.XXXXXX)
		chown postgres: "$PGDATA"
	fi
fi
log "initdb $PGDATA"
asdb "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C >"$LOGS/initdb.log" 2>&1 ||
	{
		show_log "$LOGS/initdb.log"
		die "initdb failed"
	}
log "starting postgres on 127.0.0.1:$PG_PORT"
PG_STARTED=1
asdb "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
	-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off" start >/dev/null ||
	{
		cp "$PGDATA/server.log" "$LOGS/postgres.log" 2>/dev/null
		die "pg_ctl start failed"
	}
nsrun "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE flyte' </dev/null

KUBECONFIG_FILE=$WORK/kubeconfig
rm -f "$KUBECONFIG_FILE"
"${NSEXEC[@]}" "$BIN/kubestub" -addr 127.0.0.1:0 -kubeconfig "$KUBECONFIG_FILE" </dev/null >"$LOGS/kubestub.log" 2>&1 &
STUB_PID=$!
for ((i = 0; i < 100; i++)); do
	[[ -s $KUBECONFIG_FILE ]] && break
	kill -0 "$STUB_PID" 2>/dev/null || die "kubestub exited"
	sleep 0.1
done
[[ -s $KUBECONFIG_FILE ]] || die "kubestub wrote no kubeconfig"
log "kubestub: $(grep -o 'http://[0-9.:]*' "$KUBECONFIG_FILE")"

# ---------------------------------------------------------------------------
# 5. FlyteAdmin.
write_admin_config() { # FILE HTTP GRPC PROFILER [SECURITY_BLOCK]
	local security=${5:-"    secure: false
    useAuth: false"}
	cat >"$1" <<EOF
# Generated by internal/e2e/run.sh. See shared/reference/registration.md §3.3.
logger:
  level: 4
  formatter:
    type: text
server:
  httpPort: $2
  grpc:
    port: $3
  kube-config: $KUBECONFIG_FILE
  security:
$security
flyteadmin:
  runScheduler: false
  profilerPort: $4
  metadataStoragePrefix: [metadata, admin]
database:
  postgres:
    host: 127.0.0.1
    port: $PG_PORT
    username: postgres
    password: postgres
    dbname: flyte
    options: "sslmode=disable"
storage:
  type: mem
  container: flyte
domains:
  - {id: development, name: development}
  - {id: staging, name: staging}
  - {id: production, name: production}
# Platform limits on container resources. FlyteAdmin's built-in default
# (memory 1Gi) rejects the project's examples (quickstart 2Gi, hello_dask.yaml
# 4Gi); a real deployment raises them the same way (or per project/domain).
task_resources:
  defaults: {cpu: 100m, memory: 200Mi}
  limits: {cpu: 4, memory: 8Gi, gpu: 1}
EOF
}
ADMIN_CONFIG=$WORK/admin.yaml
STANDBY_CONFIG=$WORK/standby.yaml
write_admin_config "$ADMIN_CONFIG" "$ADMIN_HTTP" "$ADMIN_GRPC" "$ADMIN_PROF"
write_admin_config "$STANDBY_CONFIG" "$STANDBY_HTTP" "$STANDBY_GRPC" "$STANDBY_PROF"

# The FlyteAdmin with authentication on: keys, certificates, client secret, OpenID stub.
AUTH_DIR=$WORK/auth
AUTH_CONFIG=$WORK/authadmin.yaml
AUTH_URL=https://127.0.0.1:$AUTH_HTTP
rm -rf "$AUTH_DIR"
mkdir -p "$AUTH_DIR"
"$BIN/authkit" certs -dir "$AUTH_DIR" || die "authkit certs failed"
"$BIN/flyteadmin" secret init -p "$AUTH_DIR" </dev/null >"$LOGS/secret-init.log" 2>&1 ||
	{
		show_log "$LOGS/secret-init.log"
		die "flyteadmin secret init failed"
	}
rm -f "$AUTH_DIR/oidc.url"
"${NSEXEC[@]}" "$BIN/authkit" oidc -addr 127.0.0.1:0 -url-file "$AUTH_DIR/oidc.url" </dev/null >"$LOGS/oidc.log" 2>&1 &
OIDC_PID=$!
for ((i = 0; i < 100; i++)); do
	[[ -s $AUTH_DIR/oidc.url ]] && break
	kill -0 "$OIDC_PID" 2>/dev/null || die "authkit oidc exited"
	sleep 0.1
done
[[ -s $AUTH_DIR/oidc.url ]] || die "authkit oidc wrote no URL"
OIDC_URL=$(cat "$AUTH_DIR/oidc.url")
write_admin_config "$AUTH_CONFIG" "$AUTH_HTTP" "$AUTH_GRPC" "$AUTH_PROF" "    secure: true
    useAuth: true
    ssl:
      certificateFile: $AUTH_DIR/server.pem
      keyFile: $AUTH_DIR/server-key.pem"
cat >>"$AUTH_CONFIG" <<EOF
secrets:
  secrets-prefix: $AUTH_DIR
auth:
  authorizedUris: [$AUTH_URL]
  userAuth:
    openId:
      baseUrl: $OIDC_URL
      clientId: flytedask-e2e
      scopes: [openid]
  appAuth:
    authServerType: Self
    selfAuthServer:
      issuer: $AUTH_URL
      accessTokenLifespan: 45s
      staticClients:
        flytedask-ci:
          id: flytedask-ci
          client_secret: $(cat "$AUTH_DIR/client_secret.hash")
          redirect_uris: [$AUTH_URL/callback]
          grant_types: [client_credentials]
          response_types: [token]
          scopes: [all]
          public: false
    thirdPartyConfig:
      flyteClient:
        clientId: flytectl
        redirectUri: http://localhost:53593/callback
        scopes: [all]
EOF

log "flyteadmin migrate run"
nsrun "$BIN/flyteadmin" migrate run --config "$ADMIN_CONFIG" </dev/null >"$LOGS/migrate.log" 2>&1 ||
	{
		show_log "$LOGS/migrate.log"
		die "migrate run failed"
	}
nsrun "$BIN/flyteadmin" migrate seed-projects flytesnacks --config "$ADMIN_CONFIG" </dev/null >>"$LOGS/migrate.log" 2>&1 ||
	{
		show_log "$LOGS/migrate.log"
		die "migrate seed-projects failed"
	}

log "flyteadmin serve (gRPC 127.0.0.1:$ADMIN_GRPC, HTTP $ADMIN_HTTP, profiler $ADMIN_PROF)"
serve_start=$(date +%s%N)
"${NSEXEC[@]}" "$BIN/flyteadmin" serve --config "$ADMIN_CONFIG" </dev/null >"$LOGS/admin.log" 2>&1 &
ADMIN_PID=$!
log "flyteadmin serve with authentication ($AUTH_URL, TLS, private CA)"
"${NSEXEC[@]}" "$BIN/flyteadmin" serve --config "$AUTH_CONFIG" </dev/null >"$LOGS/authadmin.log" 2>&1 &
AUTH_ADMIN_PID=$!
deadline=$(($(date +%s) + READY_TIMEOUT))
until nsrun "$BIN/waitadmin" -endpoint "127.0.0.1:$ADMIN_GRPC" -timeout 2s -interval 200ms >/dev/null 2>&1; do
	kill -0 "$ADMIN_PID" 2>/dev/null || die "flyteadmin serve exited before answering"
	(($(date +%s) < deadline)) || die "flyteadmin did not answer gRPC within $READY_TIMEOUT s"
done
log "flyteadmin answered gRPC $((($(date +%s%N) - serve_start) / 1000000)) ms after serve started"
nsrun "$BIN/authkit" wait -url "$AUTH_URL/.well-known/oauth-authorization-server" -ca "$AUTH_DIR/ca.pem" -timeout "${READY_TIMEOUT}s" ||
	{
		kill -0 "$AUTH_ADMIN_PID" 2>/dev/null || log "flyteadmin (auth) exited"
		die "flyteadmin with authentication did not answer at $AUTH_URL"
	}
log "flyteadmin (auth) answered $((($(date +%s%N) - serve_start) / 1000000)) ms after serve started"

# 6b. The real execution path: kube-apiserver, FlyteAdmin, flytepropeller, Dask.
execpath_start

# ---------------------------------------------------------------------------
# 7. Tests.
if [[ $# -eq 0 ]]; then
	set -- ./...
fi
log "go test $* (timeout $TEST_TIMEOUT)"
# In its own session/process group (setsid), in the background with `wait`,
# so that a signal to this script runs cleanup at once (bash defers traps
# while a foreground child runs) and cleanup can end the whole group: go,
# the test binaries and any admin a test started.
cd "$HERE"
setsid "${NSEXEC[@]}" env \
	FLYTEDASK_E2E_ENDPOINT="127.0.0.1:$ADMIN_GRPC" \
	FLYTEDASK_E2E_ADMIN_BIN="$BIN/flyteadmin" \
	FLYTEDASK_E2E_STANDBY_CONFIG="$STANDBY_CONFIG" \
	FLYTEDASK_E2E_STANDBY_ENDPOINT="127.0.0.1:$STANDBY_GRPC" \
	FLYTEDASK_E2E_WORKDIR="$LOGS" \
	FLYTEDASK_E2E_AUTH_ENDPOINT="127.0.0.1:$AUTH_HTTP" \
	FLYTEDASK_E2E_AUTH_DIR="$AUTH_DIR" \
	FLYTEDASK_E2E_AUTHKIT="$BIN/authkit" \
	FLYTEDASK_E2E_FLYTECTL_BIN="$BIN/flytectl" \
	FLYTEDASK_E2E_SCHEDULER_BIN="$BIN/flytescheduler" \
	FLYTEDASK_E2E_ADMIN_CONFIG="$ADMIN_CONFIG" \
	"${EXECPATH_ENV[@]}" \
	GOPROXY=off \
	go test -count=1 -timeout "$TEST_TIMEOUT" "$@" </dev/null &
TEST_PGID=$!
set +e
wait "$TEST_PGID"
test_rc=$?
TEST_PGID=""
set -e
kill -0 "$ADMIN_PID" 2>/dev/null || {
	log "flyteadmin died during the tests"
	[[ $test_rc -ne 0 ]] || test_rc=1
}
kill -0 "$AUTH_ADMIN_PID" 2>/dev/null || {
	log "flyteadmin (auth) died during the tests"
	[[ $test_rc -ne 0 ]] || test_rc=1
}
exit "$test_rc"
