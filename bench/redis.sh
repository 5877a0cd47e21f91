#!/usr/bin/env bash
# What does Redis cost? `idemctl serve` backed by Redis vs backed by memory in one session
# (wrk: fresh keys, then replays of one key), and `redis-benchmark -t set` on the same Redis as
# the ceiling. Prints throughput and p99 of each and the ratios redis/memory.
# Goal (issue 3): Redis-backed fresh-key throughput >= 0.5x memory-backed.
# Everything on 127.0.0.1; the redis-server and both servers are stopped on exit.
# Knobs: DURATION (10s), CONNECTIONS (50), THREADS (2), IDEMCTL (build/idemctl).
set -euo pipefail
cd "$(dirname "$0")/.."
IDEMCTL=${IDEMCTL:-build/idemctl}
for tool in wrk redis-server redis-cli redis-benchmark curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing: apt-get install wrk redis-server redis-tools curl" >&2; exit 2; }
done
[ -x "$IDEMCTL" ] || { echo "bench: $IDEMCTL missing: run scripts/build.sh" >&2; exit 2; }
. bench/lib.sh

start_workdir

start_redis
start_serve --store memory
pids+=("$SERVE_PID")
memory_url=$SERVE_URL
start_serve --store "redis://127.0.0.1:$REDIS_PORT"
pids+=("$SERVE_PID")
redis_url=$SERVE_URL

export IDEM_BENCH_KEY
IDEM_BENCH_KEY=$(cat /proc/sys/kernel/random/uuid)
for url in "$memory_url" "$redis_url"; do  # the replay key's one execution, before timing
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/payments" \
    -H "Idempotency-Key: $IDEM_BENCH_KEY" -H 'Content-Type: application/json' \
    -d '{"amount":1000,"currency":"EUR"}')
  [ "$status" = 201 ] || { echo "bench: priming the replay key answered $status" >&2; exit 1; }
done

read -r mem_fresh mem_fresh_p99 mem_fresh_err < <(run_wrk bench/wrk/fresh_keys.lua "$memory_url/payments")
read -r red_fresh red_fresh_p99 red_fresh_err < <(run_wrk bench/wrk/fresh_keys.lua "$redis_url/payments")
read -r mem_replay mem_replay_p99 mem_replay_err < <(run_wrk bench/wrk/replay.lua "$memory_url/payments")
read -r red_replay red_replay_p99 red_replay_err < <(run_wrk bench/wrk/replay.lua "$redis_url/payments")

# The ceiling: plain SETs on the same Redis with as many connections.
set_csv=$(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t set -n 200000 \
  -c "${CONNECTIONS:-50}" --threads "${THREADS:-2}" --csv 2>/dev/null | grep '"SET"')
set_rps=$(cut -d, -f2 <<<"$set_csv" | tr -d '"')
set_p99=$(cut -d, -f7 <<<"$set_csv" | tr -d '"')

echo "wrk -t${THREADS:-2} -c${CONNECTIONS:-50} -d${DURATION:-10s} POST /payments; $(nproc) cores; redis-server $(redis-server --version | awk '{print $3}' | sed 's/^v=//')"
printf "%-22s %12s %10s %8s\n" "case" "req/s" "p99 ms" "non-2xx"
printf "%-22s %12s %10s %8s\n" "memory, fresh keys" "$mem_fresh" "$mem_fresh_p99" "$mem_fresh_err"
printf "%-22s %12s %10s %8s\n" "redis, fresh keys" "$red_fresh" "$red_fresh_p99" "$red_fresh_err"
printf "%-22s %12s %10s %8s\n" "memory, replays" "$mem_replay" "$mem_replay_p99" "$mem_replay_err"
printf "%-22s %12s %10s %8s\n" "redis, replays" "$red_replay" "$red_replay_p99" "$red_replay_err"
printf "%-22s %12s %10s %8s\n" "redis-benchmark SET" "$set_rps" "$set_p99" "-"
echo "redis/memory, fresh keys: throughput $(ratio "$red_fresh" "$mem_fresh")x, p99 $(ratio "$red_fresh_p99" "$mem_fresh_p99")x  (goal >= 0.5x throughput)"
echo "redis/memory, replays:    throughput $(ratio "$red_replay" "$mem_replay")x, p99 $(ratio "$red_replay_p99" "$mem_replay_p99")x"
echo "redis fresh keys / redis-benchmark SET: $(ratio "$red_fresh" "$set_rps")x"
