#!/bin/sh
# verify_db_test.sh - verification status through the database (migration 0013): a real filing
# PDF through `dossier run`, then its key metrics in company_metrics, credit_ratios and
# review_credit with their verification, read as logins granted only dossier_reader or
# dossier_reviewer; facts of a closed group's statement (deed of cross guarantee) are loaded
# with their dimensions and never shown as the company's; a period whose ratios fall outside
# the documented bounds is flagged and shows them NULL; a period restated by a later filing shows
# the later value among values of equal status, the earlier kept. Real filing from ../shared/data; skips
# when it is absent.
DBNAME=t_pipeline_verify_db
. "$(dirname "$0")/testdb.sh"
pdf=${DS_SHARED_DIR:-}/data/statements/AMCOR_2023_10K.pdf
if [ ! -f "$pdf" ]; then echo "skip: $pdf absent"; exit 0; fi
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
expect "migration 0013 applied" "$(q "SELECT count(*) FROM schema_migrations WHERE version = 13")" 1
expect "verification columns commented" \
    "$(q "SELECT count(*) FROM (VALUES ('facts'), ('company_metrics')) t(rel), (VALUES ('verification'), ('verification_check')) c(col)
          WHERE col_description(rel::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = rel::regclass AND attname = col)) IS NOT NULL")" 4
expect "ratio columns commented" \
    "$(q "SELECT count(*) FROM (VALUES ('credit_ratios'), ('review_credit')) t(rel), (VALUES ('verification'), ('unverified_inputs'), ('flags')) c(col)
          WHERE col_description(rel::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = rel::regclass AND attname = col)) IS NOT NULL")" 6

reader=t_verify_reader
reviewer=t_verify_reviewer
psql -X -q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$reader') THEN CREATE ROLE $reader LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$reviewer') THEN CREATE ROLE $reviewer LOGIN; END IF;
END \$\$" -c "GRANT dossier_reader TO $reader" -c "GRANT dossier_reviewer TO $reviewer" >/dev/null 2>&1
as() { # as USER SQL: one unaligned result, psql's status kept
    PGOPTIONS="-c client_min_messages=error" psql -X -At -v ON_ERROR_STOP=1 -d "$DSN user=$1" -c "$2" 2>&1
}

mkdir -p "$TMP/inbox"
cp "$pdf" "$TMP/inbox/"
"$DOSSIER_BIN" --db "$DSN" -q run "$TMP/inbox" >/dev/null 2>&1 || fail "dossier run"
expect "the filing loaded" "$(q "SELECT status FROM documents WHERE name = 'AMCOR_2023_10K.pdf'")" loaded
co=$(q "SELECT company_id FROM documents WHERE name = 'AMCOR_2023_10K.pdf'")
[ -n "$co" ] || fail "no company for the filing"
expect "every fact has a status" "$(q "SELECT count(*) FROM facts WHERE verification IS NULL OR verification_check IS NULL")" 0

# Key metrics of fiscal 2023 as the company's statements print them, with how they were verified
# (the balance sheet adds up; net income attributable to the company in two statements).
metric() { # metric NAME PERIOD: value|verification|check
    q "SELECT value::bigint, verification, verification_check FROM company_metrics
       WHERE company_id = $co AND metric = '$1' AND fiscal_period = '$2' AND period_end = '2023-06-30'"
}
expect "net income attributable to the company" "$(metric net_income FY)" \
    "1048000000|verified|net_income_two_statements"
expect "total equity of the consolidated balance sheet" "$(metric equity instant)" "4090000000|verified|balance_sheet"
expect "total assets" "$(metric total_assets instant)" "17003000000|verified|balance_sheet"
expect "total liabilities" "$(metric total_liabilities instant)" "12913000000|verified|balance_sheet"
expect "revenue" "$(metric revenue FY | cut -d'|' -f1)" 14694000000

# The closed group's balance sheet is loaded with its dimensions, verifies nothing and is never
# the company's figure.
expect "closed group's equity loaded as a part of the group" \
    "$(q "SELECT value::bigint, verification FROM facts WHERE metric = 'equity' AND period_end = '2023-06-30'
          AND dimensions LIKE 'entity=%cross guarantee%'")" "12805000000|unverified"
expect "no company metric from a dimensioned fact" \
    "$(q "SELECT count(*) FROM company_metrics m JOIN facts f ON f.id = m.fact_id WHERE f.dimensions <> ''")" 0
expect "nothing verified outside the consolidated statements" \
    "$(q "SELECT count(*) FROM facts WHERE dimensions <> '' AND verification = 'verified'")" 0

