#!/usr/bin/env bash
# with-postgres.sh CMD [ARGS…]
# Starts a throwaway PostgreSQL cluster from the installed binaries (as the
# postgres user when run as root, in a temp dir, on a free loopback port),
# runs CMD with FUYI_TEST_POSTGRES_DSN (and FUYI_PG_URL) pointing at it, then
# stops the cluster and removes the directory — whatever CMD's outcome.
set -euo pipefail

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && pgbin="$d"
done
if [ -z "$pgbin" ]; then
  pgbin=$(dirname "$(command -v initdb 2>/dev/null || true)")
fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries found (install postgresql)" >&2
  exit 1
fi

asuser=()
owner="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with-postgres: running as root needs a 'postgres' user" >&2; exit 1; }
  asuser=(runuser -u postgres --)
  owner=postgres
fi

dir=$(mktemp -d /tmp/fuyi-pg.XXXXXX)
chown "$owner" "$dir"
chmod 700 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

cleanup() {
  "${asuser[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${asuser[@]}" "$pgbin/initdb" -D "$dir/data" -U fuyi --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || "${asuser[@]}" "$pgbin/initdb" -D "$dir/data" -U fuyi --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Durable like production (fsync on); sized for the test suite's parallel packages.
"${asuser[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400 -c shared_buffers=128MB" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
"${asuser[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U fuyi fuyi_test

export FUYI_TEST_POSTGRES_DSN="postgres://fuyi@127.0.0.1:$port/fuyi_test?sslmode=disable"
export FUYI_PG_URL="$FUYI_TEST_POSTGRES_DSN"
export FUYI_PG_BIN="$pgbin"
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
rc=$?
set -e
exit $rc
