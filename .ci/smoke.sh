#!/usr/bin/env bash
# Smoke test of the example server, started for real: waits for /health, then drives
# register -> login -> me -> logout -> me (401) with curl, then stops the server with SIGTERM
# and checks that it exits 0.
#
# Environment:
#   HTTP_FRAMEWORK  express (default), koa or fastify
#   API_PREFIX      the API's prefix (default /api/v1)
#   DATABASE_URL    used as given; default a SQLite file in a temporary directory
#   SMOKE_POSTGRES  1 = create a fresh database on postgres://postgres@127.0.0.1:5432 (via the
#                   `test` database) for this run and drop it afterwards
#   REDIS_URL       unset = in-memory cache and limiter; with it, REDIS_KEY_PREFIX defaults to a
#                   prefix unique to this run
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
server_pid=""
db_name=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ -n "$db_name" ]; then
    psql -h 127.0.0.1 -U postgres -d test -q -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

say() { echo "smoke: $*"; }
fail() {
  echo "smoke: FAIL: $*" >&2
  echo "--- server output" >&2
  cat "$tmp/server.log" >&2 2>/dev/null || true
  exit 1
}

if [ "${SMOKE_POSTGRES:-}" = 1 ]; then
  db_name="smoke_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -d test -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db_name" >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db_name"
elif [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="sqlite:$tmp/app.sqlite"
fi

# A key prefix of its own, so repeated runs on one Redis never share rate-limit buckets.
if [ -n "${REDIS_URL:-}" ] && [ -z "${REDIS_KEY_PREFIX:-}" ]; then export REDIS_KEY_PREFIX="smoke:$(date +%s):$$:"; fi

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
export PORT=$port
base="http://127.0.0.1:$port"
say "framework=${HTTP_FRAMEWORK:-express} database=${DATABASE_URL%%:*} redis=$([ -n "${REDIS_URL:-}" ] && echo yes || echo no) port=$port"

node --import tsx examples/server/src/main.ts >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited during start"
  curl -fsS -o /dev/null "$base/health" 2>/dev/null && break
  sleep 0.5
done
curl -fsS -o /dev/null "$base/health" || fail "/health did not answer 200 within 60 s"
say "GET /health -> 200"

# request METHOD PATH EXPECTED_STATUS [JSON_BODY] [TOKEN]; the body lands in $tmp/body.
request() {
  local method=$1 path=$2 expected=$3 body=${4:-} token=${5:-} status
  local args=(-sS -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$base$path")
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data "$body"); fi
  if [ -n "$token" ]; then args+=(-H "Authorization: Bearer $token"); fi
  status=$(curl "${args[@]}") || fail "$method $path: curl failed"
  [ "$status" = "$expected" ] || fail "$method $path: expected $expected, got $status: $(cat "$tmp/body")"
  grep -qi '^x-request-id: ' "$tmp/headers" || [ "$path" = / ] || fail "$method $path: no X-Request-ID header"
  say "$method $path -> $status"
}
json_field() { node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]' "$tmp/body" "$1"; }

api=${API_PREFIX:-/api/v1}
user="smoke_${RANDOM}_$$"
password='correct horse battery'
request GET / 200
request GET /nowhere 404
[ "$(json_field error)" = not_found_error ] || fail "the server's own 404 is not the envelope: $(cat "$tmp/body")"
request PUT "$api/auth/me" 405
request POST $api/auth/register 201 "{\"email\":\"$user@example.com\",\"username\":\"$user\",\"password\":\"$password\"}"
request POST $api/auth/login 200 "{\"username\":\"$user\",\"password\":\"$password\"}"
token=$(json_field access_token)
[ -n "$token" ] && [ "$token" != undefined ] || fail "login returned no access_token"
request GET $api/auth/me 200 "" "$token"
[ "$(json_field username)" = "$user" ] || fail "me returned another user: $(cat "$tmp/body")"
request POST $api/auth/logout 204 "" "$token"
request GET $api/auth/me 401 "" "$token"
[ "$(json_field error)" = authentication_error ] || fail "me after logout: unexpected body $(cat "$tmp/body")"

grep -q '"msg":"request"' "$tmp/server.log" || fail "no request log line"
grep "\"path\":\"$api/auth/me\"" "$tmp/server.log" | grep -q '"status":200' || fail "no log line for GET $api/auth/me"

# Node's parser refuses a bad chunk size; the answer is still the envelope with a request id.
bad=$(printf 'POST %s/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' "$api" \
  | node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1");process.stdin.pipe(s,{end:false});let o="";s.on("data",d=>o+=d);s.on("close",()=>process.stdout.write(o));setTimeout(()=>s.destroy(),5000)' "$port")
printf '%s' "$bad" | head -n 1 | grep -q '^HTTP/1.1 400' || fail "bad chunk size: expected 400, got: $bad"
printf '%s' "$bad" | grep -qi '^x-request-id: ' || fail "bad chunk size: no X-Request-ID"
printf '%s' "$bad" | grep -q '"error":"bad_request"' || fail "bad chunk size: no envelope: $bad"
say "malformed chunked body -> 400 bad_request envelope"

kill -TERM "$server_pid"
for _ in $(seq 1 80); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.25
done
kill -0 "$server_pid" 2>/dev/null && fail "the server did not stop within 20 s of SIGTERM"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
[ "$rc" = 0 ] || fail "the server exited with status $rc after SIGTERM"
say "SIGTERM -> exit 0"
say "passed"
