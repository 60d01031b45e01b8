# common.sh - sourced by the security tests: a scratch folder, an unprivileged OS account for
# attacks that need another local user, and the expect/fail helpers. Every attack command runs
# under `timeout`, so a hang fails the test instead of stalling it.
set -eu
: "${DOSSIER_BIN:?}" "${DS_BINARY_DIR:?}"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect() { # expect WHAT ACTUAL WANTED
    if [ "$2" != "$3" ]; then fail "$1: got '$2', want '$3'"; else echo "ok: $1"; fi
}
finish() {
    if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
    echo "all checks passed"
}
# A second, unprivileged account (created when missing; never removed: other runs reuse it).
# Needs root; prints the name, or nothing when it cannot be had.
attacker_account() {
    name=dossier_sec_attacker
    if id -u "$name" >/dev/null 2>&1; then echo "$name"; return; fi
    if [ "$(id -u)" != 0 ]; then return; fi
    useradd --system --no-create-home --shell /usr/sbin/nologin "$name" >/dev/null 2>&1 || true
    if id -u "$name" >/dev/null 2>&1; then echo "$name"; fi
}
