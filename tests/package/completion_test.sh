#!/usr/bin/env bash
# The bash completion script, loaded into a real bash, completes commands, every flag of each
# command, and the values of flags that take known ones; the zsh script parses.
source "$(dirname "$0")/lib.sh"
"$IDEMCTL" completion bash >"$SCRATCH/idemctl.bash"
"$IDEMCTL" completion zsh >"$SCRATCH/_idemctl"
# complete WORD... : prints the candidates bash offers for the last word.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _idemctl; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$SCRATCH/idemctl.bash" "$@"
}
expect() {  # expect WANTED WORD...
  local wanted=$1; shift
  local got; got=$(complete_words "$@")
  grep -qx -- "$wanted" <<<"$got" || fail "'$*' does not complete to '$wanted' (got: $(tr '\n' ' ' <<<"$got"))"
}
expect verify idemctl ver
expect serve idemctl s
expect completion idemctl comp
expect --profile idemctl verify --prof
expect stripe idemctl verify --profile st
expect fiber idemctl verify --profile f
expect json idemctl serve --fingerprint j
expect no-lock idemctl serve --bug no-
expect concurrent-duplicates idemctl verify --only conc
expect lost-response idemctl verify --skip lost
expect zsh idemctl completion z
expect retry idemctl stress --pattern r
expect --threshold idemctl stress --thr
expect verify idemctl help v
# No value completion leaks into the wrong command: serve has no --only.
if grep -qx -- --only <<<"$(complete_words idemctl serve --onl)"; then fail "serve completes --only"; fi
n=0
for cmd in $(commands); do
  [ "$cmd" = help ] && continue
  offered=$(complete_words idemctl "$cmd" -)
  for flag in $(help_flags "$cmd"); do
    grep -qx -- "$flag" <<<"$offered" || fail "'idemctl $cmd $flag' is not completed"
    n=$((n + 1))
  done
done
[ "$n" -gt 20 ] || fail "only $n flags were checked"
need zsh
zsh -n "$SCRATCH/_idemctl" || fail "the zsh completion does not parse"
grep -q '^#compdef idemctl' "$SCRATCH/_idemctl" || fail "the zsh completion has no #compdef line"
echo "completion: $n flags and every value list complete"
