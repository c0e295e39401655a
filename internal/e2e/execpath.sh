# shellcheck shell=bash
# The real execution path of the e2e harness (issue 15), sourced by run.sh:
# embedded etcd 3.6.4 + kube-apiserver v1.34.4 (module ./kubebuild), the
# FlyteWorkflow and DaskJob CRDs, a FlyteAdmin v1.1.131 of its own (database
# flyteexec in run.sh's PostgreSQL, storage in a local directory) whose cluster
# is that API server, flytepropeller v1.1.129 (module ./propellerbuild, dask
# plugin of flyteplugins v1.1.31 enabled) reporting to it, and the local Dask
# operator (./cmd/daskoperator: real dask-scheduler / dask-worker processes
# from Debian's python3-distributed). See README.md "Execution path".
#
# run.sh calls, in order:
#   execpath_build_start   at the start of the build: starts the builds (and
#                          the apt-get install of python3-distributed) in the
#                          background, so they overlap FlyteAdmin's build
#   execpath_start         once run.sh's admin is up: waits for the builds,
#                          starts everything inside the namespace (NSEXEC)
#   execpath_stop          from cleanup
# and passes "${EXECPATH_ENV[@]}" to go test.
#
# Knob: FLYTEDASK_E2E_EXECPATH=1 (default) | 0 (skip: the tests that need it skip).
#
# Uses run.sh's: HERE WORK BIN LOGS NSEXEC nsrun log die show_log stop_pid PSQL PG_PORT.

EXECPATH_MODE=${FLYTEDASK_E2E_EXECPATH:-1}
EXECPATH_ENV=()
EXECPATH_DIR=$WORK/execpath
EXECPATH_BUILD_PIDS=()
EXECPATH_ETCD_PID=""
EXECPATH_APISERVER_PID=""
EXECPATH_ADMIN_PID=""
EXECPATH_PROPELLER_PID=""
EXECPATH_OPERATOR_PID=""

execpath_enabled() { [[ $EXECPATH_MODE != 0 ]]; }

# execpath_build_bg NAME DIR COMMAND...: runs COMMAND in DIR in the
# background, timing it into $LOGS/build-NAME.log.
execpath_build_bg() {
	local name=$1 dir=$2
	shift 2
	(
		s=$(date +%s)
		cd "$dir" && "$@" && echo "built $name in $(($(date +%s) - s)) s"
	) >"$LOGS/build-$name.log" 2>&1 &
	EXECPATH_BUILD_PIDS+=("$!:$name")
}

execpath_build_start() {
	execpath_enabled || return 0
	log "execution path: building kube-apiserver v1.34.4 + etcd launcher, flytepropeller v1.1.129 in the background"
	# kube-apiserver reports v1.34.4 with these (else v0.0.0-master+$Format:%H$).
	local ver=k8s.io/component-base/version
	execpath_build_bg kube-apiserver "$HERE/kubebuild" env CGO_ENABLED=0 go build \
		-ldflags "-X $ver.gitVersion=v1.34.4 -X $ver.gitMajor=1 -X $ver.gitMinor=34" \
		-o "$BIN/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
	execpath_build_bg etcd "$HERE/kubebuild" env CGO_ENABLED=0 go build -o "$BIN/etcd" ./etcd
	execpath_build_bg flytepropeller "$HERE/propellerbuild" env CGO_ENABLED=0 go build \
		-o "$BIN/flytepropeller" github.com/flyteorg/flytepropeller/cmd/controller
	if ! /usr/bin/python3 -c 'import distributed, numpy, dask.array' 2>/dev/null; then
		[[ $EUID -eq 0 ]] && command -v apt-get >/dev/null ||
			die "python3-distributed and python3-numpy (Debian) are needed for the execution path: install them or set FLYTEDASK_E2E_EXECPATH=0"
		log "execution path: installing python3-distributed python3-numpy with apt-get (background)"
		execpath_build_bg python3-distributed / env DEBIAN_FRONTEND=noninteractive sh -c \
			'apt-get install -y -qq --no-install-recommends python3-distributed python3-numpy </dev/null ||
			 { apt-get update -qq </dev/null && apt-get install -y -qq --no-install-recommends python3-distributed python3-numpy </dev/null; }'
	fi
}

