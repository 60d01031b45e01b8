#!/bin/sh
# format_test.sh - every C, CUDA and header file in the repository is laid out as .clang-format
# says (`make format` applies it). Skips (77) where clang-format or git is missing.
# Usage: tests/docs/format_test.sh [SOURCE_DIR]. Exit status 1 with one line per file that differs.
set -eu
cd "${1:-${DS_SOURCE_DIR:-.}}"
command -v clang-format >/dev/null 2>&1 || { echo "skip: clang-format not installed"; exit 77; }
command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1 || { echo "skip: not a git checkout"; exit 77; }
bad=0
for f in $(git ls-files '*.c' '*.h' '*.cu' '*.cuh'); do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
        echo "$f: not formatted (make format)"
        bad=1
    fi
done
exit $bad
