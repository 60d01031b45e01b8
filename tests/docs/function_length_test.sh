#!/bin/sh
# function_length_test.sh - no product function is longer than a reader can hold: lists the
# functions of the product code (pipeline ingest extract model kernels reports, tests left out)
# longer than LIMIT lines (120) and fails when one is not named in the allow-list
# tests/docs/function_length.allow ("path function  reason" per line). An allow-list entry whose
# function is gone or now short enough also fails, so the list only shrinks.
# Extents come from universal-ctags (start line and end line of each function definition;
# .cu files are read as C++ with __launch_bounds__ defined away).
# Usage: tests/docs/function_length_test.sh [SOURCE_DIR] [LIMIT]. Exit 77 without ctags.
set -eu
cd "${1:-${DS_SOURCE_DIR:-.}}"
limit=${2:-120}
allow=tests/docs/function_length.allow
if ! ctags --version 2>/dev/null | grep -q 'Universal Ctags'; then
    echo "skip: universal-ctags not installed (jobs/install-deps.sh installs it)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files() { git ls-files "$@" 2>/dev/null || find pipeline ingest extract model kernels reports -name "$1" | sed 's#^\./##'; }
dirs="pipeline ingest extract model kernels reports"
: >"$tmp/c"
: >"$tmp/cu"
for d in $dirs; do
    files "$d/*.c" >>"$tmp/c"
    files "$d/*.cu" >>"$tmp/cu"
done
fmt='%{line} %{end} %F %N'
{
    [ -s "$tmp/c" ] && xargs ctags -x --_xformat="$fmt" --fields=+ne --language-force=C --kinds-C=f <"$tmp/c"
    [ -s "$tmp/cu" ] && xargs ctags -x --_xformat="$fmt" --fields=+ne --language-force=C++ --kinds-C++=f \
        -D'__launch_bounds__(x)=' <"$tmp/cu"
} | awk -v limit="$limit" '$2 == "" || $2 < $1 { print "unreadable: " $0 > "/dev/stderr"; bad = 1; next }
    { n = $2 - $1 + 1; if (n > limit) print $3, $4, n } END { exit bad }' | sort >"$tmp/long"
grep -v '^[[:space:]]*\(#\|$\)' "$allow" | awk '{ print $1, $2 }' | sort >"$tmp/allowed"
bad=0
while read -r path fn n; do
    if ! grep -qx "$path $fn" "$tmp/allowed"; then
        echo "$path: $fn is $n lines (limit $limit): split it along its steps"
        bad=1
    fi
done <"$tmp/long"
awk '{ print $1, $2 }' "$tmp/long" | sort >"$tmp/longnames"
for entry in $(comm -23 "$tmp/allowed" "$tmp/longnames" | tr ' ' ':'); do
    echo "$allow: ${entry%%:*} ${entry#*:} is no longer over $limit lines: remove its entry"
    bad=1
done
exit $bad
