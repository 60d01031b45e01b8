#!/bin/sh
# cases_test.sh - sanctions cases (sql/0022_aml_cases.sql, pipeline/rescreen.h) against a real
# server: a listed entry named in two documents of one company is one case with two mentions, a
# document without company has its own case; a reviewer login dismisses a case through
# set_case_status (set_alert_status refuses a held alert and names its case); the same documents
# run again and another document of the company naming the entry leave the case dismissed; a new
# list version adding an entry named in stored chunks makes `lists load` (its rescreen) open
# exactly that case, and rescreening again opens nothing; the company's report lists only the
# open case's alerts; an entry removed from the list leaves
# its cases alone, with --max-documents going on where it stopped; the writer can neither change
# a case's status or an alert's case nor write case audit rows; the case chain verifies and a row
# forged by the superuser (trigger disabled) is found by `dossier doctor`; alerts stored before
# the migration are filed into cases with their statuses carried over.
DBNAME=t_pipeline_cases
. "$(dirname "$0")/testdb.sh"
timeout 60 "$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
reviewer=t_case_reviewer
writer=t_case_writer
psql -X -q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$reviewer') THEN CREATE ROLE $reviewer LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$writer') THEN CREATE ROLE $writer LOGIN; END IF;
END \$\$" -c "GRANT dossier_reviewer TO $reviewer" -c "GRANT dossier_writer TO $writer" >/dev/null 2>&1
as() { user=$1; shift; PGOPTIONS="-c client_min_messages=error" timeout 30 psql -X -At -F'|' -v ON_ERROR_STOP=1 -d "$DSN user=$user" -c "$1" 2>&1; }
denied() { # denied WHAT USER SQL
    out=$(as "$2" "$3") && fail "$1: allowed ($out)" || {
        case $out in *"permission denied"*|*"only through set_case_status"*|*"only when the alert is raised"*) echo "ok: $1";;
        *) fail "$1: unexpected error: $out";; esac; }
}
dossier() { timeout 120 "$DOSSIER_BIN" --db "$DSN" "$@"; }

# OFAC's CSV layout (12 fields, -0- for null); version 2 adds ZARGHAMI, version 3 drops PETROVSKY.
list() { # list DIR ENTRY...
    mkdir -p "$1"; d=$1; shift
    : >"$d/sdn.csv"
    for e in "$@"; do
        case $e in
        petrovsky) echo '9001,"PETROVSKY, Anatoly Ivanovich","individual","RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 12 Mar 1961."';;
        kaspian) echo '9002,"KASPIAN MARITIME TRADING LLC",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ';;
        zarghami) echo '9003,"ZARGHAMI, Farid Reza","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1970."';;
        esac >>"$d/sdn.csv"
    done
}
list "$TMP/v1" petrovsky kaspian
list "$TMP/v2" petrovsky kaspian zarghami
list "$TMP/v3" kaspian zarghami

# An EDGAR submission of NORTHWIND HOLDINGS (CIK 123456) holding one plain-text document.
edgar() { # edgar FILE ACCESSION TEXT
    printf '<SEC-DOCUMENT>%s.txt : 20250110\n<SEC-HEADER>%s.hdr.sgml : 20250110\nACCESSION NUMBER:\t\t%s\nCONFORMED SUBMISSION TYPE:\t8-K\nPUBLIC DOCUMENT COUNT:\t\t1\nFILED AS OF DATE:\t\t20250110\n\nFILER:\n\n\tCOMPANY DATA:\n\t\tCOMPANY CONFORMED NAME:\t\t\tNORTHWIND HOLDINGS INC\n\t\tCENTRAL INDEX KEY:\t\t\t0000123456\n</SEC-HEADER>\n<DOCUMENT>\n<TYPE>8-K\n<SEQUENCE>1\n<FILENAME>nw.txt\n<TEXT>\n%s\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n' \
        "$2" "$2" "$2" "$3" >"$1"
}
in=$TMP/inbox
mkdir -p "$in"
edgar "$in/nw-1.txt" 0000123456-25-000001 "Current report. The board approved a consulting agreement with Anatoly Ivanovich PETROVSKY for the year."
edgar "$in/nw-2.txt" 0000123456-25-000002 "Current report. Fees were paid to Anatoly Ivanovich Petrovsky in March. Spare parts came from a supplier owned by Farid Reza ZARGHAMI."
printf 'Board minutes\n\nThe committee noted a loan from Anatoly Ivanovich PETROVSKY to the fund.\n' >"$in/minutes.txt"

