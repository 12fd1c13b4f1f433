#!/usr/bin/env bash
# GraphQL-over-HTTP conformance: builds the server, starts it on a free port over a fresh
# SQLite file with the demo catalogue, creates an AGENT client, takes a token from
# /oauth/token and runs every graphql-http server audit with it (tests/audit/audit.mjs).
# Exits non-zero when a MUST or SHOULD audit fails. Needs node >= 18 and npm.
#
#   bash tests/audit/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
cargo build -q -p medtour-api
bin="$CARGO_TARGET_DIR/debug/medtour"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export DATABASE_URL="sqlite://$work/audit.sqlite?mode=rwc"
export MEDTOUR_BIND="127.0.0.1:$port"
export MEDTOUR_DEMO=true
export MEDTOUR_DEMO_CLIENTS=false
export RUST_LOG="${RUST_LOG:-warn}"
base="http://127.0.0.1:$port"

"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "audit: the server did not start" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { cat "$work/server.log" >&2; echo "audit: the server is not ready" >&2; exit 1; }

# The client is created over the same database the running server uses.
client="$("$bin" client create --role AGENT --partner Audit --label graphql-http-audit)"
field() { node -e "process.stdout.write(JSON.parse(require('fs').readFileSync(0,'utf8'))['$1'])"; }
client_id="$(field client_id <<<"$client")"
client_secret="$(field client_secret <<<"$client")"
token="$(curl -fsS "$base/oauth/token" -u "$client_id:$client_secret" -d grant_type=client_credentials | field access_token)"

cd "$repo/tests/audit"
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
AUDIT_URL="$base/graphql" AUDIT_TOKEN="$token" node audit.mjs
