#!/bin/sh
# roles_test.sh - compliance access: the reader reads the review views and nothing else, the
# reviewer changes an alert only through set_alert_status (which writes the audit row), the
# audit trail is append-only, and SQL in text inputs (file names, file contents, notes) is
# stored as text and harms nothing.
DBNAME=t_pipeline_roles
. "$(dirname "$0")/testdb.sh"
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
psql -X -q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't_alice') THEN CREATE ROLE t_alice LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't_bob') THEN CREATE ROLE t_bob LOGIN; END IF;
END \$\$" -c "GRANT dossier_reader TO t_alice" -c "GRANT dossier_reviewer TO t_bob" >/dev/null 2>&1

# A document whose name and text try SQL injection, processed by the real pipeline.
in=$TMP/inbox
mkdir -p "$in"
evil="x'); DROP TABLE documents; --.txt"
printf "Robert'); DROP TABLE chunks;-- said the \"shell company\" was fine. \\\\ \\\\N\n" >"$in/$evil"
"$DOSSIER_BIN" --db "$DSN" run "$in" >/dev/null 2>&1 || fail "run failed"
expect "evil file name stored as text" "$(q "SELECT count(*) FROM documents WHERE name = \$\$$evil\$\$")" 1
expect "evil text stored as text" "$(q "SELECT count(*) FROM chunks WHERE text LIKE '%DROP TABLE chunks;--%'")" 1
expect "tables intact" "$(q "SELECT count(*) FROM pg_tables WHERE tablename IN ('documents', 'chunks')")" 2

# The pipeline raised the red flag itself (the document says "shell company").
expect "red flag raised by the pipeline" "$(q "SELECT count(*) FROM aml_alerts WHERE kind = 'red_flag' AND evidence->>'rule' = 'RF-SHELL'")" 1
# An alert to review.
q "INSERT INTO aml_alerts (dedup_key, kind, document_id, subject, source_extractor)
   SELECT 'k1', 'red_flag', id, 'shell company', 'test' FROM documents LIMIT 1" >/dev/null
alert=$(q "SELECT id FROM aml_alerts WHERE dedup_key = 'k1'")

as() { user=$1; shift; PGOPTIONS="-c client_min_messages=error" psql -X -At -v ON_ERROR_STOP=1 -d "$DSN user=$user" -c "$1" 2>&1; }
denied() { # denied WHAT USER SQL
    out=$(as "$2" "$3") && fail "$1: allowed ($out)" || {
        case $out in *"permission denied"*|*"must be owner"*|*"append-only"*) echo "ok: $1";;
        *) fail "$1: unexpected error: $out";; esac; }
}
expect "reader reads open alerts" "$(as t_alice "SELECT count(*) FROM review_open_alerts")" 2
expect "reader searches chunks" "$(as t_alice "SELECT count(*) FROM search_chunks('\"shell company\"')")" 1
denied "reader cannot read base tables" t_alice "SELECT count(*) FROM documents"
denied "reader cannot write" t_alice "INSERT INTO runs (kind, host, pid, dossier_version) VALUES ('run', 'h', 1, 'v')"
denied "reader cannot change an alert" t_alice "SELECT set_alert_status($alert, 'dismissed', 'no')"
denied "reviewer cannot update alerts directly" t_bob "UPDATE aml_alerts SET status = 'dismissed' WHERE id = $alert"
denied "reviewer cannot write the audit directly" t_bob "INSERT INTO aml_alert_audit (alert_id, from_status, to_status) VALUES ($alert, 'open', 'dismissed')"
note="checked'); DELETE FROM aml_alerts; --"
as t_bob "SELECT set_alert_status($alert, 'under_review', \$n\$$note\$n\$)" >/dev/null || fail "reviewer could not use set_alert_status"
expect "status changed" "$(q "SELECT status FROM aml_alerts WHERE id = $alert")" under_review
expect "audit row" "$(q "SELECT changed_by || '|' || from_status || '|' || to_status FROM aml_alert_audit WHERE alert_id = $alert")" "t_bob|open|under_review"
expect "note stored as text" "$(q "SELECT note FROM aml_alert_audit WHERE alert_id = $alert")" "$note"
expect "alerts intact" "$(q "SELECT count(*) FROM aml_alerts")" 2
expect "reader reads the credit review" "$(as t_alice "SELECT count(*) >= 0 FROM review_credit")" t
expect "reviewer sees the history" "$(as t_bob "SELECT count(*) FROM review_alert_history")" 1
denied "audit is append-only (update)" "${PGUSER:-dossier}" "UPDATE aml_alert_audit SET note = 'x'"
denied "audit is append-only (delete)" "${PGUSER:-dossier}" "DELETE FROM aml_alert_audit"
as t_bob "SELECT set_alert_status($alert, 'bogus', 'x')" >/dev/null && fail "unknown status accepted" || echo "ok: unknown status refused"
as t_bob "SELECT set_alert_status($alert, 'dismissed', '')" >/dev/null && fail "empty note accepted" || echo "ok: a note is required"
finish
