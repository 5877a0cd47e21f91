#!/usr/bin/env bash
# Benchmark (not a test): `idemctl serve` backed by Redis vs backed by memory, with wrk, plus
# `redis-benchmark -t set` on the same Redis as the ceiling. Prints throughput and p99 of each
# and the ratios redis/memory. Everything on 127.0.0.1; every process is stopped on exit.
#   bench/redis.sh [path/to/idemctl]   (default: build/idemctl)
# Knobs: DURATION (10s), THREADS (2), CONNECTIONS (50).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
idemctl=${1:-$here/../build/idemctl}
duration=${DURATION:-10s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-50}

for tool in wrk redis-server redis-cli redis-benchmark curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install wrk redis-server curl)" >&2; exit 2; }
done
[[ -x "$idemctl" ]] || { echo "bench: $idemctl not built (cmake --build build)" >&2; exit 2; }

work=$(mktemp -d /tmp/idem-bench-XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

start_redis() {
  local attempt i
  for attempt in 1 2 3 4 5; do
    redis_port=$((60001 + RANDOM % 5000))
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
      </dev/null >"$work/redis.log" 2>&1 &
    local pid=$!
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      if [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]]; then
        pids+=("$pid")
        return 0
      fi
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  echo "bench: redis-server did not start" >&2
  exit 3
}

# Starts `idemctl serve` on a free port (it picks one: --listen 127.0.0.1:0) and sets $port.
start_serve() {
  local log=$work/serve-$1.log i
  shift
  "$idemctl" serve --listen 127.0.0.1:0 -q "$@" </dev/null >"$log" 2>&1 &
  pids+=("$!")
  for i in $(seq 1 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$log")
    [[ -n "$port" ]] && return 0
    sleep 0.1
  done
  echo "bench: idemctl serve did not start:" >&2
  cat "$log" >&2
  exit 3
}

# Runs wrk; prints "requests/s p99_ms non_2xx".
run_wrk() {
  local url=$1 out
  out=$(timeout 120 wrk -t "$threads" -c "$connections" -d "$duration" --latency \
    -s "$here/idem.lua" "$url/payments")
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps ${p99:-?} ${non2xx:-0}"
}

start_redis
start_serve memory --store memory
memory_port=$port
start_serve redis --store "redis://127.0.0.1:$redis_port"
redis_url_port=$port

replay_key=$(cat /proc/sys/kernel/random/uuid)
for p in "$memory_port" "$redis_url_port"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$p/payments" \
    -H "Idempotency-Key: $replay_key" -H 'Content-Type: application/json' \
    -d '{"amount":1000,"currency":"EUR"}')
  [[ "$status" == 201 ]] || { echo "bench: priming the replay key answered $status" >&2; exit 1; }
done

echo "idemctl bench: wrk -t$threads -c$connections -d$duration, POST /payments, 127.0.0.1"
echo "  ($(nproc) cores; redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v='))"
read -r mem_fresh mem_fresh_p99 mem_fresh_bad <<<"$(run_wrk "http://127.0.0.1:$memory_port")"
read -r red_fresh red_fresh_p99 red_fresh_bad <<<"$(run_wrk "http://127.0.0.1:$redis_url_port")"
read -r mem_replay mem_replay_p99 mem_replay_bad <<<"$(IDEM_KEY=$replay_key run_wrk "http://127.0.0.1:$memory_port")"
read -r red_replay red_replay_p99 red_replay_bad <<<"$(IDEM_KEY=$replay_key run_wrk "http://127.0.0.1:$redis_url_port")"

# The ceiling: plain SETs on the same Redis, same connection count.
set_csv=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$redis_port" -t set -n 200000 \
  -c "$connections" --threads "$threads" --csv 2>/dev/null | grep '"SET"')
set_rps=$(cut -d, -f2 <<<"$set_csv" | tr -d '"')
set_p99=$(cut -d, -f7 <<<"$set_csv" | tr -d '"')

printf '\n%-28s %12s %10s %8s\n' "case" "requests/s" "p99 ms" "non-2xx"
printf '%-28s %12s %10s %8s\n' "memory, fresh keys" "$mem_fresh" "$mem_fresh_p99" "$mem_fresh_bad"
printf '%-28s %12s %10s %8s\n' "redis,  fresh keys" "$red_fresh" "$red_fresh_p99" "$red_fresh_bad"
printf '%-28s %12s %10s %8s\n' "memory, replays" "$mem_replay" "$mem_replay_p99" "$mem_replay_bad"
printf '%-28s %12s %10s %8s\n' "redis,  replays" "$red_replay" "$red_replay_p99" "$red_replay_bad"
printf '%-28s %12s %10s %8s\n' "redis-benchmark SET" "$set_rps" "$set_p99" "-"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "ratio redis/memory, fresh keys: $(ratio "$red_fresh" "$mem_fresh")x (goal >= 0.5x)"
echo "ratio redis/memory, replays:    $(ratio "$red_replay" "$mem_replay")x"
echo "redis-backed fresh keys / redis-benchmark SET: $(ratio "$red_fresh" "$set_rps")x"
