#!/usr/bin/env bash
# What does the guard cost? One `idemctl serve`, three wrk runs in the same session: fresh keys
# (claim + execute + complete), replays of one key, and the same handler with no guard
# (/unguarded/payments). Prints throughput, p99 and the guarded/unguarded ratios.
# Goal (issue 2): fresh-key throughput >= 0.85x unguarded, p99 <= 2x unguarded.
# Knobs: DURATION (10s), CONNECTIONS (50), THREADS (2), IDEMCTL (build/idemctl).
set -euo pipefail
cd "$(dirname "$0")/.."
IDEMCTL=${IDEMCTL:-build/idemctl}
command -v wrk >/dev/null || { echo "bench: wrk missing: apt-get install wrk" >&2; exit 2; }
[ -x "$IDEMCTL" ] || { echo "bench: $IDEMCTL missing: run scripts/build.sh" >&2; exit 2; }
. bench/lib.sh

start_serve
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT

# The baseline runs first and last and is averaged, so drift over the run (a warming or a
# busier machine, the demo app's growing payment list) does not favour either side.
read -r base1_rps base1_p99 base1_err < <(run_wrk bench/wrk/unguarded.lua "$SERVE_URL/unguarded/payments")
read -r fresh_rps fresh_p99 fresh_err < <(run_wrk bench/wrk/fresh_keys.lua "$SERVE_URL/payments")
read -r replay_rps replay_p99 replay_err < <(run_wrk bench/wrk/replay.lua "$SERVE_URL/payments")
read -r base2_rps base2_p99 base2_err < <(run_wrk bench/wrk/unguarded.lua "$SERVE_URL/unguarded/payments")
base_rps=$(awk -v a="$base1_rps" -v b="$base2_rps" 'BEGIN { printf "%.2f", (a + b) / 2 }')
base_p99=$(awk -v a="$base1_p99" -v b="$base2_p99" 'BEGIN { printf "%.2f", (a + b) / 2 }')
base_err=$((base1_err + base2_err))

printf "%-22s %12s %10s %8s\n" "case" "req/s" "p99 ms" "non-2xx"
printf "%-22s %12s %10s %8s\n" "unguarded (first)" "$base1_rps" "$base1_p99" "$base1_err"
printf "%-22s %12s %10s %8s\n" "unguarded (last)" "$base2_rps" "$base2_p99" "$base2_err"
printf "%-22s %12s %10s %8s\n" "guarded, fresh keys" "$fresh_rps" "$fresh_p99" "$fresh_err"
printf "%-22s %12s %10s %8s\n" "guarded, replays" "$replay_rps" "$replay_p99" "$replay_err"
echo "(replays: the few non-2xx are 409s while the key's first request was still running)"
echo "fresh/unguarded:  throughput $(ratio "$fresh_rps" "$base_rps")x, p99 $(ratio "$fresh_p99" "$base_p99")x  (goal >= 0.85x, <= 2x)"
echo "replay/unguarded: throughput $(ratio "$replay_rps" "$base_rps")x, p99 $(ratio "$replay_p99" "$base_p99")x"
