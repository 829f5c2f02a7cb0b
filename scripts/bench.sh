#!/usr/bin/env bash
# bench.sh BIN — `make bench`: Fuyi's performance at district, city (and
# optionally national) scale on SQLite and at city scale on PostgreSQL.
#
# For each scale: generate the data set (fuyi gen: bulk load + the services'
# rebuilds), import a generated ledger CSV into an empty database (rows/s,
# peak RSS via /usr/bin/time -v), start `fuyi serve` on a loopback port with
# a CPU profile, drive it with `fuyi bench http` (latencies, writes with 32
# clients, XLSX export, VmHWM, raw-SQL floors), stop it, and keep the
# profile's top functions. Finally print ONE table and write it, with the
# machine's facts, into docs/benchmarks.md.
#
# Environment:
#   BENCH_SCALES   SQLite scales (default "district city national"; "" = none). The
#                  national data set (5,000,000 cases, 1,000,000 suits, ~13 GB) takes
#                  30–55 min to generate here: BENCH_REUSE=1 keeps it for the next run
#   BENCH_PG       scale to run on PostgreSQL (default city; empty = skip)
#   BENCH_OUT      work directory (default $TMPDIR/fuyi-bench, outside the repo: the
#                  city database is ~1 GB; databases are kept and
#                  reused by the next run when BENCH_REUSE=1)
#   BENCH_YEAR     the year measured (default 2025), BENCH_DURATION write phase (20s)
#   BENCH_PHASES   phases of `fuyi bench http` (default stats,list,floor,writes,export)
#   BENCH_IMPORT   0 skips the ledger import measurement and keeps the column's last one (default 1)
#   BENCH_EXPORT   1 (default) also measures the yearly XLSX export of a million-row
#                  year: `fuyi gen --scale export` (1,000,000 cases received in 2025 by
#                  one organ) served on SQLite, phase export only
#   BENCH_DOC      the markdown file the table is written into (default docs/benchmarks.md;
#                  empty = print only)
set -euo pipefail

if [ "${1:-}" = "--pg-inner" ]; then
  # Re-entered by with-postgres.sh: FUYI_PG_URL points at a throwaway cluster.
  shift
  PG_INNER=1
fi
bin=$(realpath "${1:?usage: bench.sh BIN}")
root=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${BENCH_OUT:-${TMPDIR:-/tmp}/fuyi-bench}")
SCALES=${BENCH_SCALES-"district city national"}
PG_SCALE=${BENCH_PG-city}
YEAR=${BENCH_YEAR:-2025}
DURATION=${BENCH_DURATION:-20s}
export FUYI_BENCH_PASSWORD=${FUYI_BENCH_PASSWORD:-Fuyi-Perf-2026!}
export FUYI_JWT_SECRET=${FUYI_JWT_SECRET:-bench-secret-0123456789abcdef0123456789}
export FUYI_SWEEP_INTERVAL=0
unset FUYI_DATABASE_URL FUYI_DATA_DIR FUYI_ADDR
mkdir -p "$OUT"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }

# import_bench LABEL SCALE ROWS: a generated ledger into an empty SQLite database.
# A ledger longer than the scale's cases (city: 200,000) is taken from the
# national plan, whose organs' cases gen writes one organ after another.
import_bench() {
  local label=$1 scale=$2 rows=$3
  local src=$scale
  [ "$rows" -le 5000 ] || src=national
  local csv="$OUT/$src-$rows.csv" dir="$OUT/$label-import"
  rows=$("$bin" gen --scale "$src" --no-load --csv "$csv" --csv-rows "$rows" | sed -n 's/^gen: wrote \([0-9]*\) ledger rows.*/\1/p')
  rm -rf "$dir"; mkdir -p "$dir"
  local method cmd
  if "$bin" import --help >/dev/null 2>&1; then
    method="fuyi import"; cmd=("$bin" import "$csv" --organ "基准导入机关")
  else
    method="in-process ledger.Import (no fuyi import yet)"; cmd=("$bin" bench import "$csv" --organ "基准导入机关")
  fi
  echo "== import $rows rows ($method)"
  local t0 t1 rss
  t0=$(now)
  if ! FUYI_DATA_DIR="$dir" /usr/bin/time -v -o "$OUT/$label.import.time" "${cmd[@]}" >"$OUT/$label.import.log" 2>&1; then
    echo "import failed (see $OUT/$label.import.log)"; tail -5 "$OUT/$label.import.log"
    return 0
  fi
  t1=$(now)
  rss=$(awk -F: '/Maximum resident set size/ {print $2/1024}' "$OUT/$label.import.time")
  printf '{"label":"%s","m":{},"import_rows":%d,"import_secs":%s,"import_rss_mb":%s,"import_method":"%s"}\n' \
    "$label" "$rows" "$(echo "$t1 - $t0" | bc -l)" "$rss" "$method" >"$OUT/$label.json"
  rm -rf "$dir"
}

