#!/usr/bin/env bash
# What do the raw reports cost the load generator? `idemctl stress` against Debian's nginx on
# loopback (a fixed 201, so the generator is the bottleneck), alternately without extra reports,
# with --report ndjson and with --report hdr, three times each at the same -t/-c; prints the
# median throughput and CPU µs per request of each and their ratios to the plain run, the ndjson
# file's size, and how long `idemctl report merge` takes for three such JSON reports.
# Knobs: DURATION (5s), CONNECTIONS (50), THREADS (2), IDEMCTL (build/idemctl).
set -euo pipefail
cd "$(dirname "$0")/.."
IDEMCTL=${IDEMCTL:-build/idemctl}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
  echo "bench: nginx missing: apt-get install nginx (scripts/setup.sh)" >&2; exit 2; }
[ -x "$IDEMCTL" ] || { echo "bench: $IDEMCTL missing: run scripts/build.sh" >&2; exit 2; }
. bench/lib.sh

work=$(mktemp -d)
NGINX_PID=
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
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

# Prints "<req/s> <CPU µs per request>" of one run with the extra flags given.
once() {
  local json=$work/run-$RANDOM.json
  /usr/bin/time -f "%U %S" -o "$work/time" "$IDEMCTL" stress --target "$URL" --target-kind generic \
    -q -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --report "json=$json" "$@" >/dev/null 2>"$work/stress.err" || true
  [ -f "$json" ] || { echo "bench: stress failed: $(cat "$work/stress.err")" >&2; exit 3; }
  cp "$json" "$work/last.json"
  python3 - "$json" "$work/time" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
user, sys_ = map(float, open(sys.argv[2]).read().split()[:2])
print(round(d["rps"]), round((user + sys_) * 1e6 / max(1, d["answered"]), 1))
PY
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A rps us
for i in 1 2 3; do
  for mode in plain ndjson hdr; do
    case $mode in
      plain) once >"$work/once" ;;
      ndjson) once --report "ndjson=$work/requests.ndjson" >"$work/once" ;;
      hdr) once --report "hdr=$work/latency.hdr" >"$work/once" ;;
    esac
    read -r r u <"$work/once"
    rps[$mode]+="$r "
    us[$mode]+="$u "
    [ "$mode" = plain ] && cp "$work/last.json" "$work/seg-$i.json"
  done
  last() { awk '{ print $NF }' <<<"$1"; }
  echo "run $i: plain $(last "${rps[plain]}") req/s, ndjson $(last "${rps[ndjson]}"), hdr $(last "${rps[hdr]}")"
done
echo "nginx 201, -t $THREADS -c $CONNECTIONS, $DURATION each, median of 3:"
for mode in plain ndjson hdr; do
  r=$(tr ' ' '\n' <<<"${rps[$mode]}" | grep . | median)
  u=$(tr ' ' '\n' <<<"${us[$mode]}" | grep . | median)
  eval "med_$mode=$r"
  printf "  %-8s %10s req/s %8s us CPU/request\n" "$mode" "$r" "$u"
done
echo "  ndjson/plain throughput: $(ratio "$med_ndjson" "$med_plain")x, hdr/plain: $(ratio "$med_hdr" "$med_plain")x"
echo "  ndjson file: $(wc -l <"$work/requests.ndjson") lines, $(du -h "$work/requests.ndjson" | cut -f1)"
# Merging needs reports of one target and distinct segments: three plain runs, as segments.
python3 - "$work" <<'PY'
import json, sys
for i in (1, 2, 3):
    p = f"{sys.argv[1]}/seg-{i}.json"
    d = json.load(open(p))
    d["segment"] = {"index": i - 1, "count": 3}
    json.dump(d, open(p, "w"))
PY
start=$(date +%s.%N)
"$IDEMCTL" report merge "$work/seg-1.json" "$work/seg-2.json" "$work/seg-3.json" \
  --report "json=$work/merged.json" >/dev/null || true
end=$(date +%s.%N)
echo "  report merge of 3 reports ($(du -ch "$work"/seg-*.json | tail -1 | cut -f1)): $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"
