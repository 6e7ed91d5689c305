#!/usr/bin/env bash
# A throwaway Temporal cluster on PostgreSQL on this machine: the real server (go.temporal.io/server,
# built by scripts/install-tools.sh into $KOERS_TOOLS_DIR) with its persistence and visibility in a
# PostgreSQL started by scripts/test-postgres.sh, set up as docker-compose.yml sets up its cluster
# (deploy/temporal-schema.sh, deploy/temporal-setup.sh, deploy/dynamicconfig/koers.yaml) with the
# server config deploy/temporal-server.yaml. Everything listens on 127.0.0.1 only, and only with
# mutual TLS: a throwaway CA (scripts/temporal-certs.sh) signs the server's certificate and Koers's
# client certificate; a client without one is turned away, frontend and internode alike.
#
# Interface (kept stable: tests and the benchmark call it):
#   scripts/temporal-cluster.sh start   prints, on stdout only, lines to `eval` or `export`:
#       TEMPORAL_ADDRESS=127.0.0.1:<port>                     the frontend (gRPC, mutual TLS)
#       TEMPORAL_NAMESPACE=default                            created, Koers's search attributes registered
#       KOERS_DATABASE_URL=postgres://koers@127.0.0.1:<port>/koers   an empty database for Koers's store
#       TEMPORAL_TLS_CA_PATH=<dir>/tls/ca.pem                 the CA Koers trusts the frontend by
#       TEMPORAL_TLS_CERT_PATH=<dir>/tls/koers.pem            Koers's client certificate
#       TEMPORAL_TLS_KEY_PATH=<dir>/tls/koers-key.pem         and its key
#       TEMPORAL_TLS_SERVER_NAME=temporal                     the name in the frontend's certificate
#     Progress goes to stderr. Starting a running cluster prints the same lines again.
#   scripts/temporal-cluster.sh stop    stops the server and PostgreSQL and removes their temp dirs.
# State is kept in $KOERS_CLUSTER_STATE (default /tmp/koers-temporal-cluster.state); PostgreSQL's own
# state next to it (<state>.postgres). $KOERS_CLUSTER_PORT picks the frontend port (default: a free one).
# Server log: <dir>/temporal.log (the dir is in the state file, TEMPORAL_LOG_LEVEL sets the level, default warn).
set -euo pipefail

# The version scripts/install-tools.sh builds (TEMPORAL_SERVER_VERSION there, platform/tools.ts).
TEMPORAL_SERVER_VERSION="1.29.1"
TEMPORAL_CLI_VERSION="1.5.1"

project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${KOERS_TOOLS_DIR:-$project_dir/.tools}"
server_dir="$tools_dir/temporal-server-$TEMPORAL_SERVER_VERSION"
temporal_cli="$tools_dir/temporal-cli-$TEMPORAL_CLI_VERSION/temporal"
state="${KOERS_CLUSTER_STATE:-/tmp/koers-temporal-cluster.state}"
pg_state="$state.postgres"

say() { printf '[temporal-cluster] %s\n' "$*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Below the kernel's ephemeral range (32768+), so no outgoing connection takes it between check and bind.
# Sets the variable named $1 (not echoed: a subshell would forget the ports already taken).
taken_ports=" "
pick_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if [[ "$taken_ports" != *" $port "* ]] && port_free "$port"; then taken_ports+="$port "; printf -v "$1" '%s' "$port"; return; fi
  done
  fail "no free port between 20000 and 32000"
}

running() { [ -n "${PID:-}" ] && kill -0 "$PID" 2>/dev/null; }

# The client side of the cluster's TLS (Koers's settings, platform/config.ts; deploy/temporal-setup.sh reads the same).
client_tls() {
  printf 'TEMPORAL_TLS_CA_PATH=%s\nTEMPORAL_TLS_CERT_PATH=%s\nTEMPORAL_TLS_KEY_PATH=%s\nTEMPORAL_TLS_SERVER_NAME=temporal\n' \
    "$DIR/tls/ca.pem" "$DIR/tls/koers.pem" "$DIR/tls/koers-key.pem"
}

