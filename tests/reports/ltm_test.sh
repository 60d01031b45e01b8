#!/bin/sh
# ltm_test.sh - last-twelve-months figures and the credit memo ratios on a real pair of
# filings from ../shared/data: a 10-K (fiscal year) and a later 10-Q (nine months to date, with
# the prior year's nine months), both PDFs of one company. company_metrics_ltm holds
# LTM = 9M + prior FY - prior 9M with the three facts it was computed from and the weakest of
# their statuses; credit_ratios holds net debt, LTM EBITDA, net debt / LTM EBITDA and the
# fixed-charge cover; the HTML and PDF reports show an LTM column with those values, the ratio
# definitions, and the LTM figure's parts. Expected values are the filings' printed numbers
# (in millions) worked by hand.
DBNAME=t_reports_ltm
. "$(dirname "$0")/../pipeline/testdb.sh"
data=${DS_SHARED_DIR:-$DS_SOURCE_DIR/../shared}/data
ytd_pdf="$data/financial_pdf/2023 Q3 AAPL.pdf"
fy_pdf="$data/statements/APPLE_2022_10K.pdf"
if [ ! -f "$ytd_pdf" ] || [ ! -f "$fy_pdf" ]; then
    echo "skipped: no real filings in $data"
    exit 0
fi
in=$TMP/inbox
mkdir -p "$in"
cp "$ytd_pdf" "$fy_pdf" "$in/"
"$DOSSIER_BIN" --db "$DSN" run "$in" >/dev/null 2>&1 || fail "run failed"
co=$(q "SELECT company_id FROM documents GROUP BY company_id HAVING count(*) = 2")
[ -n "$co" ] || fail "the two filings did not load as one company"

ltm() { # ltm METRIC: value|basis|period_start|number of source facts|number of documents
    q "SELECT value, basis, period_start, cardinality(source_fact_ids), cardinality(document_ids)
       FROM company_metrics_ltm WHERE company_id = $co AND metric = '$1' AND period_end = '2023-07-01'"
}
# 293,787 + 394,328 - 304,182 (9M FY2023 + FY2022 - 9M FY2022)
expect "LTM revenue" "$(ltm revenue)" "383933000000|9M|2022-06-26|3|2"
expect "LTM operating income" "$(ltm operating_income)" "112226000000|9M|2022-06-26|3|2"   # 87,332 + 119,437 - 94,543
expect "LTM net income" "$(ltm net_income)" "94760000000|9M|2022-06-26|3|2"               # 74,039 + 99,803 - 79,082
expect "LTM depreciation" "$(ltm depreciation_amortization)" "11731000000|9M|2022-06-26|3|2" # 8,866 + 11,104 - 8,239
expect "LTM interest" "$(ltm interest_expense)" "3758000000|9M|2022-06-26|3|2"             # 2,931 + 2,931 - 2,104
# Provenance: the parts are the company_metrics facts of the three periods.
expect "parts of LTM revenue" "$(q "SELECT string_agg(m.fiscal_period || ' ' || m.period_end || ' ' || m.value, ', '
        ORDER BY m.period_end) FROM company_metrics_ltm l JOIN company_metrics m ON m.fact_id = ANY (l.source_fact_ids)
        WHERE l.company_id = $co AND l.metric = 'revenue' AND l.period_end = '2023-07-01'")" \
    "9M 2022-06-25 304182000000, FY 2022-09-24 394328000000, 9M 2023-07-01 293787000000"
# The weakest status of the parts: the statement-table operating income is unverified, revenue verified.
expect "LTM operating income status" "$(q "SELECT verification FROM company_metrics_ltm WHERE company_id = $co
        AND metric = 'operating_income' AND period_end = '2023-07-01'")" unverified
expect "LTM revenue status" "$(q "SELECT verification FROM company_metrics_ltm WHERE company_id = $co
        AND metric = 'revenue' AND period_end = '2023-07-01'")" verified
# A fiscal year's LTM is the year itself; no LTM where the prior year to date is missing.
expect "FY2022 LTM revenue" "$(q "SELECT value || '|' || basis FROM company_metrics_ltm WHERE company_id = $co
        AND metric = 'revenue' AND period_end = '2022-09-24'")" "394328000000|FY"
