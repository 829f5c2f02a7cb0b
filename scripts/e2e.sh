#!/usr/bin/env bash
# e2e.sh BIN — the browser tests: a fresh data dir with the demo, `fuyi serve`
# on a free loopback port, playwright-core driving Debian's Chromium
# (frontend/e2e/run.mjs), then the downloaded XLSX reopened by a Go test.
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/fuyi-e2e.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export FUYI_DATA_DIR="$work/data" FUYI_ADDR="127.0.0.1:$port" FUYI_SWEEP_INTERVAL=0
export FUYI_DEMO_PASSWORD="E2e-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [ "${KEEP_E2E:-}" = "" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT INT TERM

"$bin" demo >"$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { echo "e2e: server did not become ready"; cat "$work/server.log"; exit 1; }

export FUYI_E2E_URL="http://127.0.0.1:$port" FUYI_E2E_PASSWORD="$FUYI_DEMO_PASSWORD" FUYI_E2E_OUT="$work/out"
mkdir -p "$FUYI_E2E_OUT"
# Screenshots of every page go to the run's output; UPDATE_SCREENSHOTS=1
# writes them into docs/screenshots for the user guide instead.
if [ "${UPDATE_SCREENSHOTS:-}" = 1 ]; then
  export FUYI_E2E_SHOTS="$root/docs/screenshots"
else
  export FUYI_E2E_SHOTS="$FUYI_E2E_OUT/screenshots"
fi
set +e
(cd "$root/frontend" && node e2e/run.mjs)
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "e2e: browser tests failed; server log tail:"; tail -n 40 "$work/server.log"
  exit $rc
fi
# The reporter's XLSX download, reopened by excelize.
xlsx=$(ls "$FUYI_E2E_OUT"/*.xlsx 2>/dev/null | head -1 || true)
if [ -n "$xlsx" ]; then
  (cd "$root" && FUYI_E2E_XLSX="$xlsx" go test -count=1 -run TestDownloadedYearlyXLSX ./services/report/)
else
  echo "e2e: the reporter's XLSX download was not saved in $FUYI_E2E_OUT"; exit 1
fi