dossier lists load --published 2025-01-01 "$TMP/v1/sdn.csv" >"$TMP/load1.txt" 2>&1 || { cat "$TMP/load1.txt"; fail "lists load v1"; }
dossier run "$in" >"$TMP/run1.txt" 2>&1 || { cat "$TMP/run1.txt"; fail "run"; }
expect "three mentions" "$(q "SELECT count(*) FROM aml_alerts WHERE kind = 'sanctions_match'")" 3
expect "the loader records the list versions each document was screened against" \
    "$(q "SELECT count(*) FROM documents WHERE screened_lists = (SELECT array_agg(id) FROM sanctions_lists WHERE active)")" 3
expect "every mention in a case" "$(q "SELECT count(*) FROM aml_alerts WHERE kind = 'sanctions_match' AND case_id IS NULL")" 0
expect "one case for the company, one for the document without company" \
    "$(as $reviewer "SELECT entry_ext_id, coalesce(cik, document), mentions, documents, status FROM review_cases ORDER BY cik IS NULL, case_id")" \
    "9001|123456|2|2|open
9001|minutes.txt|1|1|open"
company_case=$(q "SELECT id FROM aml_cases WHERE company_id IS NOT NULL")
doc_case=$(q "SELECT id FROM aml_cases WHERE company_id IS NULL")
expect "the reviewer reads the open cases with their mentions" \
    "$(as $reviewer "SELECT case_id, entry_name, document, quote LIKE '%PETROVSKY%' OR quote LIKE '%Petrovsky%', score >= 0.88,
                     list_source, list_version IS NOT NULL FROM review_open_cases ORDER BY cik IS NULL, document")" \
    "$company_case|PETROVSKY, Anatoly Ivanovich|nw-1.txt|t|t|ofac_sdn|t
$company_case|PETROVSKY, Anatoly Ivanovich|nw-2.txt|t|t|ofac_sdn|t
$doc_case|PETROVSKY, Anatoly Ivanovich|minutes.txt|t|t|ofac_sdn|t"
expect "the alert context names the case" \
    "$(as $reviewer "SELECT count(DISTINCT case_id) FROM review_alert_context")" 2

held=$(q "SELECT min(id) FROM aml_alerts WHERE case_id = $company_case")
out=$(as $reviewer "SELECT set_alert_status($held, 'dismissed', 'x')") && fail "set_alert_status changed a held alert" \
    || case $out in *"mention of case $company_case"*HINT*set_case_status*) echo "ok: set_alert_status names the case";;
       *) fail "held alert: $out";; esac
expect "the reviewer dismisses the company's case" \
    "$(as $reviewer "SELECT set_case_status($company_case, 'dismissed', 'a namesake, checked against the registry')")" ""
expect "case audit row by the reviewer at the transaction time" \
    "$(q "SELECT changed_by, from_status, to_status, changed_at > now() - interval '5 minutes' FROM aml_case_audit")" \
    "$reviewer|open|dismissed|t"
expect "reviewer reads the history" \
    "$(as $reviewer "SELECT case_id, to_status, note FROM review_case_history")" \
    "$company_case|dismissed|a namesake, checked against the registry"
expect "a dismissed case leaves the open cases" \
    "$(as $reviewer "SELECT count(*), min(case_id) FROM review_open_cases")" "1|$doc_case"
expect "and the open alerts" "$(as $reviewer "SELECT count(*) FROM review_open_alerts WHERE kind = 'sanctions_match'")" 1

