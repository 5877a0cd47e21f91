# Shared by the packaging tests: failing with a message, and a scratch directory removed on exit.
# Usage: source lib.sh; every test gets BUILD (the build tree) and SRC (the repository) as $1 $2.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
IDEMCTL="$BUILD/idemctl"
SCRATCH=$(mktemp -d /tmp/idemctl-pkg-test.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is not installed (scripts/setup.sh installs it)"; }
# Every long and short flag that `idemctl CMD --help` prints, one per line.
help_flags() { "$IDEMCTL" "$@" --help | grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | tr -d ' ,' | sort -u; }
# The subcommands that `idemctl --help` lists.
commands() { "$IDEMCTL" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}'; }
