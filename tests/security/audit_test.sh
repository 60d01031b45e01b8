#!/bin/sh
# audit_test.sh - the alert audit trail cannot be forged: the writer role can neither change an
# alert's status nor write audit rows; set_alert_status records session_user and the transaction
# time whatever the caller passes; transitions follow the state machine (confirmed is final, an
# unknown status gets a HINT listing the valid ones); rows are hash-chained, and a row changed
# or removed behind the triggers' back (as the owner can) is found by `dossier doctor`; the
# reader cannot read the fatf_jurisdictions base table.
DBNAME=t_security_audit
. "$(dirname "$0")/../pipeline/testdb.sh"
timeout 60 "$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
psql -X -q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't_sec_writer') THEN CREATE ROLE t_sec_writer LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't_sec_reviewer') THEN CREATE ROLE t_sec_reviewer LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't_sec_reader') THEN CREATE ROLE t_sec_reader LOGIN; END IF;
END \$\$" -c "GRANT dossier_writer TO t_sec_writer" -c "GRANT dossier_reviewer TO t_sec_reviewer" \
    -c "GRANT dossier_reader TO t_sec_reader" >/dev/null 2>&1
as() { user=$1; shift; PGOPTIONS="-c client_min_messages=error" timeout 30 psql -X -At -v ON_ERROR_STOP=1 -d "$DSN user=$user" -c "$1" 2>&1; }
denied() { # denied WHAT USER SQL
    out=$(as "$2" "$3") && fail "$1: allowed ($out)" || {
        case $out in *"permission denied"*|*"only through set_alert_status"*|*"only by set_alert_status"*) echo "ok: $1";;
        *) fail "$1: unexpected error: $out";; esac; }
}
q "INSERT INTO documents (sha256, source, name, bytes) VALUES (repeat('b', 64), '/in/a.txt', 'a.txt', 1)" >/dev/null
doc=$(q "SELECT id FROM documents LIMIT 1")
q "INSERT INTO aml_alerts (dedup_key, kind, document_id, subject, source_extractor) VALUES
   ('k1', 'red_flag', $doc, 'shell company', 'test'), ('k2', 'red_flag', $doc, 'nominee', 'test')" >/dev/null
a1=$(q "SELECT id FROM aml_alerts WHERE dedup_key = 'k1'")
a2=$(q "SELECT id FROM aml_alerts WHERE dedup_key = 'k2'")

denied "writer cannot change a status" t_sec_writer "UPDATE aml_alerts SET status = 'dismissed' WHERE id = $a1"
denied "writer cannot write audit rows" t_sec_writer "INSERT INTO aml_alert_audit (alert_id, changed_by, changed_at, from_status, to_status) VALUES ($a1, 'someone', '2001-01-01', 'open', 'dismissed')"
denied "writer cannot call set_alert_status" t_sec_writer "SELECT set_alert_status($a1, 'dismissed', 'x')"
as t_sec_writer "UPDATE aml_alerts SET quote = 'q' WHERE id = $a1" >/dev/null || fail "writer cannot update other columns"
denied "reader cannot read the FATF base table" t_sec_reader "SELECT count(*) FROM fatf_jurisdictions"
expect "reader reads the current FATF view" "$(as t_sec_reader "SELECT count(*) > 0 FROM fatf_jurisdictions_current")" t

as t_sec_reviewer "SELECT set_alert_status($a1, 'under_review', 'looking')" >/dev/null || fail "review 1"
as t_sec_reviewer "SELECT set_alert_status($a1, 'confirmed', 'true match')" >/dev/null || fail "review 2"
as t_sec_reviewer "SELECT set_alert_status($a2, 'dismissed', 'false positive')" >/dev/null || fail "review 3"
out=$(as t_sec_reviewer "SELECT set_alert_status($a1, 'open', 'undo')") && fail "confirmed alert reopened" \
    || case $out in *"cannot go from confirmed to open"*"final"*) echo "ok: confirmed is final";; *) fail "final: $out";; esac
out=$(PGOPTIONS="-c client_min_messages=error" psql -X -At -d "$DSN user=t_sec_reviewer" -c "SELECT set_alert_status($a2, 'closed', 'x')" 2>&1) \
    && fail "unknown status accepted" \
    || case $out in *HINT*"open, under_review, escalated, dismissed, confirmed"*) echo "ok: unknown status hint";; *) fail "hint: $out";; esac
expect "audit rows by the reviewer, at the transaction time" \
    "$(q "SELECT count(*) FROM aml_alert_audit WHERE changed_by = 't_sec_reviewer' AND changed_at > now() - interval '5 minutes'")" 3
expect "chain positions" "$(q "SELECT string_agg(chain_pos::text, ',' ORDER BY chain_pos) FROM aml_alert_audit")" "1,2,3"
expect "chain verified" "$(q "SELECT count(*) FROM aml_alert_audit_verify()")" 0
timeout 60 "$DOSSIER_BIN" --db "$DSN" doctor >"$TMP/doctor1.txt" 2>&1 || true
grep -q "audit trail intact (3 rows" "$TMP/doctor1.txt" || { cat "$TMP/doctor1.txt"; fail "doctor did not verify the chain"; }

# The owner (superuser here) rewrites history behind the triggers' back: doctor says where.
q "ALTER TABLE aml_alert_audit DISABLE TRIGGER aml_alert_audit_no_change" >/dev/null
q "UPDATE aml_alert_audit SET note = 'nothing to see' WHERE chain_pos = 2" >/dev/null
timeout 60 "$DOSSIER_BIN" --db "$DSN" doctor >"$TMP/doctor2.txt" 2>&1 && fail "doctor passed a forged trail"
grep -q "broken at position 2" "$TMP/doctor2.txt" || { cat "$TMP/doctor2.txt"; fail "doctor did not locate the change"; }
q "DELETE FROM aml_alert_audit WHERE chain_pos = 2" >/dev/null
expect "removed row found" "$(q "SELECT chain_pos || ' ' || problem FROM aml_alert_audit_verify()")" \
    "2 row at position 2 is missing (next is 3)"
q "ALTER TABLE aml_alert_audit ENABLE TRIGGER aml_alert_audit_no_change" >/dev/null
finish
