#!/usr/bin/env bash
# What does a live record cost, and does serve slow down as records pile up? One `idemctl serve`
# per store (memory, then Redis), fresh keys at full rate (wrk, bench/wrk/fresh_keys.lua) in
# back-to-back intervals until RECORDS live records; after each interval it prints throughput,
# live records and memory per record. Then the last/first throughput ratio.
#   memory: RSS of the serve process; bytes/record = (RSS - RSS before the first interval) /
#           live records (from /__idem/stats). The warm-up (unguarded route) runs first, so
#           threads and allocator arenas are already counted in the starting RSS.
#   redis:  used_memory from INFO memory; bytes/record = its delta / DBSIZE; round trips per
#           request = client commands (EVALSHA, EVAL, PING, SCRIPT from INFO commandstats)
#           per wrk request.
# Goals (issue 14): <= 256 B/record beyond the body (memory), <= 300 B (redis used_memory),
# last/first throughput >= 0.9 at 1M live records.
# TTL_FLOOD=60 adds a run with --ttl 60s for TTL_FLOOD_DURATION (150s): after the first minute
# expiry must keep up, so live records and RSS stay flat.
# Knobs: RECORDS (1000000), REDIS_RECORDS (300000), DURATION (5s), MAX_INTERVALS (40),
#        CONNECTIONS (50), THREADS (2), STORES ("memory redis"), SERVE_FLAGS, IDEMCTL.
# Everything on 127.0.0.1; every server started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
IDEMCTL=${IDEMCTL:-build/idemctl}
RECORDS=${RECORDS:-1000000}
REDIS_RECORDS=${REDIS_RECORDS:-300000}
MAX_INTERVALS=${MAX_INTERVALS:-40}
STORES=${STORES:-memory redis}
export DURATION=${DURATION:-5s}
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing: apt-get install $tool" >&2; exit 2; }
done
[ -x "$IDEMCTL" ] || { echo "bench: $IDEMCTL missing: run scripts/build.sh" >&2; exit 2; }
. bench/lib.sh

start_workdir

rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }
live_records() {
  curl -s "$1/__idem/stats" | grep -o '"records":[0-9]*' | cut -d: -f2
}
# Total requests of a wrk run ("N requests in ..."), for per-request figures.
wrk_fresh() {
  wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-50}" -d"$DURATION" -s bench/wrk/fresh_keys.lua "$1" |
    awk '/requests in/ { n = $1 } /Requests\/sec:/ { rps = $2 }
         /Non-2xx or 3xx responses:/ { err = $5 }
         END { printf "%s %s %s\n", rps, n, (err == "" ? 0 : err) }'
}
one_body_bytes() {  # size of one fresh answer's body, the part a record must keep anyway
  curl -s -X POST "$1/payments" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
    -H 'Content-Type: application/json' -d '{"amount":1000,"currency":"EUR"}' | wc -c
}

redis_info() { redis-cli -p "$REDIS_PORT" info "$1" | tr -d '\r'; }
redis_used() { redis_info memory | awk -F: '$1 == "used_memory" { print $2 }'; }
redis_round_trips() {
  redis_info commandstats | awk -F'[:=,]' '
    $1 ~ /^cmdstat_(evalsha|eval|ping|script)$/ { n += $3 } END { print n + 0 }'
}
redis_commands() {
  redis_info commandstats | awk -F'[:=,]' '
    $1 ~ /^cmdstat_/ && $1 !~ /^cmdstat_(info|dbsize|config)$/ { n += $3 } END { print n + 0 }'
}

