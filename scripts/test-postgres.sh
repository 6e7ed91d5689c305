#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests, from the server binaries already installed
# (Debian: apt-get install postgresql; this script installs nothing).
#   scripts/test-postgres.sh start [port]   prints postgres://postgres@127.0.0.1:<port>/koers_test
#   scripts/test-postgres.sh stop
# The cluster lives in a temp dir, listens on 127.0.0.1 only, trusts local connections (test data
# only) and runs without fsync. Run as root, it runs the server as the `postgres` user (initdb refuses
# root). State is kept in $KOERS_TEST_POSTGRES_STATE (default /tmp/koers-test-postgres.state).
set -euo pipefail

state="${KOERS_TEST_POSTGRES_STATE:-/tmp/koers-test-postgres.state}"
say() { printf '[test-postgres] %s\n' "$*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || fail "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)"
  echo "$dir"
}

as_pg() { # run a command as the cluster owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if [ -f "$state" ]; then
    # shellcheck disable=SC1090
    . "$state"
    if as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      say "already running"; echo "$URL"; return
    fi
    rm -rf "$DIR" "$state"
  fi
  local bin port dir
  bin="$(bin_dir)"
  port="${1:-}"
  if [ -z "$port" ]; then
    for p in $(seq 55432 55532); do if port_free "$p"; then port="$p"; break; fi; done
    [ -n "$port" ] || fail "no free port in 55432-55532"
  else
    port_free "$port" || fail "port $port is in use"
  fi
  dir="$(mktemp -d /tmp/koers-pg.XXXXXX)"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || fail "no postgres user (it comes with the postgresql package)"
    chown postgres: "$dir"
  fi
  as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; fail "initdb failed"; }
  # Unix socket in our own dir, so nothing collides with a system cluster in /var/run/postgresql.
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; fail "server did not start"; }
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres koers_test
  local url="postgres://postgres@127.0.0.1:$port/koers_test"
  printf 'BIN=%q\nDIR=%q\nURL=%q\n' "$bin" "$dir" "$url" >"$state"
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  echo "$url"
}

stop() {
  [ -f "$state" ] || { say "not running"; return; }
  # shellcheck disable=SC1090
  . "$state"
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || say "server was not running"
  rm -rf "$DIR" "$state"
  say "stopped"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [port] | stop" >&2; exit 2 ;;
esac
