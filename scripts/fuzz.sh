#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang-14, ASan + UBSan, into build-fuzz/) and runs
# each for SECONDS (default 10) from its seed corpus in tests/fuzz/corpus. New inputs go to a
# scratch copy, never into the repository. Any crash, leak, timeout (> 5 s per input), memory
# blow-up (> 2 GiB) or broken property fails the run and names the saved input.
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     e.g. scripts/fuzz.sh 600 request_head_fuzz
# FUZZ_SEED=N FUZZ_RUNS=M make a run repeatable (CI): the same seed and corpus give the same
# inputs, and a run cut short by SECONDS on a slower machine tries a prefix of them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
for tool in clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool is missing (scripts/setup.sh installs clang-14 libfuzzer-14-dev)" >&2; exit 2; }
done
cmake -S tests/fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j2 >/dev/null
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cpp; do harnesses+=("$(basename "$f" .cpp)"); done
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
repeatable=()
[ -n "${FUZZ_SEED:-}" ] && repeatable+=("-seed=$FUZZ_SEED")
[ -n "${FUZZ_RUNS:-}" ] && repeatable+=("-runs=$FUZZ_RUNS")
for h in "${harnesses[@]}"; do
  [ -x "build-fuzz/$h" ] || { echo "fuzz: no harness named $h (tests/fuzz/$h.cpp)" >&2; exit 2; }
  mkdir -p "$scratch/$h" "$scratch/artifacts-$h"
  cp -r "tests/fuzz/corpus/$h/." "$scratch/$h/" 2>/dev/null || true
  log="$scratch/$h.log"
  if "build-fuzz/$h" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 ${repeatable[@]+"${repeatable[@]}"} \
       -artifact_prefix="$scratch/artifacts-$h/" "$scratch/$h" >"$log" 2>&1; then
    echo "fuzz: $h ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') runs within ${seconds} s; $(ls "$scratch/$h" | wc -l) inputs)"
  else
    failed=1
    mkdir -p build-fuzz/findings
    cp "$scratch/artifacts-$h/"* build-fuzz/findings/ 2>/dev/null || true
    grep -E "fuzz property broken|ERROR|SUMMARY" "$log" | head -5 >&2
    echo "fuzz: $h FAILED; inputs kept in build-fuzz/findings/ (rerun: build-fuzz/$h FILE)" >&2
  fi
done
exit $failed
