#!/usr/bin/env bash
# Soak (not in CI): `idemctl stress` with duplicates, retries and --chaos faults against two
# `idemctl serve` instances on one Redis, Redis restarted every RESTART_EVERY. Reports:
#   - double executions: stress's exactly-once violations (executions counter + chaos journal)
#   - lost records: every key that got a 2xx, replayed once more afterwards with the same body,
#     must come back a replay (201 + Idempotent-Replayed), never a fresh execution
#   - the 503s the servers answered while Redis was down (expected, and counted)
#   - each server's RSS at start and at the end
# Redis runs with appendonly + appendfsync always, so a restart loses nothing it acknowledged.
# Knobs: DURATION (10m), RESTART_EVERY (60s), RATE (open model, 300/s), IDEMCTL (build/idemctl).
# Everything stays on 127.0.0.1 and stops by itself after DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
IDEMCTL=${IDEMCTL:-build/idemctl}
DURATION=${DURATION:-10m}
RESTART_EVERY=${RESTART_EVERY:-60}
RATE=${RATE:-300}
command -v redis-server >/dev/null || { echo "soak: redis-server missing: apt-get install redis-server" >&2; exit 2; }
command -v python3 >/dev/null || { echo "soak: python3 missing" >&2; exit 2; }
[ -x "$IDEMCTL" ] || { echo "soak: $IDEMCTL missing: run scripts/build.sh" >&2; exit 2; }
. bench/lib.sh
start_workdir

REDIS_PORT=$((61001 + RANDOM % 4000))
redis_up() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
    --appendfsync always --dir "$work" </dev/null >>"$work/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  echo "soak: redis-server did not start: $(tail -3 "$work/redis.log")" >&2
  exit 3
}
redis_up
store="redis://127.0.0.1:$REDIS_PORT"
start_serve --store "$store" --threads 64
A_PID=$SERVE_PID A_URL=$SERVE_URL
pids+=("$A_PID")
start_serve --store "$store" --threads 64
B_PID=$SERVE_PID B_URL=$SERVE_URL
pids+=("$B_PID")
rss() { ps -o rss= -p "$1" | tr -d ' '; }
A_RSS0=$(rss "$A_PID") B_RSS0=$(rss "$B_PID")

# The restarter: SIGTERM, wait for the exit, start again on the same port and AOF.
seconds=$(python3 -c "import re,sys
t='$DURATION'; m={'ms':0.001,'s':1,'m':60,'h':3600}
print(int(sum(int(n)*m[u] for n,u in re.findall(r'(\d+)(ms|s|m|h)', t))))")
restarts=0
(
  end=$((SECONDS + seconds))
  while sleep "$RESTART_EVERY" && [ "$SECONDS" -lt "$end" ]; do
    pid=$(redis-cli -p "$REDIS_PORT" info server 2>/dev/null | awk -F: '/^process_id/ {print $2}' | tr -d '\r')
    [ -n "$pid" ] && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    redis_up
    echo restart >>"$work/restarts"
  done
) &
RESTARTER=$!
pids+=("$RESTARTER")

body='{"amount":1000,"currency":"EUR"}'
set +e
"$IDEMCTL" stress -q --target "$A_URL" --target "$B_URL" -R "$RATE" -d "$DURATION" -c 64 \
  --dups 2 --pattern retry --body "$body" \
  --chaos 'drop-response,p=0.05' --chaos 'drop-response=reset,p=0.02' \
  --chaos 'replace-status=503,p=0.02' --chaos 'duplicate-forward,p=0.02' \
  --report json="$work/soak.json" --report ndjson="$work/requests.ndjson" \
  --ndjson-limit 5000000 >"$work/stress.txt" 2>&1
stress_exit=$?
set -e
kill "$RESTARTER" 2>/dev/null || true
# After the load, with Redis up: every key that got a 2xx must replay.
[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] || redis_up
A_RSS1=$(rss "$A_PID") B_RSS1=$(rss "$B_PID")
restarts=$( [ -f "$work/restarts" ] && wc -l <"$work/restarts" || echo 0)

python3 - "$work/soak.json" "$work/requests.ndjson" "$A_URL" "$body" <<'PY'
import http.client, json, sys, urllib.parse
report, log, url, body = sys.argv[1:5]
r = json.load(open(report))
once = sum(i["violations"] for i in r["invariants"] if i["name"] == "exactly-once")
keys = set()
for line in open(log):
    e = json.loads(line)
    if e.get("key") and 200 <= (e.get("status") or 0) < 300:
        keys.add(e["key"])
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
replayed = fresh = other = 0
for k in sorted(keys):
    # The caller stress used against a recognised serve (its first principal): keys are scoped
    # to it, so a replay must come from the same caller.
    conn.request("POST", "/payments", body, {"Idempotency-Key": k, "Content-Type": "application/json",
                                             "Authorization": "Bearer idemctl-verify-a"})
    a = conn.getresponse(); a.read()
    if a.status == 201 and a.getheader("Idempotent-Replayed") == "true": replayed += 1
    elif a.status == 201: fresh += 1
    else: other += 1
print(f"soak: {r['sent']} requests in {r['elapsed_s']:.0f} s, statuses {r['statuses']}")
print(f"soak: chaos {r.get('chaos', {})}")
print(f"soak: double executions (exactly-once violations): {once}")
print(f"soak: 503s answered (Redis restarts and injected): {r['statuses'].get('503', 0)}; "
      f"unexpected 5xx outcomes: {r['outcomes']['server_error']}")
print(f"soak: keys with a 2xx: {len(keys)}; replayed afterwards: {replayed}; "
      f"executed again (lost records): {fresh}; other answers: {other}")
PY
echo "soak: Redis restarts: $restarts (every ${RESTART_EVERY}s); stress exit $stress_exit"
echo "soak: RSS serve A ${A_RSS0} -> ${A_RSS1} KiB, serve B ${B_RSS0} -> ${B_RSS1} KiB"
