#!/usr/bin/env bash
# The HTTP API under load with wrk: /healthz (the floor: routing, middlewares, no database), sending an event
# (POST …/instances/{id}/events/bump over 50 instances: one transaction each) and listing a manager's tasks
# (GET …/tasks: 20 open tasks, the session and membership checks of the in-memory domain double).
#
# Starts `parcours-test-server` (release build, a throwaway PostgreSQL with fsync off) and runs each for
# DURATION seconds at CONNECTIONS connections on THREADS wrk threads; prints requests/s and p99 of each, and each
# as a ratio to /healthz. The figures of docs/performance.md ("HTTP API") come from it.
#
#   Benchmarks/http-load.sh                       # 50 connections, 15 s each
#   CONNECTIONS=50 DURATION=30 Benchmarks/http-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8090}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-15}
THREADS=${THREADS:-2}
CONFIGURATION=${CONFIGURATION:-release}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

swift build -c "$CONFIGURATION" --product parcours-test-server >&2
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)/parcours-test-server
WORK=$(mktemp -d /tmp/parcours-http-load.XXXXXX)
"$BIN" "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill -INT "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
  if kill -KILL "$SERVER" 2>/dev/null; then
    # Killed before its exit hook: stop its throwaway cluster here.
    for folder in /tmp/parcours-test-pg-*; do
      [[ "$(cat "$folder/owner.pid" 2>/dev/null)" == "$SERVER" ]] || continue
      if [[ $(id -u) == 0 ]]; then
        su postgres -c "pg_ctl -D '$folder/data' stop -m immediate" >/dev/null 2>&1 || true
      else
        pg_ctl -D "$folder/data" stop -m immediate >/dev/null 2>&1 || true
      fi
      rm -rf "$folder"
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  grep -q '^ready ' "$WORK/server.log" && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
read -r _ URL _ TOKEN _ < <(grep '^ready ' "$WORK/server.log")
COUNTERS=$(grep '^counters ' "$WORK/server.log" | cut -d' ' -f2)

cat >"$WORK/event.lua" <<LUA
local ids = {}
for id in string.gmatch("$COUNTERS", "[^,]+") do ids[#ids + 1] = id end
local counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format("POST", "/v1/tenants/demo/instances/" .. id .. "/events/bump",
    { ["Content-Type"] = "application/json" }, "{}")
end
LUA
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %.2f %d %d\n", summary.requests / seconds, latency:percentile(99) / 1000,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
LUA
cat "$WORK/report.lua" >>"$WORK/event.lua"

run() { # name, then wrk arguments
  local name=$1
  shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" >"$WORK/$name.out"
  read -r _ rps p99 total errors < <(grep '^RESULT ' "$WORK/$name.out")
  echo "$name $rps $p99 $total $errors"
}

wrk -t1 -c4 -d2s "$URL/healthz" >/dev/null  # warm-up
HEALTH=$(run healthz -s "$WORK/report.lua" "$URL/healthz")
EVENT=$(run event -s "$WORK/event.lua" "$URL/")
TASKS=$(run tasks -s "$WORK/report.lua" -H "Authorization: Bearer $TOKEN" "$URL/v1/tenants/demo/tasks")

read -r _ base_rps base_p99 _ _ <<<"$HEALTH"
printf '%-40s %10s %10s %12s %10s %8s\n' route "req/s" "p99 (ms)" "vs /healthz" requests "errors"
for line in "$HEALTH" "$EVENT" "$TASKS"; do
  read -r name rps p99 total errors <<<"$line"
  case $name in
    healthz) label="GET /healthz" ;;
    event) label="POST …/instances/{id}/events/bump" ;;
    tasks) label="GET …/tasks (20 open tasks)" ;;
  esac
  ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.3f", a / b }')
  printf '%-40s %10s %10s %12s %10s %8s\n' "$label" "$rps" "$p99" "$ratio" "$total" "$errors"
done
echo "($CONNECTIONS connections, $THREADS wrk threads, ${DURATION}s each, $CONFIGURATION build, $(nproc) cores)"
