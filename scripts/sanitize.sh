#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (the asan preset, build-asan/) and
# runs every test under them. Any finding fails the run. Pass "tsan" for ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-asan}
scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "build-$preset" -j2 --output-on-failure --timeout 600
