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

# redis-server on a free port above the kernel's ephemeral range; a clash makes it exit and we
# try another. Sets REDIS_PORT; uses the caller's $work directory and appends to its pids array.
start_redis() {
  local pid
  for _ in 1 2 3 4 5; do
    REDIS_PORT=$((61001 + RANDOM % 4000))
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
      </dev/null >"$work/redis.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      if [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; then
        pids+=("$pid")
        return 0
      fi
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  echo "bench: redis-server did not start: $(tail -3 "$work/redis.log")" >&2
  exit 3
}

# A scratch directory ($work) and a list of processes ($pids) that are stopped, and the
# directory removed, when the script exits.
start_workdir() {
  work=$(mktemp -d /tmp/idem-bench-XXXXXX)
  pids=()
  trap cleanup_workdir EXIT INT TERM
}
cleanup_workdir() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
