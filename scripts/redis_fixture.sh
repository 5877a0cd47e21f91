#!/usr/bin/env bash
# Starts or stops the throwaway redis-server that the [redis] tests share (a CTest fixture).
#   redis_fixture.sh start DIR   start redis-server on a free 127.0.0.1 port, no persistence,
#                                wait (bounded) for PING, write its URL to DIR/url
#   redis_fixture.sh stop DIR    stop it and remove DIR
# Fails loudly (exit 1) if redis-server is missing or does not answer: never a silent skip.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

start() {
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    echo "redis_fixture: redis-server/redis-cli not found: apt-get install redis-server" >&2
    exit 1
  fi
  stop_quietly
  mkdir -p "$dir"
  rm -f "$dir/url"
  local attempt port pid
  for attempt in 1 2 3 4 5; do
    # A port above the kernel's ephemeral range (ip_local_port_range ends at 60999 by default),
    # so it does not collide with the ports tests get from bind(0); a clash with anything else
    # makes redis-server exit and we try another.
    port=$((61000 + RANDOM % 4500))
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --daemonize no </dev/null >"$dir/redis.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    local i
    for i in $(seq 1 100); do  # up to 10 s
      if ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      # Our server, not another one that won a race for this port.
      if redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null |
          grep -q "^process_id:$pid"$'\r'; then
        echo "redis://127.0.0.1:$port" >"$dir/url"
        echo "redis_fixture: redis-server pid $pid on redis://127.0.0.1:$port"
        return 0
      fi
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "redis_fixture: attempt $attempt on port $port failed:" >&2
    tail -n 5 "$dir/redis.log" >&2 || true
  done
  echo "redis_fixture: redis-server did not start; see $dir/redis.log" >&2
  exit 1
}

stop_quietly() {
  if [[ -f "$dir/pid" ]]; then
    local pid
    pid=$(cat "$dir/pid")
    # Only our own redis-server: the pid must still be a redis-server process.
    if [[ "$(ps -o comm= -p "$pid" 2>/dev/null || true)" == redis-server* ]]; then
      kill "$pid" 2>/dev/null || true
      local i
      for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid"
  fi
}

case "$cmd" in
  start) start ;;
  stop)
    stop_quietly
    rm -rf "$dir"
    echo "redis_fixture: stopped"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