expect "no LTM at the prior Q3" "$(q "SELECT count(*) FROM company_metrics_ltm WHERE company_id = $co
        AND period_end = '2022-06-25'")" 0

# credit_ratios at the quarter end: total debt 3,993 + 7,216 + 98,071 = 109,280, cash 28,408,
# net debt 80,872; LTM EBITDA 112,226 + 11,731 = 123,957; 80,872 / 123,957 = 0.652420;
# fixed charges: interest alone (no lease expense reported) 3,758; (112,226 + 3,758) / 3,758.
expect "quarter-end credit ratios" "$(q "SELECT net_debt, ebitda_ltm, net_debt_to_ebitda, fixed_charge_cover,
        fixed_charges_basis, ltm_verification FROM credit_ratios WHERE company_id = $co AND period_end = '2023-07-01'")" \
    "80872000000|123957000000|0.652420|30.863225|interest|unverified"
# At the fiscal-year end the year's own figures: (120,069 - 23,646) / (119,437 + 11,104).
expect "year-end net debt / EBITDA" "$(q "SELECT net_debt_to_ebitda FROM credit_ratios WHERE company_id = $co
        AND fiscal_period = 'FY' AND period_end = '2022-09-24'")" 0.738641
expect "review_credit shows them" "$(q "SELECT net_debt_to_ebitda, fixed_charge_cover FROM review_credit
        WHERE company_id = $co AND period_end = '2023-07-01'")" "0.652420|30.863225"
# The bounds: a non-positive LTM EBITDA is flagged, not shown as a ratio.
expect "flag name documented" "$(q "SELECT col_description('credit_ratios'::regclass,
        (SELECT attnum FROM pg_attribute WHERE attrelid = 'credit_ratios'::regclass AND attname = 'flags')) LIKE '%ebitda_ltm_not_positive%'")" t

"$DOSSIER_BIN" --db "$DSN" report --company Apple --out "$TMP/r.html" >/dev/null || fail "html report failed"
"$DOSSIER_BIN" --db "$DSN" report --company Apple --format pdf --out "$TMP/r.pdf" >/dev/null || fail "pdf report failed"
pdftotext -layout "$TMP/r.pdf" - | tr -s ' \n' ' ' >"$TMP/r.txt"
tr -s ' \n' ' ' <"$TMP/r.html" >"$TMP/r.flat"
"$DS_BINARY_DIR/t_report_xml" "$TMP/r.html" || fail "html is not well-formed"
has() { # has WHAT TEXT: in the HTML and the PDF text
    for f in r.flat r.txt; do
        if grep -qF -- "$2" "$TMP/$f"; then echo "ok: $f holds $1 ($2)"; else fail "$f lacks $1 ($2)"; fi
    done
}
grep -qF "<th>LTM Q3 FY2023<br/>" "$TMP/r.html" && echo "ok: html has the LTM column" || fail "html lacks the LTM column"
for label in "FY2022" "Q3 FY2023" "9M FY2023" "LTM"; do has "the column $label" "$label"; done
has "LTM revenue" "383,933.0"
has "LTM operating income" "112,226.0"
has "LTM net income" "94,760.0"
has "LTM EBITDA" "123,957.0"
has "net debt" "80,872.0"
has "net debt / LTM EBITDA" "0.65x"
has "the fixed-charge cover" "30.86x"
has "the net debt definition" "Net debt / EBITDA (LTM)"
has "the fixed-charge definition" "(EBIT + fixed charges) / fixed charges"
has "what the fixed charges hold" "interest expense alone (no lease expense reported)"
# The LTM figure names its parts and links to the year to date it was computed from.
grep -qF 'title="ltm: 9M to 2023-07-01 + FY to 2022-09-24 - 9M to 2022-06-25' "$TMP/r.html" \
    && echo "ok: the LTM figure names its parts" || fail "the LTM figure does not name its parts"
grep -qF ">383,933.0</a><sup>l</sup>" "$TMP/r.html" && echo "ok: the LTM figure links to its source" \
    || fail "the LTM figure has no link"
grep -qF "Revenue LTM Q3 FY2023: ltm = 9M to 2023-07-01 + FY to 2022-09-24 - 9M to 2022-06-25" "$TMP/r.txt" \
    && echo "ok: the PDF names the LTM figure's parts" || fail "the PDF does not name the LTM figure's parts"
finish
