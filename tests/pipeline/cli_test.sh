#!/bin/sh
# cli_test.sh - command-line strictness: every command and subcommand refuses an unknown option
# (exit 2, naming it) without touching a database; global options written after the command
# work; a bad global value is refused; an unknown DOSSIER_* variable is warned about with the
# near name; doctor exits 3 when the database is unreachable; report refuses an ambiguous
# company (listing the candidates), an --out it cannot tell the format of, and a missing folder.
DBNAME=t_pipeline_cli
. "$(dirname "$0")/testdb.sh"
export DOSSIER_CONFIG=
cd "$TMP"

# run CMD... : runs dossier, keeping the exit code in rc and stderr in $TMP/err
run() {
    set +e
    "$DOSSIER_BIN" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    set -e
}

# Unknown options, one row per command; the database given is never reached.
for cmd in "db status" "db start" "db stop" "db migrate" "doctor" "lists load" "lists status" "lists screen" "lists rescreen" \
    "model info" "model generate" "model bench" "model quantize" "nightly" "report" "rules" "run" "tokens" "worker"; do
    # shellcheck disable=SC2086 # the command and its subcommand are two words
    run --db "host=$TMP/nowhere" $cmd --no-such-option
    expect "$cmd --no-such-option exits 2" "$rc" 2
    grep -q -- "no-such-option" "$TMP/err" || fail "$cmd: message does not name the option: $(cat "$TMP/err")"
done
run --db "host=$TMP/nowhere" db migrate stray
expect "db migrate with a stray argument exits 2" "$rc" 2
run --db "host=$TMP/nowhere" report --company X --out r.html stray
expect "report with a stray argument exits 2" "$rc" 2
run --db "host=$TMP/nowhere" lists rescreen stray
expect "lists rescreen with a stray argument exits 2" "$rc" 2
run --db "host=$TMP/nowhere" lists rescreen --max-documents x
expect "lists rescreen with a bad --max-documents exits 2" "$rc" 2
[ ! -e "$TMP/var" ] || fail "a refused command created a private cluster under the current folder"

# Global options after the command are taken as if before it.
run db migrate --db "$DSN"
expect "db migrate --db DSN exits 0" "$rc" 0
expect "db migrate --db DSN migrated that database" "$(q 'SELECT count(*) > 0 FROM schema_migrations')" t
run db status --db="$DSN"
expect "db status --db=DSN exits 0" "$rc" 0
run doctor --db "$DSN"
grep -q "schema version" "$TMP/out" || fail "doctor --db DSN did not reach the database: $(cat "$TMP/out")"
run rules --quiet
expect "rules --quiet exits 0" "$rc" 0
run doctor --log-format xml
expect "bad --log-format after the command exits 2" "$rc" 2
run doctor --db
expect "--db without a value exits 2" "$rc" 2
[ ! -e "$TMP/var" ] || fail "a command given --db created a private cluster under the current folder"

# Unknown DOSSIER_* variables are warned about, with the setting they are near.
set +e
DOSSIER_RUN_WROKERS=3 "$DOSSIER_BIN" rules >/dev/null 2>"$TMP/err"
set -e
grep -q "DOSSIER_RUN_WROKERS.*did you mean DOSSIER_RUN_WORKERS" "$TMP/err" || fail "no warning for a misspelt variable: $(cat "$TMP/err")"
set +e
DOSSIER_RUN_WORKERS=3 "$DOSSIER_BIN" rules >/dev/null 2>"$TMP/err"
set -e
[ ! -s "$TMP/err" ] || fail "a known variable was warned about: $(cat "$TMP/err")"

# doctor: exit 3 when the database does not answer (a configuration problem alone is 2).
run --db "host=$TMP/nowhere" doctor
expect "doctor with an unreachable database exits 3" "$rc" 3

# report: ambiguous company, unknown format, missing folder.
q "INSERT INTO companies (cik, name, name_key) VALUES ('901', 'Alpha Stores Inc', 'alpha stores'),
   ('902', 'Beta Stores Inc', 'beta stores')" >/dev/null
run --db "$DSN" report --company Stores --out r.html
expect "an ambiguous company exits 2" "$rc" 2
grep -q "Alpha Stores Inc (CIK 901)" "$TMP/err" && grep -q "Beta Stores Inc (CIK 902)" "$TMP/err" ||
    fail "the candidates are not listed: $(cat "$TMP/err")"
run --db "$DSN" report --company "beta stores inc" --out r.html
grep -q "matches" "$TMP/err" && fail "the full name is ambiguous: $(cat "$TMP/err")"
run --db "$DSN" report --company 902 --out r.html
grep -q "matches" "$TMP/err" && fail "a CIK is ambiguous: $(cat "$TMP/err")"
run --db "$DSN" report --company 902 --out r.docx
expect "--out with an unknown extension exits 2" "$rc" 2
grep -q "r.docx" "$TMP/err" || fail "the unknown format is not named: $(cat "$TMP/err")"
[ ! -e r.docx ] || fail "r.docx was written"
run --db "$DSN" report --company 902 --out "$TMP/missing/r.html"
expect "--out into a missing folder exits 2" "$rc" 2
grep -q "missing does not exist" "$TMP/err" || fail "no reason for the missing folder: $(cat "$TMP/err")"
finish
