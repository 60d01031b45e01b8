#!/bin/sh
# layout_test.sh - the layout rules of docs/architecture.md that a build can check:
#  1. a header named *_internal.h is included only from its own folder (and from tests/);
#  2. every path docs/architecture.md names in backquotes exists.
# Usage: tests/docs/layout_test.sh [SOURCE_DIR]. Exit status 1 with one line per violation.
set -eu
cd "${1:-${DS_SOURCE_DIR:-.}}"
bad=0
for f in $(git ls-files '*.c' '*.h' '*.cu' '*.cuh' 2>/dev/null || find . -name '*.[ch]' | sed 's#^\./##'); do
    case "$f" in tests/*) continue ;; esac
    dir=$(dirname "$f")
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*_internal\.h\)".*/\1/p' "$f"); do
        case "$inc" in */*) incdir=$(dirname "$inc") ;; *) incdir=$dir ;; esac
        if [ "$incdir" != "$dir" ]; then
            echo "$f: includes $inc, internal to $incdir/"
            bad=1
        fi
    done
done
for p in $(grep -o '`[^` ]*`' docs/architecture.md | tr -d '`' | grep '/' | grep -v '[*<>]'); do
    case "$p" in ../*) continue ;; esac # outside the repository (../shared may be absent)
    if [ ! -e "$p" ]; then
        echo "docs/architecture.md: names $p, which does not exist"
        bad=1
    fi
done
exit $bad