execpath_build_wait() {
	local entry pid name bad=0
	for entry in "${EXECPATH_BUILD_PIDS[@]}"; do
		pid=${entry%%:*} name=${entry#*:}
		if wait "$pid"; then
			log "execution path: $(tail -n 1 "$LOGS/build-$name.log")"
		else
			show_log "$LOGS/build-$name.log" 30
			bad=1
		fi
	done
	EXECPATH_BUILD_PIDS=()
	[[ $bad -eq 0 ]] || die "execution path: a build failed (logs above); FLYTEDASK_E2E_EXECPATH=0 skips the execution path"
}

# execpath_wait_pid_file PID NAME SECONDS CHECK...: runs CHECK until it succeeds.
execpath_wait() {
	local pid=$1 name=$2 secs=$3
	shift 3
	local deadline=$(($(date +%s) + secs))
	until "$@" >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || die "$name exited (see $LOGS)"
		(($(date +%s) < deadline)) || die "$name not ready within $secs s"
		sleep 0.2
	done
}

execpath_start() {
	execpath_enabled || return 0
	local t0 ports
	t0=$(date +%s)
	execpath_build_wait
	/usr/bin/python3 -c 'import distributed, numpy, dask.array' || die "python3-distributed/numpy not importable by /usr/bin/python3"
	log "execution path: builds done (waited $(($(date +%s) - t0)) s)"
	mapfile -t ports < <(nsrun "$BIN/freeport" -n 7)
	[[ ${#ports[@]} -eq 7 ]] || die "freeport failed"
	local etcd_port=${ports[0]} etcd_peer=${ports[1]} api_port=${ports[2]}
	local admin_http=${ports[3]} admin_grpc=${ports[4]} admin_prof=${ports[5]} prop_prof=${ports[6]}
	local kube=$EXECPATH_DIR/kube storage=$EXECPATH_DIR/storage dask=$EXECPATH_DIR/dask
	rm -rf "$EXECPATH_DIR"
	mkdir -p "$kube" "$storage/flyte" "$dask"

	# etcd and kube-apiserver.
	t0=$(date +%s)
	"${NSEXEC[@]}" "$BIN/etcd" -client-port "$etcd_port" -peer-port "$etcd_peer" -data-dir "$EXECPATH_DIR/etcd" \
		</dev/null >"$LOGS/etcd.log" 2>&1 &
	EXECPATH_ETCD_PID=$!
	"$BIN/kubesetup" init -dir "$kube" -server "https://127.0.0.1:$api_port"
	"${NSEXEC[@]}" "$BIN/kube-apiserver" \
		--etcd-servers="http://127.0.0.1:$etcd_port" \
		--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
		--cert-dir="$kube/certs" --token-auth-file="$kube/tokens.csv" --authorization-mode=AlwaysAllow \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$kube/sa.pub" --service-account-signing-key-file="$kube/sa.key" \
		--service-cluster-ip-range=10.96.0.0/24 \
		</dev/null >"$LOGS/kube-apiserver.log" 2>&1 &
	EXECPATH_APISERVER_PID=$!
	nsrun "$BIN/kubesetup" wait -dir "$kube" -timeout 120s ||
		{
			show_log "$LOGS/etcd.log" 20
			show_log "$LOGS/kube-apiserver.log" 40
			die "kube-apiserver not ready"
		}
	log "execution path: etcd + kube-apiserver ready in $(($(date +%s) - t0)) s (https://127.0.0.1:$api_port)"
	nsrun "$BIN/kubesetup" apply -dir "$kube" -namespaces flytesnacks-development,flytesnacks-staging,flytesnacks-production ||
		die "could not install the CRDs / namespaces"

	# FlyteAdmin executing through that API server.
	local cfg=$EXECPATH_DIR/admin.yaml
	cat >"$cfg" <<EOF
# Generated by internal/e2e/execpath.sh: FlyteAdmin v1.1.131 whose executions
# run on the e2e's kube-apiserver; storage shared with flytepropeller.
logger: {level: 4, formatter: {type: text}}
server:
  httpPort: $admin_http
  grpc: {port: $admin_grpc}
  kube-config: $kube/kubeconfig
  security: {secure: false, useAuth: false}
flyteadmin:
  runScheduler: false
  profilerPort: $admin_prof
  metadataStoragePrefix: [metadata, admin]
  eventVersion: 2
database:
  postgres: {host: 127.0.0.1, port: $PG_PORT, username: postgres, password: postgres, dbname: flyteexec, options: "sslmode=disable"}
storage:
  type: stow
  container: flyte
  stow:
    kind: local
    config: {path: $storage}
domains:
  - {id: development, name: development}
  - {id: staging, name: staging}
  - {id: production, name: production}
task_resources:
  defaults: {cpu: 100m, memory: 200Mi}
  limits: {cpu: 4, memory: 8Gi, gpu: 1}
EOF
	nsrun "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE flyteexec' </dev/null
	{ nsrun "$BIN/flyteadmin" migrate run --config "$cfg" && nsrun "$BIN/flyteadmin" migrate seed-projects flytesnacks --config "$cfg"; } \
		</dev/null >"$LOGS/execadmin-migrate.log" 2>&1 || {
		show_log "$LOGS/execadmin-migrate.log"
		die "migrate (execution admin) failed"
	}
	"${NSEXEC[@]}" "$BIN/flyteadmin" serve --config "$cfg" </dev/null >"$LOGS/execadmin.log" 2>&1 &
	EXECPATH_ADMIN_PID=$!
	execpath_wait "$EXECPATH_ADMIN_PID" "flyteadmin (execution path)" 180 \
		nsrun "$BIN/waitadmin" -endpoint "127.0.0.1:$admin_grpc" -timeout 2s -interval 200ms
	log "execution path: flyteadmin gRPC 127.0.0.1:$admin_grpc (kube $api_port, storage $storage)"

	# flytepropeller.
	cat >"$EXECPATH_DIR/propeller.yaml" <<EOF
# Generated by internal/e2e/execpath.sh: flytepropeller v1.1.129.
propeller:
  kube-config: $kube/kubeconfig
  metadata-prefix: metadata/propeller
  rawoutput-prefix: file://flyte/raw
  workers: 4
  workflow-reeval-duration: 2s
  downstream-eval-duration: 2s
  limit-namespace: all
  prof-port: $prop_prof
  enable-admin-launcher: true
  max-workflow-retries: 3
  publish-k8s-events: false
  leader-election: {enabled: false}
  queue:
    type: batch
    batching-interval: 1s
    queue: {type: maxof, rate: 100, capacity: 1000, base-delay: 1s, max-delay: 10s}
    sub-queue: {type: bucket, rate: 100, capacity: 1000}
tasks:
  task-plugins:
    enabled-plugins: [container, sidecar, k8s-array, dask]
    default-for-task-types: {container: container, sidecar: sidecar, container_array: k8s-array}
plugins:
  logs:
    # Off: its default would add a link to http://localhost:30082 (no dashboard here).
    kubernetes-enabled: false
    templates:
      - displayName: Dask runner log
        templateUris: ["file://$dask/logs/{{ .namespace }}/{{ .podName }}.log"]
storage:
  type: stow
  container: flyte
  stow:
    kind: local
    config: {path: $storage}
event: {type: admin, rate: 500, capacity: 1000}
# A URL: "127.0.0.1:PORT" does not parse as one (flytestdlib config.URL).
admin: {endpoint: "dns:///127.0.0.1:$admin_grpc", insecure: true}
catalog-cache: {type: noop}
logger: {level: 4, formatter: {type: text}}
EOF
	"${NSEXEC[@]}" "$BIN/flytepropeller" --config "$EXECPATH_DIR/propeller.yaml" </dev/null >"$LOGS/propeller.log" 2>&1 &
	EXECPATH_PROPELLER_PID=$!
	"${NSEXEC[@]}" "$BIN/daskoperator" -server "https://127.0.0.1:$api_port" -token-file "$kube/token" -dir "$dask" \
		</dev/null >"$LOGS/daskoperator.log" 2>&1 &
	EXECPATH_OPERATOR_PID=$!
	sleep 2
	kill -0 "$EXECPATH_PROPELLER_PID" 2>/dev/null || {
		show_log "$LOGS/propeller.log" 60
		die "flytepropeller exited"
	}
	kill -0 "$EXECPATH_OPERATOR_PID" 2>/dev/null || {
		show_log "$LOGS/daskoperator.log"
		die "daskoperator exited"
	}
	log "execution path: flytepropeller and daskoperator running"
	EXECPATH_ENV=(
		FLYTEDASK_E2E_EXEC_ENDPOINT="127.0.0.1:$admin_grpc"
		FLYTEDASK_E2E_EXEC_DASKDIR="$dask"
		FLYTEDASK_E2E_EXEC_KUBEDIR="$kube"
		FLYTEDASK_E2E_EXEC_STORAGE="$storage"
		FLYTEDASK_E2E_EXEC_LOGS="$LOGS"
	)
}

execpath_stop() { # [EXIT_CODE]: on failure, show the components' logs first
	local entry
	if [[ ${1:-0} -ne 0 && -n $EXECPATH_ADMIN_PID ]]; then
		show_log "$LOGS/execadmin.log" 30
		show_log "$LOGS/propeller.log" 60
		show_log "$LOGS/daskoperator.log" 30
	fi
	for entry in "${EXECPATH_BUILD_PIDS[@]}"; do
		kill -- "${entry%%:*}" 2>/dev/null
	done
	# flytepropeller takes ~15 s to stop on SIGTERM: signal everything first.
	local pid
	for pid in "$EXECPATH_OPERATOR_PID" "$EXECPATH_PROPELLER_PID" "$EXECPATH_ADMIN_PID"; do
		[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
	done
	stop_pid "$EXECPATH_OPERATOR_PID" daskoperator
	stop_pid "$EXECPATH_PROPELLER_PID" flytepropeller
	stop_pid "$EXECPATH_ADMIN_PID" "flyteadmin (execution path)"
	stop_pid "$EXECPATH_APISERVER_PID" kube-apiserver
	stop_pid "$EXECPATH_ETCD_PID" etcd
	return 0
}
