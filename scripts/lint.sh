#!/usr/bin/env bash
# Runs clang-tidy (the short list in .clang-tidy) over the core and the CLI, using build/'s
# compile_commands.json. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/compile_commands.json ] || scripts/build.sh
git ls-files 'src/*.cpp' | xargs -P2 -n4 clang-tidy -p build --quiet --warnings-as-errors='*'