# The same documents again, then another document of the company naming the entry.
dossier run "$in" >"$TMP/run2.txt" 2>&1 || { cat "$TMP/run2.txt"; fail "run again"; }
expect "run again: no new alert" "$(q "SELECT count(*) FROM aml_alerts")" 3
edgar "$in/nw-3.txt" 0000123456-25-000003 "Current report. A second payment went to Anatoly Ivanovich PETROVSKY."
dossier run "$in" >"$TMP/run3.txt" 2>&1 || { cat "$TMP/run3.txt"; fail "run with a third document"; }
expect "the company's new document adds a mention to the dismissed case" \
    "$(q "SELECT status, (SELECT count(*) FROM aml_alerts WHERE case_id = c.id), (SELECT count(*) FROM aml_cases)
          FROM aml_cases c WHERE id = $company_case")" "dismissed|3|2"

# A new list version adding an entry named in a stored chunk: loading it rescreens.
dossier lists load --published 2025-02-01 "$TMP/v2/sdn.csv" >"$TMP/load2.txt" 2>&1 || { cat "$TMP/load2.txt"; fail "lists load v2"; }
grep -q "rescreen: 4 documents screened .*: 1 new mention, 1 new case" "$TMP/load2.txt" \
    || { cat "$TMP/load2.txt"; fail "load v2 did not rescreen as expected"; }
expect "rescreen opened exactly the new entry's case" \
    "$(q "SELECT c.entry_ext_id, c.status, c.company_id IS NOT NULL, a.source_extractor, a.quote LIKE '%ZARGHAMI%', a.chunk_seq IS NOT NULL
          FROM aml_cases c JOIN aml_alerts a ON a.case_id = c.id WHERE c.id > $doc_case AND c.id <> $company_case")" \
    "9003|open|t|rescreen|t|t"
expect "no duplicate alert, dismissed case still dismissed" \
    "$(q "SELECT (SELECT count(*) FROM aml_alerts), (SELECT count(*) FROM aml_cases), (SELECT status FROM aml_cases WHERE id = $company_case)")" \
    "5|3|dismissed"
dossier report --company 123456 --out "$TMP/nw.html" >"$TMP/report.txt" 2>&1 || { cat "$TMP/report.txt"; fail "report"; }
grep -q "ZARGHAMI" "$TMP/nw.html" || fail "the report does not show the open case's alert"
grep -q "PETROVSKY" "$TMP/nw.html" && fail "the report shows the alerts of a dismissed case"
dossier lists rescreen >"$TMP/rescreen1.txt" 2>&1 || { cat "$TMP/rescreen1.txt"; fail "rescreen again"; }
grep -q "rescreen: 0 documents screened .*: 0 new mentions, 0 new cases" "$TMP/rescreen1.txt" \
    || { cat "$TMP/rescreen1.txt"; fail "rescreen again did something: $(cat "$TMP/rescreen1.txt")"; }

# An entry removed from the list (a forced, smaller version) leaves its cases as they are.
dossier lists load --force --no-rescreen --published 2025-03-01 "$TMP/v3/sdn.csv" >"$TMP/load3.txt" 2>&1 \
    || { cat "$TMP/load3.txt"; fail "lists load v3"; }
grep -q "rescreen:" "$TMP/load3.txt" && fail "--no-rescreen rescreened"
dossier lists rescreen --max-documents 1 >"$TMP/rescreen2.txt" 2>&1 || fail "rescreen --max-documents 1"
grep -q "rescreen: 1 document screened .*; 3 documents left" "$TMP/rescreen2.txt" \
    || fail "rescreen --max-documents 1: $(cat "$TMP/rescreen2.txt")"
dossier lists rescreen >"$TMP/rescreen3.txt" 2>&1 || fail "rescreen the rest"
grep -q "rescreen: 3 documents screened .*: 0 new mentions, 0 new cases" "$TMP/rescreen3.txt" \
    || fail "rescreen the rest: $(cat "$TMP/rescreen3.txt")"
expect "cases of the removed entry as they were" \
    "$(q "SELECT string_agg(entry_ext_id || ':' || status, ',' ORDER BY entry_ext_id, company_id IS NULL) FROM aml_cases")" \
    "9001:dismissed,9001:open,9003:open"
out=$(dossier lists rescreen --max-documents 0 2>&1) && fail "--max-documents 0 accepted" \
    || case $out in *"whole number"*) echo "ok: --max-documents 0 refused";; *) fail "--max-documents 0: $out";; esac

