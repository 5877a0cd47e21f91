#!/usr/bin/env bash
# Configures and builds idemctl into build/ (warnings are errors). Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DIDEM_SANITIZE=address,undefined
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIDEM_WERROR=ON "$@" >/dev/null
cmake --build build -j2
