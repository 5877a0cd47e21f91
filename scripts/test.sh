#!/usr/bin/env bash
# The project's test command (README, CI): install what is missing, build, run every test.
# Tests that need Redis get a throwaway redis-server on loopback from a CTest fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh "$@"
ctest --test-dir build -j2 --output-on-failure --timeout 300
