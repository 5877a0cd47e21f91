#!/usr/bin/env bash
# The Debian package: built by CPack, its metadata and contents as Debian expects, Depends from
# dpkg-shlibdeps, lintian clean but for the tags justified in lintian-allowed.txt, and, extracted
# into a temporary root, a binary that verifies the embedded server from the packaged layout.
source "$(dirname "$0")/lib.sh"
need dpkg-deb
need dpkg-shlibdeps
need lintian
(cd "$SCRATCH" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$SCRATCH/out" >cpack.log 2>&1) ||
  fail "cpack failed: $(tail -20 "$SCRATCH/cpack.log")"
version=$("$IDEMCTL" --version | awk 'NR==1{print $2}')
deb="$SCRATCH/out/idemctl_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "no $deb (got: $(ls "$SCRATCH/out"))"
info=$(dpkg-deb --info "$deb")
for field in "Package: idemctl" "Version: $version" "Architecture: $(dpkg --print-architecture)" \
             "Section: net" "Maintainer: "; do
  grep -q "^ $field" <<<"$info" || fail "control has no '$field': $info"
done
grep -q '^  ;' <<<"$info" && fail "the extended description is garbled: $info"
grep -q '^  idemctl checks that an API' <<<"$info" || fail "no extended description: $info"
depends=$(grep '^ Depends:' <<<"$info")
for lib in libcurl4 libhiredis0.14 libssl3 libc6 libstdc++6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
for f in ./usr/bin/idemctl ./usr/share/idemctl/scenarios/10-keys.json \
         ./usr/share/man/man1/idemctl.1.gz ./usr/share/man/man1/idemctl-serve.1.gz \
         ./usr/share/man/man1/idemctl-verify.1.gz ./usr/share/bash-completion/completions/idemctl \
         ./usr/share/zsh/vendor-completions/_idemctl ./usr/share/doc/idemctl/copyright \
         ./usr/share/doc/idemctl/changelog.gz ./usr/share/doc/idemctl/README.md; do
  grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done
lintian --fail-on error,warning --suppress-tags-from-file "$(dirname "$0")/lintian-allowed.txt" \
  "$deb" >"$SCRATCH/lintian.out" 2>&1 || fail "lintian: $(cat "$SCRATCH/lintian.out")"
root="$SCRATCH/root"
dpkg-deb -x "$deb" "$root"
unset IDEMCTL_SCENARIOS
(cd "$SCRATCH" && "$root/usr/bin/idemctl" verify >"$SCRATCH/verify.out" 2>&1) ||
  fail "the packaged 'idemctl verify' failed: $(tail -5 "$SCRATCH/verify.out")"
rm "$root/usr/share/idemctl/scenarios/60-methods.json"
if diff <("$root/usr/bin/idemctl" verify --list) <("$IDEMCTL" verify --list) >/dev/null; then
  fail "the packaged binary does not read the packaged catalogue"
fi
echo "deb: $(basename "$deb") ok; $depends"
