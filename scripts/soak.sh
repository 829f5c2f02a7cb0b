#!/usr/bin/env bash
# soak.sh BIN — `make soak`: 64 concurrent loopback clients mixing reads and
# writes against `fuyi serve` for SOAK_SECONDS (default 300), first on
# SQLite, then on a throwaway PostgreSQL (scripts/with-postgres.sh) which is
# stopped and restarted in the middle of the run. The load generator
# (cmd/fuyi-soak) fails on any 5xx outside the outage, any request past its
# timeout, any lost write, or a /readyz that does not go not-ready and
# recover. Not part of `make test`.
#
# Environment: SOAK_SECONDS (300), SOAK_CLIENTS (64), SOAK_PG (1; 0 skips PostgreSQL).
set -euo pipefail

if [ "${1:-}" = "--pg-inner" ]; then
  shift
  PG_INNER=1
fi
bin=$(realpath "${1:?usage: soak.sh BIN}")
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${SOAK_SECONDS:-300}
clients=${SOAK_CLIENTS:-64}
work=$(mktemp -d /tmp/fuyi-soak.XXXXXX)
soakbin="$work/fuyi-soak"
(cd "$root" && go build -o "$soakbin" ./cmd/fuyi-soak)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# soak_one NAME [fuyi-soak flags…]: a fresh server on a loopback port, a soak user, the run.
soak_one() {
  local name=$1; shift
  local port; port=$(free_port)
  export FUYI_ADDR="127.0.0.1:$port" FUYI_DATA_DIR="$work/$name" FUYI_LOG_LEVEL=warn FUYI_SWEEP_INTERVAL=1m
  local pw="Steady-Admin-Pw-$RANDOM$RANDOM"
  "$bin" migrate >/dev/null
  echo "$pw" | "$bin" user add --username soak --role admin >/dev/null
  "$bin" serve >"$work/$name-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://$FUYI_ADDR/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "== soak on $name: $clients clients for ${secs}s"
  local rc=0
  SOAK_PASSWORD="$pw" "$soakbin" -url "http://$FUYI_ADDR" -clients "$clients" -duration "${secs}s" "$@" || rc=$?
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  if grep -q "level=ERROR" "$work/$name-server.log"; then
    echo "server errors logged on $name: $(grep -c level=ERROR "$work/$name-server.log"); causes (first 8):"
    grep "level=ERROR" "$work/$name-server.log" | grep -v "msg=http" | head -8 || true
  fi
  [ -n "${SOAK_KEEP_LOGS:-}" ] && cp "$work/$name-server.log" "${SOAK_KEEP_LOGS}-$name.log"
  return $rc
}

if [ -n "${PG_INNER:-}" ]; then
  : "${FUYI_PG_URL:?with-postgres.sh sets FUYI_PG_URL}" "${FUYI_PG_BIN:?with-postgres.sh sets FUYI_PG_BIN}"
  export FUYI_DATABASE_URL="$FUYI_PG_URL"
  datadir=$("$FUYI_PG_BIN/psql" "$FUYI_PG_URL" -Atc 'show data_directory')
  port=$("$FUYI_PG_BIN/psql" "$FUYI_PG_URL" -Atc 'show port')
  sockdir=$(dirname "$datadir")
  asuser=""
  [ "$(id -u)" = 0 ] && asuser="runuser -u postgres --"
  stop="$asuser $FUYI_PG_BIN/pg_ctl -D $datadir -m fast -w stop"
  start="$asuser $FUYI_PG_BIN/pg_ctl -D $datadir -l $sockdir/server.log -w -t 60 -o '-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$sockdir -c max_connections=400 -c shared_buffers=128MB' start"
  soak_one postgres -pg-stop "$stop" -pg-start "$start"
  exit $?
fi

rc=0
soak_one sqlite || rc=1
if [ "${SOAK_PG:-1}" = 1 ]; then
  "$root/scripts/with-postgres.sh" "$root/scripts/soak.sh" --pg-inner "$bin" || rc=1
fi
[ $rc = 0 ] && echo "make soak: zero errors, nothing lost" || echo "make soak: FAILED"
exit $rc
