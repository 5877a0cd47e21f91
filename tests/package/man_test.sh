#!/usr/bin/env bash
# The man pages are generated for every command and, rendered by man(1), name every flag that
# the command's --help prints (they come from the same definitions, so they cannot drift).
source "$(dirname "$0")/lib.sh"
need man
pages="$BUILD/generated/docs/man"
[ -f "$pages/idemctl.1" ] || fail "$pages/idemctl.1 was not generated"
render() { MANWIDTH=250 LC_ALL=C.UTF-8 man -l "$1" 2>"$SCRATCH/man.err" | col -b; }
top=$(render "$pages/idemctl.1")
for flag in $(help_flags); do
  grep -qF -- "$flag" <<<"$top" || fail "idemctl(1) does not mention $flag"
done
checked=0
for cmd in $(commands); do
  [ "$cmd" = help ] && continue
  page="$pages/idemctl-$cmd.1"
  [ -f "$page" ] || fail "no man page for '$cmd' ($page)"
  grep -q "idemctl-$cmd" <<<"$top" || fail "idemctl(1) does not list '$cmd'"
  text=$(render "$page")
  [ -s "$SCRATCH/man.err" ] && fail "man -l $page warned: $(cat "$SCRATCH/man.err")"
  for flag in $(help_flags "$cmd"); do
    grep -qF -- "$flag" <<<"$text" || fail "idemctl-$cmd(1) does not mention $flag"
    checked=$((checked + 1))
  done
  grep -q "EXIT STATUS" <<<"$text" || fail "idemctl-$cmd(1) has no EXIT STATUS section"
done
[ "$checked" -gt 20 ] || fail "only $checked flags were checked: the --help parsing is broken"
echo "man pages: $checked flags found in their pages"