# The writer: no status change, no case move, no audit row, no set_case_status.
denied "writer cannot change a case's status" $writer "UPDATE aml_cases SET status = 'dismissed' WHERE id = $doc_case"
denied "writer cannot write case audit rows" $writer "INSERT INTO aml_case_audit (case_id, changed_at, changed_by, from_status, to_status, note, chain_pos, prev_hash, row_hash) VALUES ($doc_case, now(), 'someone', 'open', 'dismissed', 'x', 99, '', '')"
denied "writer cannot open a case" $writer "INSERT INTO aml_cases (case_key, entry_key, status) VALUES ('x', 'x', 'dismissed')"
denied "writer cannot call set_case_status" $writer "SELECT set_case_status($doc_case, 'dismissed', 'x')"
denied "writer cannot move an alert into a dismissed case" $writer \
    "UPDATE aml_alerts SET case_id = $company_case WHERE case_id = $doc_case"
as $writer "UPDATE aml_alerts SET quote = quote WHERE case_id = $doc_case" >/dev/null || fail "writer updates other columns"
# The pipeline's role raises alerts: the trigger (as the owner) opens their case; a case it names is ignored.
mdoc=$(q "SELECT id FROM documents WHERE name = 'minutes.txt'")
kaspian=$(q "SELECT e.id FROM sanctions_entries e JOIN sanctions_lists l ON l.id = e.list_id WHERE l.active AND e.ext_id = '9002'")
as $writer "INSERT INTO aml_alerts (dedup_key, kind, document_id, subject, matched_entry_id, source_extractor, case_id)
            VALUES ('w1|ofac_sdn:9002', 'sanctions_match', $mdoc, 'Kaspian', $kaspian, 'test', $company_case),
                   ('w2', 'red_flag', $mdoc, 'nominee', NULL, 'test', $company_case)" >/dev/null || fail "writer raises alerts"
expect "the writer's alert opens its own case; other kinds hold none" \
    "$(q "SELECT string_agg(a.kind || ':' || coalesce(c.entry_key || '@' || c.status, '-'), ',' ORDER BY a.id)
          FROM aml_alerts a LEFT JOIN aml_cases c ON c.id = a.case_id WHERE a.dedup_key IN ('w1|ofac_sdn:9002', 'w2')")" \
    "sanctions_match:ofac_sdn:9002@open,red_flag:-"

# The state machine: unknown status, confirmed is final.
out=$(as $reviewer "SELECT set_case_status($doc_case, 'closed', 'x')") && fail "unknown status accepted" \
    || case $out in *HINT*"open, under_review, escalated, dismissed, confirmed"*) echo "ok: unknown status hint";; *) fail "hint: $out";; esac
as $reviewer "SELECT set_case_status($doc_case, 'under_review', 'looking')" >/dev/null || fail "under_review"
as $reviewer "SELECT set_case_status($doc_case, 'confirmed', 'the listed person')" >/dev/null || fail "confirmed"
out=$(as $reviewer "SELECT set_case_status($doc_case, 'open', 'undo')") && fail "confirmed case reopened" \
    || case $out in *"cannot go from confirmed to open"*"final"*) echo "ok: confirmed is final";; *) fail "final: $out";; esac

# The chain: verified, then forged by the superuser behind the triggers' back.
expect "case chain positions" "$(q "SELECT string_agg(chain_pos::text, ',' ORDER BY chain_pos) FROM aml_case_audit")" "1,2,3"
expect "reader verifies the chain" "$(as $reviewer "SELECT count(*) FROM aml_case_audit_verify()")" 0
dossier doctor >"$TMP/doctor1.txt" 2>&1 || true
grep -q "case audit trail intact (3 rows" "$TMP/doctor1.txt" || { cat "$TMP/doctor1.txt"; fail "doctor did not verify the case chain"; }
q "ALTER TABLE aml_case_audit DISABLE TRIGGER aml_case_audit_no_change" >/dev/null
q "UPDATE aml_case_audit SET note = 'nothing to see' WHERE chain_pos = 1" >/dev/null
q "ALTER TABLE aml_case_audit ENABLE TRIGGER aml_case_audit_no_change" >/dev/null
dossier doctor >"$TMP/doctor2.txt" 2>&1 && fail "doctor passed a forged case trail"
grep -q "case audit trail broken at position 1" "$TMP/doctor2.txt" || { cat "$TMP/doctor2.txt"; fail "doctor did not locate the forged row"; }

