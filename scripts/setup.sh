#!/usr/bin/env bash
# Installs what idemctl needs to build, test and benchmark on Debian 12, and nothing that is
# already there. Needs root (apt-get). A package that cannot be installed stops the script with
# its name: nothing is skipped silently.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcli11-dev libcurl4-openssl-dev libhiredis-dev nlohmann-json3-dev catch2
  libcpp-httplib-dev libssl-dev zlib1g-dev openssl libyaml-cpp-dev
  redis-server redis-tools wrk curl python3 nginx
  man-db groff-base zsh lintian dpkg-dev python3-yaml
  chromium
  clang-14 libfuzzer-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The HDR interop test decodes our logs with the npm package hdr-histogram-js: it needs node and
# npm, from Debian unless a node with its own npm (nodesource's) is already installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/idemctl-apt.log 2>&1; then
  tail -20 /tmp/idemctl-apt.log >&2
  echo "setup: apt-get could not install: ${missing[*]} (log: /tmp/idemctl-apt.log)" >&2
  exit 2
fi
for p in "${missing[@]}"; do
  [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    echo "setup: package $p is still missing after apt-get install" >&2
    exit 2
  }
done
echo "setup: done"
