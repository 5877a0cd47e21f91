# Shared helpers for the bench scripts (sourced, not run). Everything stays on 127.0.0.1.

# Starts `idemctl serve` quietly on a free port with extra flags; sets SERVE_PID and SERVE_URL.
start_serve() {
  local log
  log=$(mktemp)
  "$IDEMCTL" serve --listen 127.0.0.1:0 -q "$@" >"$log" 2>&1 &
  SERVE_PID=$!
  for _ in $(seq 1 200); do
    SERVE_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$SERVE_URL" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: idemctl serve did not start: $(cat "$log")" >&2
  exit 3
}

# Runs wrk with a Lua script against a URL; prints "<requests/sec> <p99 ms> <non-2xx>".
run_wrk() {
  local script=$1 url=$2 out
  out=$(wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-50}" -d"${DURATION:-10s}" --latency \
        -s "$script" "$url")
  echo "$out" | awk '
    /Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    $1 == "99%" {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); p99 = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); p99 = v }
      else if (v ~ /s$/) { sub(/s$/, "", v); p99 = v * 1000 }
    }
    END { printf "%s %s %s\n", rps, p99, (non2xx == "" ? 0 : non2xx) }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