# measure LABEL: serve the database of the environment and drive it.
measure() {
  local label=$1 port pid
  port=$(free_port)
  # Migrate first: a new migration over a million cases takes minutes, longer
  # than the wait for /readyz below.
  "$bin" migrate >"$OUT/$label.migrate.log" 2>&1 || { echo "migrate failed"; tail "$OUT/$label.migrate.log"; return 1; }
  FUYI_ADDR="127.0.0.1:$port" FUYI_CPU_PROFILE="$OUT/$label.cpu.prof" "$bin" serve >"$OUT/$label.serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "serve died"; tail "$OUT/$label.serve.log"; return 1; }
    sleep 0.2
  done
  echo "== measure $label (server pid $pid, port $port)"
  "$bin" bench http --url "http://127.0.0.1:$port" --user bench --year "$YEAR" --pid "$pid" \
    --duration "$DURATION" --phases "${BENCH_PHASES:-stats,list,floor,writes,export}" \
    --label "$label" --out "$OUT/$label.json" || echo "bench http failed for $label"
  kill -TERM "$pid"; wait "$pid" || true
  go tool pprof -top -nodecount=30 "$bin" "$OUT/$label.cpu.prof" >"$OUT/$label.pprof.txt" 2>/dev/null || true
}

# load SCALE: generate the data set into the environment's database.
load() {
  local scale=$1 label=$2 t0
  t0=$(now)
  echo "== gen $scale ($label)"
  /usr/bin/time -v -o "$OUT/$label.gen.time" "$bin" gen --scale "$scale" | tee "$OUT/$label.gen.log"
  echo "gen $scale: $(echo "$(now) - $t0" | bc -l | xargs printf '%.0f') s, peak RSS $(awk -F: '/Maximum resident set size/ {print int($2/1024)}' "$OUT/$label.gen.time") MB"
}

if [ -n "${PG_INNER:-}" ]; then
  label="$PG_SCALE-postgres"
  rm -f "$OUT/$label.json"
  export FUYI_DATABASE_URL="$FUYI_PG_URL"
  load "$PG_SCALE" "$label"
  measure "$label"
  exit 0
fi

for scale in $SCALES; do
  label="$scale-sqlite"
  # BENCH_IMPORT=0 keeps the last import result of the column (the HTTP
  # phases' figures replace theirs).
  [ "${BENCH_IMPORT:-1}" = 0 ] || rm -f "$OUT/$label.json"
  case $scale in district) rows=5000 ;; *) rows=1000000 ;; esac
  # The import goes into an empty database: the national column would repeat
  # the city column's million-row import.
  [ "${BENCH_IMPORT:-1}" = 0 ] || [ "$scale" = national ] || import_bench "$label" "$scale" "$rows"
  export FUYI_DATA_DIR="$OUT/$label-data"
  if [ "${BENCH_REUSE:-0}" = 1 ] && [ -f "$FUYI_DATA_DIR/.loaded" ]; then
    echo "== reusing $FUYI_DATA_DIR"
  else
    rm -rf "$FUYI_DATA_DIR"; mkdir -p "$FUYI_DATA_DIR"
    load "$scale" "$label"
    touch "$FUYI_DATA_DIR/.loaded"
  fi
  measure "$label"
  unset FUYI_DATA_DIR
done

if [ "${BENCH_EXPORT:-1}" = 1 ]; then
  label=export-sqlite
  rm -f "$OUT/$label.json"
  export FUYI_DATA_DIR="$OUT/$label-data"
  if [ "${BENCH_REUSE:-0}" = 1 ] && [ -f "$FUYI_DATA_DIR/.loaded" ]; then
    echo "== reusing $FUYI_DATA_DIR"
  else
    rm -rf "$FUYI_DATA_DIR"; mkdir -p "$FUYI_DATA_DIR"
    echo "== gen export (1,000,000 cases received in 2025)"
    /usr/bin/time -v -o "$OUT/$label.gen.time" "$bin" gen --scale export --until 2025-12-31 | tee "$OUT/$label.gen.log"
    touch "$FUYI_DATA_DIR/.loaded"
  fi
  BENCH_PHASES=export YEAR=2025 measure "$label"
  unset FUYI_DATA_DIR
fi

if [ -n "$PG_SCALE" ]; then
  "$root/scripts/with-postgres.sh" "$0" --pg-inner "$bin" || echo "PostgreSQL run failed"
fi

results=()
for l in district-sqlite city-sqlite city-postgres national-sqlite export-sqlite; do
  [ -f "$OUT/$l.json" ] && results+=("$OUT/$l.json")
done
echo
"$bin" bench table --doc "${BENCH_DOC-$root/docs/benchmarks.md}" "${results[@]}"
echo
echo "profiles: $OUT/*.pprof.txt (go tool pprof $bin $OUT/<label>.cpu.prof)"
