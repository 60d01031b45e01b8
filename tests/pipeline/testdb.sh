# testdb.sh - sourced by shell tests: a fresh database in the test cluster and small helpers.
# Usage: DBNAME=name; . testdb.sh   -> sets DSN, TMP; q SQL prints one unaligned result; fail MSG.
set -eu
: "${PGHOST:?the pg fixture must be running}" "${DOSSIER_BIN:?}" "${DS_BINARY_DIR:?}"
name=${DBNAME:?set DBNAME before sourcing}
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
DSN="host=$PGHOST dbname=$name user=${PGUSER:-dossier}"
TMP=$DS_BINARY_DIR/testtmp/$name.$$
rm -rf "$TMP"
mkdir -p "$TMP"
failures=0
q() { psql -X -At -d "$DSN" -c "$1"; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect() { # expect WHAT ACTUAL WANTED
    if [ "$2" != "$3" ]; then fail "$1: got '$2', want '$3'"; else echo "ok: $1"; fi
}
finish() {
    if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
    echo "all checks passed"
}
