#!/usr/bin/env bash
# run.sh BIN DATA_DIR ADDR — what `make run` does after building: migrate,
# load the demo into an empty database, print the URL and the logins, serve.
set -euo pipefail
bin=$1 data=$2 addr=$3
export FUYI_DATA_DIR="$data" FUYI_ADDR="$addr"
mkdir -p "$data"
if [ -z "${FUYI_DEMO_PASSWORD:-}" ]; then
  pwfile="$data/demo-password.txt"
  if [ ! -s "$pwfile" ]; then
    (umask 077; printf 'Fuyi-demo-%s\n' "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" > "$pwfile")
  fi
  FUYI_DEMO_PASSWORD=$(cat "$pwfile")
  export FUYI_DEMO_PASSWORD
fi
"$bin" migrate >/dev/null
"$bin" demo --if-empty
cat <<MSG

  复议 Fuyi is starting: http://$addr
  2022年看板（复现平谷区2022年报告）/ the 2022 dashboard: http://$addr/dashboard?year=2022
  演示账号 demo logins (password: $FUYI_DEMO_PASSWORD)
    manager   科长（看板、纠错率）      officer   承办人
    reporter  统计报告                  admin     管理员
    other     另一复议机关的承办人 (an officer of the second organ)

MSG
exec "$bin" serve