# credit_ratios and review_credit name the inputs that are not verified; what is verified is not
# among them, and the status follows from them.
ratios="SELECT verification, unverified_inputs, flags FROM review_credit
        WHERE company_id = $co AND fiscal_period = 'FY' AND period_end = '2023-06-30'"
for u in $reader $reviewer; do
    out=$(as $u "$ratios") || fail "review_credit as $u: $out"
    [ -n "$out" ] && echo "ok: review_credit as $u: $out" || fail "review_credit as $u: no row"
    expect "company_metrics readable as $u" "$(as $u "SELECT count(*) > 0 FROM company_metrics WHERE company_id = $co")" t
    expect "$u reads no facts" "$(q "SELECT has_table_privilege('$u', 'facts', 'SELECT')")" f
done
expect "review_credit agrees with credit_ratios" \
    "$(as $reader "SELECT count(*) FROM review_credit r JOIN credit_ratios c USING (company_id, fiscal_period, period_end)
                   WHERE r.verification IS DISTINCT FROM c.verification OR r.unverified_inputs IS DISTINCT FROM c.unverified_inputs
                      OR r.flags IS DISTINCT FROM c.flags")" 0
expect "verified inputs are not listed unverified" \
    "$(q "SELECT count(*) FROM credit_ratios c, unnest(c.unverified_inputs) u(metric)
          JOIN company_metrics m ON m.metric = u.metric
          WHERE c.company_id = $co AND m.company_id = $co AND m.period_end = c.period_end
            AND m.fiscal_period IN (c.fiscal_period, 'instant') AND m.verification IN ('verified', 'reported')")" 0
expect "unverified inputs are listed" \
    "$(q "SELECT count(*) FROM credit_ratios c JOIN company_metrics m ON m.company_id = c.company_id
            AND m.period_end = c.period_end AND m.fiscal_period IN (c.fiscal_period, 'instant')
          WHERE c.company_id = $co AND m.verification NOT IN ('verified', 'reported')
            AND NOT m.metric = ANY (c.unverified_inputs)")" 0
expect "status follows from the inputs" \
    "$(q "SELECT count(*) FROM credit_ratios WHERE company_id = $co AND NOT (
            (verification = 'conflict') OR
            (verification = 'unverified' AND cardinality(unverified_inputs) > 0) OR
            (verification IN ('verified', 'reported') AND cardinality(unverified_inputs) = 0))")" 0
expect "fiscal 2023 within bounds" "$(q "SELECT flags, gross_margin IS NOT NULL, net_margin FROM credit_ratios
    WHERE company_id = $co AND fiscal_period = 'FY' AND period_end = '2023-06-30'")" "{}|t|0.071322"

# Leverage and cover on a year whose EBITDA is negative: net debt 300 - 100; EBITDA -50 + 20 is
# not positive, so net debt / EBITDA is flagged and NULL; fixed charges are interest and lease
# expense, 10 + 5, and the cover (-50 + 15) / 15.
q "WITH c AS (INSERT INTO companies (name, name_key) VALUES ('Leverage Test Ltd', 'leverage test ltd') RETURNING id),
        d AS (INSERT INTO documents (sha256, source, name, kind, status, bytes, company_id)
              SELECT repeat('cd', 32), 'test', 'leverage.pdf', 'pdf', 'loaded', 1, id FROM c RETURNING id, company_id)
   INSERT INTO facts (document_id, company_id, concept, metric, value, unit, period_start, period_end,
                      source_extractor, verification, verification_check)
   SELECT d.id, d.company_id, v.metric, v.metric, v.value, 'USD', v.s::date, '2023-12-31', 'pdf_table', v.status, v.chk
   FROM d, (VALUES ('operating_income', -50, '2023-01-01', 'verified', 'same_value_twice'),
                   ('depreciation_amortization', 20, '2023-01-01', 'verified', 'same_value_twice'),
                   ('interest_expense', 10, '2023-01-01', 'verified', 'same_value_twice'),
                   ('lease_expense', 5, '2023-01-01', 'unverified', 'none'),
                   ('long_term_debt', 300, NULL, 'verified', 'balance_sheet'),
                   ('cash', 100, NULL, 'verified', 'balance_sheet')) v(metric, value, s, status, chk)" >/dev/null
