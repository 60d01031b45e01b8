#!/bin/sh
# review_context_test.sh - the reviewer's view of a sanctions alert (review_alert_context, sql/0018):
# a list loaded by `dossier lists load` and a document screened by `dossier run`, then read as a
# login granted only dossier_reviewer, which is refused the list tables themselves: the list and
# its date, the entry's programmes, type and remarks, the matched name and whether it is an
# alias, the score with its parts, the quote, page and document, and the case whose status it shows.
DBNAME=t_pipeline_review_context
. "$(dirname "$0")/testdb.sh"
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
reviewer=t_ctx_reviewer
psql -X -q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$reviewer') THEN CREATE ROLE $reviewer LOGIN; END IF;
END \$\$" -c "GRANT dossier_reviewer TO $reviewer" >/dev/null 2>&1
as() { PGOPTIONS="-c client_min_messages=error" psql -X -At -F'|' -v ON_ERROR_STOP=1 -d "$DSN user=$reviewer" -c "$1" 2>&1; }

"$DOSSIER_BIN" --db "$DSN" lists load "$DS_SOURCE_DIR/tests/extract/data/ofac_sdn_sample.xml" >/dev/null \
    || fail "lists load"
in=$TMP/inbox
mkdir -p "$in"
printf 'Board minutes\n\nSpare parts were bought from Hesa Trade Center in March. The board also noted\nthat fees were paid to Dmitry Yuryevich KHOROSHEV during the year. The cargo left on the\nIRIS MAKRAN in May.\n' >"$in/minutes.txt"
"$DOSSIER_BIN" --db "$DSN" run "$in" >/dev/null 2>&1 || fail "run"
expect "three sanctions alerts" "$(q "SELECT count(*) FROM aml_alerts WHERE kind = 'sanctions_match'")" 3

out=$(as "SELECT count(*) FROM sanctions_entries") && fail "reviewer read sanctions_entries ($out)" \
    || case $out in *"permission denied"*) echo "ok: list table refused to the reviewer";; *) fail "refusal: $out";; esac

row=$(as "SELECT list_source, list_published, entry_ext_id, entry_type, entry_programs, matched_name,
                 matched_is_alias, found_text, document, page, quote LIKE '%Hesa Trade Center%',
                 score >= threshold, score_jw > 0, score_token_set > 0, found_kind
          FROM review_alert_context WHERE entry_ext_id = '11195'")
expect "alias alert as the reviewer sees it" "$row" \
    "ofac_sdn|2021-12-20|11195|entity|NPWMD; IFSR; IRAN-CON-ARMS-EO|HESA TRADE CENTER|t|Hesa Trade Center|minutes.txt|1|t|t|t|t|unknown"
row=$(as "SELECT entry_type, entry_name, matched_is_alias, list_active, status
          FROM review_alert_context WHERE entry_ext_id = '48603'")
expect "primary-name alert as the reviewer sees it" "$row" "individual|KHOROSHEV, Dmitry Yuryevich|f|t|open"
expect "the entry's remarks" "$(as "SELECT entry_type, entry_remarks FROM review_alert_context WHERE entry_ext_id = '40716'")" \
    "vessel|Additional Sanctions Information - Subject to Secondary Sanctions"
expect "the reviewer decides the alert's case" \
    "$(as "SELECT set_case_status((SELECT case_id FROM review_alert_context WHERE entry_ext_id = '48603'), 'dismissed', 'other person')")" ""
expect "status seen in the view" "$(as "SELECT status FROM review_alert_context WHERE entry_ext_id = '48603'")" dismissed
finish