print_env() {
  printf 'TEMPORAL_ADDRESS=%s\nTEMPORAL_NAMESPACE=default\nKOERS_DATABASE_URL=%s\n' "$ADDRESS" "$KOERS_URL"
  client_tls
}

start() {
  if [ -f "$state" ]; then
    # shellcheck disable=SC1090
    . "$state"
    if running; then say "already running"; print_env; return; fi
    say "a previous cluster is gone; cleaning up"
    stop
  fi
  [ -x "$server_dir/temporal-server" ] && [ -x "$server_dir/temporal-sql-tool" ] \
    || fail "no Temporal server in $server_dir: run npm install (scripts/install-tools.sh builds it)"
  [ -x "$temporal_cli" ] || fail "no Temporal CLI at $temporal_cli: run npm install"
  local started=$SECONDS
  # A start that fails half-way leaves nothing running behind.
  trap '[ "$?" = 0 ] || { say "start failed; cleaning up"; stop; }' EXIT

  local pg_url pg_bin pg_port
  pg_url="$(KOERS_TEST_POSTGRES_STATE="$pg_state" bash "$project_dir/scripts/test-postgres.sh" start)"
  pg_port="$(sed -E 's#^postgres://[^@]*@127\.0\.0\.1:([0-9]+)/.*#\1#' <<<"$pg_url")"
  # shellcheck disable=SC1090
  pg_bin="$(. "$pg_state"; echo "$BIN")"

  DIR="$(mktemp -d /tmp/koers-temporal.XXXXXX)"
  local frontend_port="${KOERS_CLUSTER_PORT:-}"
  [ -n "$frontend_port" ] || pick_port frontend_port
  taken_ports+="$frontend_port "
  ADDRESS="127.0.0.1:$frontend_port"
  KOERS_URL="postgres://koers@127.0.0.1:$pg_port/koers"
  PID=""
  write_state

  # The server and the schema tool connect as the cluster's superuser; local connections are trusted,
  # the password is a placeholder the deploy scripts expect (it also becomes koers's password).
  export POSTGRES_SEEDS=127.0.0.1 DB_PORT="$pg_port" POSTGRES_USER=postgres POSTGRES_PWD=local-test-cluster
  say "creating Koers's database and Temporal's schemas"
  "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -f "$project_dir/deploy/postgres-init.sql" >&2
  PATH="$pg_bin:$PATH" TEMPORAL_SQL_TOOL="$server_dir/temporal-sql-tool" \
    bash "$project_dir/deploy/temporal-schema.sh" >"$DIR/schema.log" 2>&1 \
    || { cat "$DIR/schema.log" >&2; fail "schema set-up failed"; }

  # The server only warns about an unknown key: a misspelt setting in the shared file fails here instead.
  local check
  check="$("$server_dir/temporal-server" validate-dynamic-config "$project_dir/deploy/dynamicconfig/koers.yaml" 2>&1)" \
    && ! grep -qE '^ +(error|warning):' <<<"$check" || { printf '%s\n' "$check" >&2; fail "deploy/dynamicconfig/koers.yaml is not valid"; }
  mkdir -p "$DIR/config"
  cp "$project_dir/deploy/temporal-server.yaml" "$DIR/config/koers.yaml"
  # The server's side of mutual TLS, in the variables deploy/temporal-server.yaml (and the
  # temporalio/server image of docker-compose.yml) reads: one CA for frontend and internode.
  bash "$project_dir/scripts/temporal-certs.sh" "$DIR/tls" koers
  export TEMPORAL_TLS_SERVER_CA_CERT="$DIR/tls/ca.pem" TEMPORAL_TLS_CLIENT1_CA_CERT="$DIR/tls/ca.pem" \
    TEMPORAL_TLS_SERVER_CERT="$DIR/tls/temporal.pem" TEMPORAL_TLS_SERVER_KEY="$DIR/tls/temporal-key.pem" \
    TEMPORAL_TLS_FRONTEND_CERT="$DIR/tls/temporal.pem" TEMPORAL_TLS_FRONTEND_KEY="$DIR/tls/temporal-key.pem" \
    TEMPORAL_TLS_INTERNODE_SERVER_NAME=temporal TEMPORAL_TLS_FRONTEND_SERVER_NAME=temporal
  local -a cli_tls=(--tls-ca-path "$DIR/tls/ca.pem" --tls-cert-path "$DIR/tls/koers.pem" --tls-key-path "$DIR/tls/koers-key.pem" --tls-server-name temporal)
  export TEMPORAL_FRONTEND_PORT="${ADDRESS##*:}" TEMPORAL_DYNAMIC_CONFIG_FILE="$project_dir/deploy/dynamicconfig/koers.yaml"
  local name
  for name in FRONTEND_HTTP FRONTEND_MEMBERSHIP HISTORY HISTORY_MEMBERSHIP MATCHING MATCHING_MEMBERSHIP WORKER WORKER_MEMBERSHIP; do
    pick_port "TEMPORAL_${name}_PORT"
    export "TEMPORAL_${name}_PORT"
  done
  # setsid: its own process group, so the server outlives this script and stop can end all of it.
  setsid "$server_dir/temporal-server" --root "$DIR" --config config --env koers --allow-no-auth start \
    >"$DIR/temporal.log" 2>&1 </dev/null &
  PID=$!
  write_state
  say "Temporal server $TEMPORAL_SERVER_VERSION (pid $PID) starting on $ADDRESS"

  local deadline=$((SECONDS + 120))
  until "$temporal_cli" operator cluster health --address "$ADDRESS" "${cli_tls[@]}" >/dev/null 2>&1; do
    running || { tail -n 40 "$DIR/temporal.log" >&2; fail "the Temporal server exited"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 40 "$DIR/temporal.log" >&2; fail "the Temporal server did not serve within 120 s"; }
    sleep 0.5
  done
  say "registering the namespace and Koers's search attributes"
  # shellcheck disable=SC2046
  env TEMPORAL_CLI="$temporal_cli" TEMPORAL_ADDRESS="$ADDRESS" TEMPORAL_NAMESPACE=default $(client_tls) \
    timeout 120 bash "$project_dir/deploy/temporal-setup.sh" >"$DIR/setup.log" 2>&1 \
    || { cat "$DIR/setup.log" >&2; fail "namespace or search attribute set-up failed"; }
  say "ready in $((SECONDS - started)) s: Temporal on $ADDRESS (mutual TLS, CA and certificates in $DIR/tls), PostgreSQL on 127.0.0.1:$pg_port, data in $DIR"
  print_env
}

write_state() {
  printf 'DIR=%q\nADDRESS=%q\nKOERS_URL=%q\nPID=%q\n' "$DIR" "$ADDRESS" "$KOERS_URL" "$PID" >"$state"
}

stop() {
  if [ -f "$state" ]; then
    # shellcheck disable=SC1090
    . "$state"
    if running; then
      # SIGTERM lets the server leave its membership ring and close its connections; SIGKILL if it hangs.
      kill -TERM -- "-$PID" 2>/dev/null || kill -TERM "$PID" 2>/dev/null || true
      for _ in $(seq 100); do running || break; sleep 0.1; done
      running && { say "server did not stop in 10 s; killing it"; kill -KILL -- "-$PID" 2>/dev/null || kill -KILL "$PID" 2>/dev/null || true; }
    fi
    rm -rf "$DIR"
    rm -f "$state"
  fi
  KOERS_TEST_POSTGRES_STATE="$pg_state" bash "$project_dir/scripts/test-postgres.sh" stop 2>/dev/null || true
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start | stop" >&2; exit 2 ;;
esac
