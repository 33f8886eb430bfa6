#!/usr/bin/env bash
# Runs schemathesis against the API as documented by docs/openapi.yaml (served at /openapi.yaml).
#
# Starts `parcours-test-server` (a throwaway PostgreSQL database, tenant `demo` with workflows/ deployed, the
# in-memory test double of the domain: a manager with a session and open tasks), runs `schemathesis run` with every
# check, then stops the server. positive_data_acceptance is left out: what the schema cannot say is checked by
# the server on purpose (process parameters depend on the deployed process, definitions on the checker, page
# cursors are opaque), so schema-valid requests may rightly be refused with 400/422. schemathesis is installed from PyPI into .build/schemathesis-venv on first use.
#
#   scripts/schemathesis.sh                      # all checks, 100 examples per operation
#   MAX_EXAMPLES=20 scripts/schemathesis.sh      # quicker
#   PORT=8091 scripts/schemathesis.sh -- --phases examples,coverage   # extra schemathesis options after --
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8089}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
VENV=.build/schemathesis-venv
EXTRA=()
if [[ "${1:-}" == "--" ]]; then shift; EXTRA=("$@"); fi

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  echo "installing schemathesis into $VENV …" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet schemathesis
fi

swift build --product parcours-test-server >&2
BIN=$(swift build --show-bin-path)/parcours-test-server
LOG=$(mktemp /tmp/parcours-schemathesis-server.XXXXXX.log)
"$BIN" "$PORT" >"$LOG" 2>&1 &
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
  rm -f "$LOG"
}
trap cleanup EXIT

for _ in $(seq 1 600); do
  grep -q '^ready ' "$LOG" && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; echo "the test server stopped" >&2; exit 1; }
  sleep 0.2
done
read -r _ URL ADMIN_KEY TOKEN INSTANCE TASK LINK < <(grep '^ready ' "$LOG")
export PARCOURS_TOKEN=$TOKEN PARCOURS_ADMIN_KEY=$ADMIN_KEY PARCOURS_INSTANCE=$INSTANCE PARCOURS_TASK=$TASK
export PARCOURS_LINK=$LINK
CONFIG=$(mktemp /tmp/parcours-schemathesis.XXXXXX.toml)
trap 'cleanup; rm -f "$CONFIG"' EXIT
cat >"$CONFIG" <<TOML
[auth.openapi.session]
bearer = "\${PARCOURS_TOKEN}"

[auth.openapi.adminKey]
bearer = "\${PARCOURS_ADMIN_KEY}"

[parameters]
tenant = "demo"

# Logging out would close the session the other operations use; the API tests cover it.
[[operations]]
include-operation-id = "logout"
enabled = false

[[operations]]
include-path-regex = 'instances/\{id\}'
parameters = { id = "\${PARCOURS_INSTANCE}" }

[[operations]]
include-path-regex = '/tasks/\{id\}'
parameters = { id = "\${PARCOURS_TASK}" }

[[operations]]
include-path-regex = 'links/\{token\}'
parameters = { token = "\${PARCOURS_LINK}" }

[[operations]]
include-operation-id = "resendActivationLink"
parameters = { account = "acc-9" }

[[operations]]
include-operation-id = "startInstance"
parameters = { process = "signup" }
TOML

echo "schemathesis against $URL/openapi.yaml (tenant demo)" >&2
"$VENV/bin/schemathesis" --config-file "$CONFIG" run "$URL/openapi.yaml" --url "$URL" \
  --checks all --exclude-checks positive_data_acceptance --max-examples "$MAX_EXAMPLES" --workers 2 --no-color "${EXTRA[@]}"
