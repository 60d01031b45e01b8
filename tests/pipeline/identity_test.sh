#!/bin/sh
# identity_test.sh - a PDF filing's identity through `dossier run` into PostgreSQL: the
# document_identity row (registrant, form, period end, fiscal year, with page and line), the
# documents columns filled from it, and the join to the company of the same filer's inline XBRL
# filing, whichever comes first: by CIK when the inline XBRL arrives after the PDF (the PDF's
# company takes the CIK), by name key when the PDF arrives after it. Real filings from
# ../shared/data; skips when they are absent.
DBNAME=t_pipeline_identity
. "$(dirname "$0")/testdb.sh"
shared=${DS_SHARED_DIR:-}
for f in statements/APPLE_2022_10K.pdf ixbrl_html/Apple.10-Q.html statements/ORACLE_2023_10K.pdf ixbrl_html/Oracle.10-Q.html; do
    if [ ! -f "$shared/data/$f" ]; then echo "skip: $shared/data/$f absent"; exit 0; fi
done
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
run() { # run FILE...: one `dossier run` over a fresh inbox holding the files
    rm -rf "$TMP/inbox"; mkdir -p "$TMP/inbox"
    for f in "$@"; do cp "$shared/data/$f" "$TMP/inbox/"; done
    "$DOSSIER_BIN" --db "$DSN" -q run "$TMP/inbox" >/dev/null 2>&1 || fail "dossier run $*"
}

# PDF first, then the inline XBRL filing with its CIK.
run statements/APPLE_2022_10K.pdf
expect "identity row of the 10-K" \
    "$(q "SELECT i.company_name, i.company_page, i.form, i.period_end, i.fiscal_year, i.fiscal_period
          FROM document_identity i JOIN documents d ON d.id = i.document_id WHERE d.name = 'APPLE_2022_10K.pdf'")" \
    "Apple Inc.|1|10-K|2022-09-24|2022|FY"
expect "period quoted from the cover" \
    "$(q "SELECT period_quote LIKE '%For the fiscal year ended September 24, 2022' FROM document_identity")" t
expect "documents columns from the identity" \
    "$(q "SELECT form_type, period_end, fiscal_year FROM documents WHERE name = 'APPLE_2022_10K.pdf'")" \
    "10-K|2022-09-24|2022"
expect "company without CIK from the PDF" "$(q "SELECT count(*), count(cik) FROM companies")" "1|0"
run ixbrl_html/Apple.10-Q.html
expect "inline XBRL joins the PDF's company, which takes the CIK" \
    "$(q "SELECT count(DISTINCT d.company_id), min(c.cik) FROM documents d JOIN companies c ON c.id = d.company_id
          WHERE d.name IN ('APPLE_2022_10K.pdf', 'Apple.10-Q.html')")" "1|320193"
expect "one Apple company" "$(q "SELECT count(*) FROM companies WHERE company_match_key(name) = 'apple inc'")" 1

# Inline XBRL first, then the PDF: joined by name key.
run ixbrl_html/Oracle.10-Q.html
run statements/ORACLE_2023_10K.pdf
expect "PDF joins the CIK company by name" \
    "$(q "SELECT count(DISTINCT d.company_id), count(c.cik) FROM documents d JOIN companies c ON c.id = d.company_id
          WHERE d.name IN ('ORACLE_2023_10K.pdf', 'Oracle.10-Q.html')")" "1|2"
expect "name key" "$(q "SELECT company_match_key('The Coca-Cola Company') = company_match_key('COCA COLA CO'),
                           company_match_key('McDonald’s Corporation'), company_match_key('Johnson & Johnson')")" \
    "t|mcdonalds corp|johnson and johnson"
finish
