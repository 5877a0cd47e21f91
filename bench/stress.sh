#!/usr/bin/env bash
# How fast is `idemctl stress` as a load generator, and can it saturate `serve`?
# 1. Debian's nginx on loopback answers every POST with a fixed 201 (the fastest target we
#    have). `idemctl stress` and `wrk` run against it alternately, three times each, at the same
#    -t/-c; prints the median throughput of each, their ratio, and each generator's CPU
#    microseconds per request (user+sys of the generator process / requests).
# 2. `idemctl stress` against `idemctl serve` (fresh keys, 2 sends per key): both processes'
#    CPU, to show which side is the bottleneck.
# Issue 7's goal: stress >= 0.42x wrk (bare libcurl multi ~0.42-0.47x), serve saturated.
# Knobs: DURATION (5s), CONNECTIONS (50), THREADS (2), IDEMCTL (build/idemctl).
set -euo pipefail
cd "$(dirname "$0")/.."
IDEMCTL=${IDEMCTL:-build/idemctl}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
command -v wrk >/dev/null || { echo "bench: wrk missing: apt-get install wrk" >&2; exit 2; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
  echo "bench: nginx missing: apt-get install nginx (scripts/setup.sh)" >&2; exit 2; }
[ -x "$IDEMCTL" ] || { echo "bench: $IDEMCTL missing: run scripts/build.sh" >&2; exit 2; }
. bench/lib.sh

work=$(mktemp -d)
NGINX_PID=
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port for nginx (it cannot bind port 0 and report it).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    location / { return 201 '{"id":"p_1","amount":1000,"currency":"EUR"}'; }
  }
}
CONF
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
NGINX_PID=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null -X POST "http://127.0.0.1:$port/payments" && break
  sleep 0.05
done
URL="http://127.0.0.1:$port"

# Runs a command and prints "<its user+sys CPU seconds> <its stdout file>".
cpu_of() {
  local out=$1; shift
  /usr/bin/time -f "%U %S" -o "$work/time" "$@" >"$out" 2>"$work/err" || true
  awk '{ printf "%.3f\n", $1 + $2 }' "$work/time"
}

secs=${DURATION%s}
stress_once() {
  local cpu rps n
  cpu=$(cpu_of "$work/stress.out" "$IDEMCTL" stress --target "$URL" --target-kind generic -q \
        -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --report "json=$work/stress.json")
  rps=$(python3 -c "import json; print(round(json.load(open('$work/stress.json'))['rps']))")
  n=$(python3 -c "import json; print(json.load(open('$work/stress.json'))['answered'])")
  echo "$rps $(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.1f", c * 1e6 / n }')"
}
wrk_once() {
  local cpu rps n
  cpu=$(cpu_of "$work/wrk.out" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
        -s bench/wrk/fresh_keys.lua "$URL/payments")
  rps=$(awk '/Requests\/sec:/ { print $2 }' "$work/wrk.out")
  n=$(awk '/requests in/ { print $1 }' "$work/wrk.out")
  echo "$rps $(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.1f", c * 1e6 / n }')"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

stress_rps=() stress_us=() wrk_rps=() wrk_us=()
for i in 1 2 3; do
  read -r r u < <(stress_once); stress_rps+=("$r"); stress_us+=("$u")
  read -r r u < <(wrk_once); wrk_rps+=("$r"); wrk_us+=("$u")
  echo "run $i: stress ${stress_rps[-1]} req/s (${stress_us[-1]} us CPU/req), wrk ${wrk_rps[-1]} req/s (${wrk_us[-1]} us CPU/req)"
done
s_med=$(printf '%s\n' "${stress_rps[@]}" | median)
w_med=$(printf '%s\n' "${wrk_rps[@]}" | median)
su_med=$(printf '%s\n' "${stress_us[@]}" | median)
wu_med=$(printf '%s\n' "${wrk_us[@]}" | median)
echo "nginx 201, -t $THREADS -c $CONNECTIONS, $DURATION each, median of 3:"
printf "  %-16s %12s req/s %8s us CPU/request\n" "idemctl stress" "$s_med" "$su_med"
printf "  %-16s %12s req/s %8s us CPU/request\n" "wrk" "$w_med" "$wu_med"
echo "  stress/wrk throughput: $(ratio "$s_med" "$w_med")x  (goal >= 0.42x)"
kill "$NGINX_PID" 2>/dev/null || true
NGINX_PID=

# Stress against serve: whose CPU runs out?
start_serve
serve_cpu_before=$(awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat")
# --target-kind generic: executions are judged by body identity while the load runs, so the
# generator's CPU is the load's alone (no counting of executions by URL after it).
cpu=$(cpu_of "$work/serve-stress.out" "$IDEMCTL" stress --target "$SERVE_URL" --target-kind generic -q -t "$THREADS" \
      -c "$CONNECTIONS" -d "$DURATION" --dups 2 --report "json=$work/serve.json")
serve_cpu_after=$(awk '{ print $14 + $15 }' "/proc/$SERVE_PID/stat")
ticks=$(getconf CLK_TCK)
serve_cpu=$(awk -v a="$serve_cpu_before" -v b="$serve_cpu_after" -v t="$ticks" 'BEGIN { printf "%.2f", (b - a) / t }')
rps=$(python3 -c "import json; print(round(json.load(open('$work/serve.json'))['rps']))")
violations=$(python3 -c "import json; d=json.load(open('$work/serve.json')); print(sum(v['count'] for v in d['violations']))")
echo "stress vs serve (fresh keys, --dups 2), -t $THREADS -c $CONNECTIONS, $DURATION:"
echo "  $rps req/s, $violations violations"
echo "  CPU over the run: serve ${serve_cpu}s, stress ${cpu}s (of ${secs}s wall x $(nproc) cores)"
