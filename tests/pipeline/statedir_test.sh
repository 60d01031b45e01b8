#!/bin/sh
# statedir_test.sh - where the private cluster and the download cache live (pipeline/statedir.h):
# never under the current folder. From the build tree: the checkout's var/; state.dir
# (DOSSIER_STATE_DIR) when set, and refused when relative; a copy of the binary outside the
# build tree: /var/lib/dossier for root, $XDG_STATE_HOME/dossier for another account; an
# absolute db.pgdata kept as given. Read off `dossier doctor`'s state line.
set -eu
: "${DOSSIER_BIN:?}" "${DS_BINARY_DIR:?}" "${DS_SOURCE_DIR:?}"
TMP=$DS_BINARY_DIR/testtmp/statedir.$$
rm -rf "$TMP"
mkdir -p "$TMP/bin" "$TMP/elsewhere"
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# state_line [env...] -- BIN: the doctor's state line, run from an unrelated folder.
state_line() { (cd "$TMP/elsewhere" && env "$@" doctor 2>&1 | grep '\] state ' || true); }
expect_has() { # WHAT LINE WANTED
    case "$2" in *"$3"*) echo "ok: $1" ;; *) fail "$1: '$2' lacks '$3'" ;; esac
}
src=$(cd "$DS_SOURCE_DIR" && pwd -P)

l=$(state_line DOSSIER_STATE_DIR= "$DOSSIER_BIN")
expect_has "build tree: the checkout's var" "$l" "$src/var (the checkout"
expect_has "build tree: cluster under it" "$l" "private cluster $src/var/pg,"

l=$(state_line DOSSIER_STATE_DIR="$TMP/st" "$DOSSIER_BIN")
expect_has "state.dir used" "$l" "$TMP/st (state.dir); private cluster $TMP/st/pg, cache $TMP/st/cache"

set +e
out=$(cd "$TMP/elsewhere" && DOSSIER_STATE_DIR=rel "$DOSSIER_BIN" doctor 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] && echo "ok: relative state.dir refused" || fail "relative state.dir: exit $rc"
expect_has "relative state.dir named" "$out" "state.dir must be an absolute path"

l=$(state_line DOSSIER_STATE_DIR="$TMP/st" DOSSIER_DB_PGDATA=/srv/pg "$DOSSIER_BIN")
expect_has "absolute db.pgdata kept" "$l" "private cluster /srv/pg,"

# An installed binary: a copy outside the build tree.
cp "$DOSSIER_BIN" "$TMP/bin/dossier"
if [ "$(id -u)" = 0 ]; then
    l=$(state_line DOSSIER_STATE_DIR= "$TMP/bin/dossier")
    expect_has "installed, root: /var/lib/dossier" "$l" "/var/lib/dossier (root"
    if command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
        chmod 0755 "$TMP" "$TMP/bin" "$TMP/elsewhere"
        mkdir -p "$TMP/xdg"
        l=$(cd "$TMP/elsewhere" && runuser -u nobody -- env DOSSIER_STATE_DIR= XDG_STATE_HOME="$TMP/xdg" HOME=/nonexistent \
            "$TMP/bin/dossier" doctor 2>&1 | grep '\] state ' || true)
        expect_has "installed, another account: XDG state" "$l" "$TMP/xdg/dossier (\$XDG_STATE_HOME/dossier)"
        l=$(cd "$TMP/elsewhere" && runuser -u nobody -- env DOSSIER_STATE_DIR= XDG_STATE_HOME= HOME=/home/someone \
            "$TMP/bin/dossier" doctor 2>&1 | grep '\] state ' || true)
        expect_has "installed, another account: ~/.local/state" "$l" "/home/someone/.local/state/dossier"
    fi
else
    l=$(state_line DOSSIER_STATE_DIR= XDG_STATE_HOME="$TMP/xdg" "$TMP/bin/dossier")
    expect_has "installed: XDG state" "$l" "$TMP/xdg/dossier"
fi
[ "$failures" -eq 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
echo "all checks passed"