# run_store NAME TARGET_RECORDS [serve flags...]
run_store() {
  local name=$1 target=$2
  shift 2
  start_serve "$@" ${SERVE_FLAGS:-}
  pids+=("$SERVE_PID")
  local url=$SERVE_URL
  DURATION=2s run_wrk bench/wrk/unguarded.lua "$url/unguarded/payments" >/dev/null  # warm-up
  local body rss0 used0=0 rt0=0 cmd0=0 first="" last="" i=0 total=0
  body=$(one_body_bytes "$url")
  rss0=$(rss_bytes "$SERVE_PID")
  if [ "$name" = redis ]; then used0=$(redis_used); rt0=$(redis_round_trips); cmd0=$(redis_commands); fi
  echo "== $name: wrk -t${THREADS:-2} -c${CONNECTIONS:-50} -d$DURATION fresh keys per interval, until $target live records; body $body B"
  if [ "$name" = redis ]; then
    printf "%4s %10s %10s %10s %12s %11s %11s\n" "int" "req/s" "non-2xx" "records" "used MiB" "B/record" "beyond body"
  else
    printf "%4s %10s %10s %10s %12s %11s %11s\n" "int" "req/s" "non-2xx" "records" "RSS MiB" "B/record" "beyond body"
  fi
  local records=0 rps n err mem per
  while [ "$records" -lt "$target" ] && [ "$i" -lt "$MAX_INTERVALS" ]; do
    i=$((i + 1))
    read -r rps n err < <(wrk_fresh "$url/payments")
    total=$((total + n))
    [ -z "$first" ] && first=$rps
    last=$rps
    if [ "$name" = redis ]; then
      records=$(redis-cli -p "$REDIS_PORT" dbsize)
      mem=$(( $(redis_used) - used0 ))
    else
      records=$(live_records "$url")
      mem=$(( $(rss_bytes "$SERVE_PID") - rss0 ))
    fi
    per=$(awk -v m="$mem" -v r="$records" 'BEGIN { if (r > 0) printf "%.0f", m / r; else print "n/a" }')
    printf "%4s %10s %10s %10s %12s %11s %11s\n" "$i" "$rps" "$err" "$records" \
      "$(awk -v m="$mem" 'BEGIN { printf "%.1f", m / 1048576 }')" "$per" \
      "$(awk -v p="$per" -v b="$body" 'BEGIN { if (p != "n/a") printf "%.0f", p - b; else print "n/a" }')"
  done
  echo "$name: throughput last/first $(ratio "$last" "$first")x at $records live records (goal >= 0.9x)"
  if [ "$name" = redis ]; then
    echo "$name: redis round trips per request $(awk -v a="$(( $(redis_round_trips) - rt0 ))" -v n="$total" 'BEGIN { printf "%.2f", a / n }'), redis commands per request (incl. inside scripts) $(awk -v a="$(( $(redis_commands) - cmd0 ))" -v n="$total" 'BEGIN { printf "%.2f", a / n }')"
  fi
  kill "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
}

# A flood with a short TTL: records expire as fast as they are made, so after the first TTL
# live records and RSS must stay flat.
run_ttl_flood() {
  local ttl=$1 duration=${TTL_FLOOD_DURATION:-150}
  start_serve --ttl "${ttl}s" ${SERVE_FLAGS:-}
  pids+=("$SERVE_PID")
  local url=$SERVE_URL t=0 rps n err
  echo "== memory, --ttl ${ttl}s flood for ${duration}s (10s intervals)"
  printf "%6s %10s %10s %10s\n" "t s" "req/s" "records" "RSS MiB"
  while [ "$t" -lt "$duration" ]; do
    read -r rps n err < <(DURATION=10s wrk_fresh "$url/payments")
    t=$((t + 10))
    printf "%6s %10s %10s %10s\n" "$t" "$rps" "$(live_records "$url")" \
      "$(awk -v m="$(rss_bytes "$SERVE_PID")" 'BEGIN { printf "%.1f", m / 1048576 }')"
  done
  kill "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
}

echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $("$IDEMCTL" --version 2>/dev/null || echo idemctl)"
for store in $STORES; do
  case $store in
    memory) run_store memory "$RECORDS" --store memory ;;
    redis)
      for tool in redis-server redis-cli; do
        command -v "$tool" >/dev/null || { echo "bench: $tool missing: apt-get install redis-server redis-tools" >&2; exit 2; }
      done
      start_redis
      run_store redis "$REDIS_RECORDS" --store "redis://127.0.0.1:$REDIS_PORT" ;;
    *) echo "bench: unknown store '$store' (memory or redis)" >&2; exit 2 ;;
  esac
done
if [ -n "${TTL_FLOOD:-}" ]; then run_ttl_flood "$TTL_FLOOD"; fi