expect "leverage and cover of a year with negative EBITDA" \
    "$(as $reader "SELECT net_debt, ebitda_ltm, net_debt_to_ebitda, fixed_charge_cover, fixed_charges_basis,
                          ltm_verification, flags FROM review_credit
                   WHERE company = 'Leverage Test Ltd' AND fiscal_period = 'FY'")" \
    "200|-30||-2.333333|interest_and_lease|unverified|{ebitda_ltm_not_positive}"

# A restatement: the 10-K/A filed later restates FY2023 revenue. Among values of equal status
# the later filing's is shown, both stay in facts (the history), and a verified value still wins
# over a later unverified one.
q "WITH c AS (INSERT INTO companies (name, name_key) VALUES ('Restated Test Ltd', 'restated test ltd') RETURNING id),
        d AS (INSERT INTO documents (sha256, source, name, kind, status, bytes, company_id, filing_date)
              SELECT repeat(h, 32), 'test', n, 'pdf', 'loaded', 1, c.id, fd::date
              FROM c, (VALUES ('a1', 'original-10k.pdf', '2024-02-20'), ('a2', 'amended-10ka.pdf', '2024-06-10'))
                      v(h, n, fd) RETURNING id, company_id, name)
   INSERT INTO facts (document_id, company_id, concept, metric, value, unit, period_start, period_end,
                      source_extractor, verification, verification_check)
   SELECT d.id, d.company_id, v.m, v.m, CASE WHEN d.name = 'original-10k.pdf' THEN v.orig ELSE v.restated END,
          'USD', v.s::date, '2023-12-31', 'pdf_table',
          CASE WHEN d.name = 'original-10k.pdf' THEN 'verified' ELSE v.later_status END, 'same_value_twice'
   FROM d, (VALUES ('revenue', 1000, 1100, '2023-01-01', 'verified'),
                   ('net_income', 90, 70, '2023-01-01', 'unverified')) v(m, orig, restated, s, later_status)" >/dev/null
expect "restated revenue: the later filing's, verified both times" \
    "$(as $reader "SELECT value::bigint || ' ' || verification FROM review_metrics
                   WHERE company = 'Restated Test Ltd' AND metric = 'revenue' AND fiscal_period = 'FY'")" "1100 verified"
expect "restated net income: the verified original over the later unverified value" \
    "$(as $reader "SELECT value::bigint || ' ' || verification FROM review_metrics
                   WHERE company = 'Restated Test Ltd' AND metric = 'net_income' AND fiscal_period = 'FY'")" "90 verified"
expect "both filings' values kept" \
    "$(q "SELECT string_agg(f.value::bigint::text, ',' ORDER BY d.filing_date) FROM facts f JOIN documents d ON d.id = f.document_id
          WHERE d.name IN ('original-10k.pdf', 'amended-10ka.pdf') AND f.metric = 'revenue'")" "1000,1100"

# The README's queries for credit analysts, as a reader: each runs and returns rows.
awk '/^## For credit analysts/ { on = 1; next } on && /^## / { on = 0 }
     on && /^```sql/ { n++; f = sprintf("%s/analyst%d.sql", dir, n); printf "" > f; inq = 1; next }
     on && inq && /^```/ { inq = 0; close(f); next }
     on && inq { print >> f }' dir="$TMP" "$DS_SOURCE_DIR/README.md"
expect "three analyst queries in the README" "$(ls "$TMP"/analyst*.sql 2>/dev/null | wc -l)" 3
for f in "$TMP"/analyst*.sql; do
    if out=$(PGOPTIONS="-c client_min_messages=error" psql -X -At -v ON_ERROR_STOP=1 -d "$DSN user=$reader" -f "$f" 2>&1); then
        rows=$(printf '%s\n' "$out" | grep -c .)
        [ "$rows" -gt 0 ] && echo "ok: $(basename "$f") as $reader: $rows rows" || fail "$(basename "$f"): no rows"
    else
        fail "$(basename "$f") as $reader: $out"
    fi
done

# A period whose figures break the bounds (margins above 100%, negative total assets, a current
# ratio above 100): flagged, and the ratios shown NULL, not as numbers.
q "WITH c AS (INSERT INTO companies (name, name_key) VALUES ('Bounds Test Ltd', 'bounds test ltd') RETURNING id),
        d AS (INSERT INTO documents (sha256, source, name, kind, status, bytes, company_id)
              SELECT repeat('ab', 32), 'test', 'bounds.pdf', 'pdf', 'loaded', 1, id FROM c RETURNING id, company_id)
   INSERT INTO facts (document_id, company_id, concept, metric, value, unit, period_start, period_end,
                      source_extractor, verification, verification_check)
   SELECT d.id, d.company_id, v.metric, v.metric, v.value, 'USD', v.s::date, '2023-12-31', 'pdf_table', v.status, v.chk
   FROM d, (VALUES ('revenue', 100, '2023-01-01', 'verified', 'gross_profit'),
                   ('gross_profit', 150, '2023-01-01', 'verified', 'gross_profit'),
                   ('operating_income', 120, '2023-01-01', 'unverified', 'none'),
                   ('net_income', 110, '2023-01-01', 'verified', 'net_income_two_statements'),
                   ('total_assets', -5, NULL, 'conflict', 'balance_sheet'),
                   ('current_assets', 500, NULL, 'unverified', 'none'),
                   ('current_liabilities', 1, NULL, 'unverified', 'none')) v(metric, value, s, status, chk)" >/dev/null