# Alerts stored at schema 20 (before the role split and cases): filed into cases, statuses carried over.
old=${DBNAME}_old
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $old WITH (FORCE)" -c "CREATE DATABASE $old" >/dev/null
ODSN="host=$PGHOST dbname=$old user=${PGUSER:-dossier}"
oq() { psql -X -At -v ON_ERROR_STOP=1 -d "$ODSN" -c "$1"; }
oq "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())" >/dev/null
for f in "$DS_SOURCE_DIR"/sql/00*.sql; do
    n=$(basename "$f")
    v=$(echo "$n" | sed 's/_.*//; s/^0*//')
    [ "$v" -ge 21 ] && continue
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$ODSN" -f "$f" >/dev/null || fail "apply $n"
    oq "INSERT INTO schema_migrations (version, name) VALUES ($v, '$n')" >/dev/null
done
oq "INSERT INTO companies (id, name, name_key, cik) VALUES (1, 'NORTHWIND HOLDINGS INC', 'northwind holdings inc', '123456');
    INSERT INTO documents (id, sha256, source, name, bytes, company_id) VALUES
      (1, repeat('a', 64), '/in/a', 'a.txt', 1, 1), (2, repeat('b', 64), '/in/b', 'b.txt', 1, 1), (3, repeat('c', 64), '/in/c', 'c.txt', 1, NULL);
    INSERT INTO sanctions_lists (id, source, version, file_sha256) VALUES (1, 'ofac_sdn', 'v1', 'x');
    INSERT INTO sanctions_entries (id, list_id, ext_id, entry_type, name) VALUES
      (1, 1, '9001', 'individual', 'PETROVSKY, Anatoly Ivanovich'), (2, 1, '9002', 'entity', 'KASPIAN MARITIME TRADING LLC');
    INSERT INTO aml_alerts (dedup_key, kind, status, document_id, company_id, subject, matched_entry_id, source_extractor) VALUES
      ('sanctions_match|a|p|ofac_sdn:9001', 'sanctions_match', 'dismissed', 1, 1, 'Petrovsky', 1, 'screening'),
      ('sanctions_match|b|p|ofac_sdn:9001', 'sanctions_match', 'open', 2, 1, 'Petrovsky', 1, 'screening'),
      ('sanctions_match|a|k|ofac_sdn:9002', 'sanctions_match', 'dismissed', 1, 1, 'Kaspian', 2, 'screening'),
      ('sanctions_match|b|k|ofac_sdn:9002', 'sanctions_match', 'dismissed', 2, 1, 'Kaspian', NULL, 'screening'),
      ('sanctions_match|c|p|ofac_sdn:9001', 'sanctions_match', 'escalated', 3, NULL, 'Petrovsky', 1, 'screening'),
      ('red_flag|a|shell|x', 'red_flag', 'open', 1, 1, 'shell company', NULL, 'rules');" >/dev/null
timeout 60 "$DOSSIER_BIN" --db "$ODSN" db migrate >/dev/null 2>&1 || fail "migrate stored alerts"
expect "stored alerts filed into cases, statuses carried over" \
    "$(oq "SELECT string_agg(entry_key || '@' || coalesce(company_id::text, 'doc' || document_id) || ':' || status || ':' ||
                             (SELECT count(*) FROM aml_alerts a WHERE a.case_id = c.id), ',' ORDER BY entry_key, id) FROM aml_cases c")" \
    "ofac_sdn:9001@1:open:2,ofac_sdn:9001@doc3:escalated:1,ofac_sdn:9002@1:dismissed:2"
expect "carried statuses in the chained case audit" \
    "$(oq "SELECT string_agg(to_status, ',' ORDER BY chain_pos) FROM aml_case_audit")|$(oq "SELECT count(*) FROM aml_case_audit_verify()")" \
    "dismissed,escalated|0"
expect "other kinds hold no case" "$(oq "SELECT count(*) FROM aml_alerts WHERE kind = 'red_flag' AND case_id IS NOT NULL")" 0
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $old WITH (FORCE)" >/dev/null
finish
