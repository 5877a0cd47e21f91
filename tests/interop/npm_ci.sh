#!/usr/bin/env bash
# CTest fixture of the HDR interop test: installs the pinned hdr-histogram-js (package-lock.json)
# into BUILD_DIR/interop with `npm ci`, its npm cache inside the build tree so that a second run
# needs no network. Fails loudly when node/npm are missing or the registry cannot be reached:
# the interop test is never skipped silently.
set -euo pipefail
build_dir=$1
source_dir=$2
dest="$build_dir/interop"
cache="$build_dir/npm-cache"
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "hdr interop: $tool not found: run scripts/setup.sh (installs Debian's nodejs npm)" >&2
    exit 1
  }
done
mkdir -p "$dest" "$cache"
cp "$source_dir/tests/interop/package.json" "$source_dir/tests/interop/package-lock.json" \
   "$source_dir/tests/interop/hdr_decode.js" "$dest/"
cd "$dest"
if ! npm ci --cache "$cache" --prefer-offline --no-audit --no-fund --loglevel=error \
     >"$dest/npm-ci.log" 2>&1; then
  tail -20 "$dest/npm-ci.log" >&2
  echo "hdr interop: npm ci could not install hdr-histogram-js (tests/interop/package-lock.json)" \
       "from the npm registry or the cache $cache; log: $dest/npm-ci.log" >&2
  exit 1
fi
node -e 'require("hdr-histogram-js")' || {
  echo "hdr interop: hdr-histogram-js is installed but does not load" >&2
  exit 1
}
echo "hdr interop: hdr-histogram-js $(node -p 'require("hdr-histogram-js/package.json").version') in $dest"
