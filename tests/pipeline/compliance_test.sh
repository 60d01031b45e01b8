#!/bin/sh
# compliance_test.sh - the README's "For compliance teams" queries, read from README.md itself,
# run as a login granted only dossier_reader (and the status change as one granted
# dossier_reviewer) on documents processed by the real pipeline: each runs without error and
# returns rows, through the review views alone (the logins hold no grant on a base table), and
# alerts without a score show none.
DBNAME=t_pipeline_compliance
. "$(dirname "$0")/testdb.sh"
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
reader=t_compliance_reader
reviewer=t_compliance_reviewer
psql -X -q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$reader') THEN CREATE ROLE $reader LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$reviewer') THEN CREATE ROLE $reviewer LOGIN; END IF;
END \$\$" -c "GRANT dossier_reader TO $reader" -c "GRANT dossier_reviewer TO $reviewer" >/dev/null 2>&1

# Documents: the sample inbox (statements, filings), a text with red-flag phrases and a
# high-risk jurisdiction, and an empty PDF that fails.
in=$TMP/inbox
"$DS_BINARY_DIR/ds_gen_samples" "$in" >/dev/null || fail "sample generator failed"
printf 'The auditor raised substantial doubt about the going concern of the group. Payments were routed\nthrough a shell company registered in Iran and through nominee directors.\n' >"$in/memo.txt"
: >"$in/empty.pdf"
"$DOSSIER_BIN" --db "$DSN" run "$in" >/dev/null 2>&1 || true
expect "a document failed" "$(q "SELECT count(*) > 0 FROM documents WHERE status = 'failed'")" t
expect "alerts raised" "$(q "SELECT count(*) > 0 FROM aml_alerts")" t
alert=$(q "SELECT min(id) FROM aml_alerts WHERE status = 'open'")

# The logins read no base table the queries rely on.
for t in aml_alerts aml_alert_audit documents chunks facts companies; do
    for u in $reader $reviewer; do
        expect "$u has no grant on $t" "$(q "SELECT has_table_privilege('$u', '$t', 'SELECT,INSERT,UPDATE,DELETE')")" f
    done
done

# The README's worked queries, in order.
awk '/^## For compliance teams/ { on = 1; next } on && /^## / { on = 0 }
     on && /^```sql/ { n++; f = sprintf("%s/query%d.sql", dir, n); printf "" > f; inq = 1; next }
     on && inq && /^```/ { inq = 0; close(f); next }
     on && inq { print >> f }' dir="$TMP" "$DS_SOURCE_DIR/README.md"
n=$(ls "$TMP"/query*.sql 2>/dev/null | wc -l)
expect "five worked queries in the README" "$n" 5
as() { # as USER FILE: rows printed, psql's status kept
    PGOPTIONS="-c client_min_messages=error" psql -X -At -v ON_ERROR_STOP=1 -d "$DSN user=$1" -f "$2" 2>&1
}
for f in "$TMP"/query*.sql; do
    name=$(basename "$f" .sql)
    if grep -q set_alert_status "$f"; then
        sed -i "s/\\b42\\b/$alert/g" "$f"
        out=$(as $reader "$f") && fail "$name: a reader changed an alert ($out)" || {
            case $out in *"permission denied"*) echo "ok: $name refused to a reader";;
            *) fail "$name: unexpected error for a reader: $out";; esac; }
        users=$reviewer
    else
        users="$reader $reviewer"
    fi
    for u in $users; do
        if out=$(as "$u" "$f"); then
            rows=$(printf '%s\n' "$out" | grep -c .)
            [ "$rows" -gt 0 ] && echo "ok: $name as $u: $rows rows" || fail "$name as $u: no rows"
        else
            fail "$name as $u: $out"
        fi
    done
done
expect "status changed through set_alert_status" "$(q "SELECT status FROM aml_alerts WHERE id = $alert")" under_review

# A status the function does not know is refused with a hint naming the valid ones.
out=$(PGOPTIONS="-c client_min_messages=error" psql -X -At -v VERBOSITY=verbose -d "$DSN user=$reviewer" \
    -c "SELECT set_alert_status($alert, 'reviewed', 'x')" 2>&1) && fail "unknown status accepted" || true
case $out in *HINT*open*under_review*escalated*dismissed*confirmed*) echo "ok: hint lists the statuses";;
*) fail "no hint listing the statuses: $out";; esac

# Scores exist for sanctions matches only.
expect "jurisdiction or red-flag alerts raised" \
    "$(q "SELECT count(*) > 0 FROM aml_alerts WHERE kind IN ('high_risk_jurisdiction', 'red_flag')")" t
expect "no score where none applies" \
    "$(psql -X -At -d "$DSN user=$reader" -c "SELECT count(*) FROM review_open_alerts WHERE kind <> 'sanctions_match' AND score IS NOT NULL")" 0
finish
