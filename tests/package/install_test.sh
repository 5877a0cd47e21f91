#!/usr/bin/env bash
# `cmake --install` into a temporary prefix gives a working tool: the installed binary finds
# the installed catalogue (not the source tree's), verifies the embedded server, and every
# command's help runs; man pages and completions are where distributions look for them.
source "$(dirname "$0")/lib.sh"
prefix="$SCRATCH/prefix"
cmake --install "$BUILD" --prefix "$prefix" >/dev/null
bin="$prefix/bin/idemctl"
[ -x "$bin" ] || fail "no $bin after cmake --install"
for f in share/idemctl/scenarios/10-keys.json share/man/man1/idemctl.1.gz \
         share/man/man1/idemctl-verify.1.gz share/bash-completion/completions/idemctl \
         share/zsh/vendor-completions/_idemctl share/doc/idemctl/copyright; do
  [ -f "$prefix/$f" ] || fail "cmake --install did not install $f"
done
for cmd in $(commands); do
  "$bin" "$cmd" --help >/dev/null || fail "installed 'idemctl $cmd --help' failed"
done
"$bin" --version | grep -q "^idemctl " || fail "installed --version does not name idemctl"
# The installed catalogue is the one read: the same checks as the build tree's, and one fewer
# once a check file is removed from the installed copy.
unset IDEMCTL_SCENARIOS
diff <("$bin" verify --list) <("$IDEMCTL" verify --list) >/dev/null ||
  fail "the installed binary lists other checks than the build tree's"
(cd "$SCRATCH" && "$bin" verify >"$SCRATCH/verify.out" 2>&1) ||
  fail "installed 'idemctl verify' failed: $(tail -5 "$SCRATCH/verify.out")"
rm "$prefix/share/idemctl/scenarios/60-methods.json"
if diff <("$bin" verify --list) <("$IDEMCTL" verify --list) >/dev/null; then
  fail "the installed binary does not read the installed catalogue"
fi
echo "install: verify, --help of every command and the installed catalogue work from $prefix"
