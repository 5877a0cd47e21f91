#!/usr/bin/env bash
# Installs what idemctl needs to build, test and benchmark on Debian 12, and nothing that is
# already there. Needs root (apt-get). A package that cannot be installed stops the script with
# its name: nothing is skipped silently.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcli11-dev libcurl4-openssl-dev libhiredis-dev nlohmann-json3-dev catch2
  libcpp-httplib-dev libssl-dev
  redis-server redis-tools wrk curl python3 nginx
  man-db groff-base zsh lintian dpkg-dev python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

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
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    echo "setup: package $p is still missing after apt-get install" >&2
    exit 2
  }
done
echo "setup: done"