bounds="SELECT gross_margin, operating_margin, net_margin, current_ratio, verification, unverified_inputs, flags
        FROM review_credit WHERE company = 'Bounds Test Ltd' AND fiscal_period = 'FY'"
want="||||conflict|{current_assets,current_liabilities,operating_income,total_assets}|{gross_margin_above_100pct,operating_margin_above_100pct,net_margin_above_100pct,negative_total_assets,current_ratio_above_100}"
for u in $reader $reviewer; do
    expect "out-of-bounds ratios flagged, as $u" "$(as $u "$bounds")" "$want"
done
expect "negative total assets not shown" \
    "$(q "SELECT total_assets IS NULL FROM credit_ratios c JOIN companies co ON co.id = c.company_id
          WHERE co.name = 'Bounds Test Ltd' AND fiscal_period = 'FY'")" t

# Upgrade: a database that has the migrations up to 0015 but 0013 (0015's review_metrics on
# company_metrics included) and facts loaded before verification existed gets 0013, then the
# later ones, from `db migrate`; its facts
# are marked by their extractor and the views built on company_metrics still answer.
up=${DBNAME}_up
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $up WITH (FORCE)" \
    -c "CREATE DATABASE $up" >/dev/null
UPDSN="host=$PGHOST dbname=$up user=${PGUSER:-dossier}"
psql -X -q -d "$UPDSN" -c "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                                          applied_at timestamptz NOT NULL DEFAULT now())" >/dev/null
for f in "$DS_SOURCE_DIR"/sql/[0-9]*.sql; do
    n=$(basename "$f")
    v=$(echo "${n%%_*}" | sed 's/^0*//')
    [ "$v" = 13 ] || [ "$v" -gt 15 ] && continue # 0013 and what came after it: not there yet
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -1 -v ON_ERROR_STOP=1 -d "$UPDSN" -f "$f" \
        -c "INSERT INTO schema_migrations VALUES (${n%%_*}, '$n')" >/dev/null || fail "applying $n"
done
psql -X -q -d "$UPDSN" -c "INSERT INTO documents (sha256, source, name, kind, status, bytes) VALUES (repeat('cd', 32), 'test', 'old.pdf', 'pdf', 'loaded', 1)" \
    -c "INSERT INTO facts (document_id, concept, metric, value, unit, period_start, period_end, source_extractor)
        SELECT id, c, m, 5, 'USD', '2022-01-01', '2022-12-31', x FROM documents,
               (VALUES ('Net income', 'net_income', 'pdf_table'), ('us-gaap:Revenues', 'revenue', 'ixbrl')) v(c, m, x)" >/dev/null
"$DOSSIER_BIN" --db "$UPDSN" db migrate >/dev/null 2>&1 || fail "db migrate over a database without 0013"
uq() { psql -X -At -d "$UPDSN" -c "$1"; }
expect "0013 applied by migrate, before the later ones" \
    "$(uq "SELECT string_agg(version::text, ',' ORDER BY applied_at, version) FROM schema_migrations WHERE version = 13 OR version > 15")" \
    "$(ls "$DS_SOURCE_DIR"/sql/ | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | awk '$1 == 13 || $1 > 15' | sort -n | paste -sd, -)"
expect "earlier facts marked by their extractor" \
    "$(uq "SELECT string_agg(metric || '=' || verification || '/' || verification_check, ',' ORDER BY metric) FROM facts")" \
    "net_income=unverified/not_checked,revenue=reported/xbrl"
expect "company_metrics shows the status" \
    "$(uq "SELECT string_agg(metric || '=' || verification, ',' ORDER BY metric) FROM company_metrics")" \
    "net_income=unverified,revenue=reported"
expect "review_metrics still answers" "$(uq "SELECT count(*) FROM review_metrics")" 2
finish
