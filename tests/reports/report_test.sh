#!/bin/sh
# report_test.sh - analyst reports on the sample documents: the PDF has its pages and its text
# (pdftotext) holds the company, the metrics and the SWOT items; the HTML is well-formed (it is
# written as polyglot XHTML, so an XML parser must accept it) and renders in headless
# Chromium to a screenshot without errors.
DBNAME=t_reports_report
. "$(dirname "$0")/../pipeline/testdb.sh"
"$DS_BINARY_DIR/ds_gen_samples" "$TMP/inbox" --truth "$TMP/truth.json" >/dev/null || fail "sample generator failed"
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log.jsonl" run "$TMP/inbox" >/dev/null 2>&1 || fail "run failed"
company="Northwind Precision Industries"
cik=$(q "SELECT cik FROM companies WHERE name ILIKE 'Northwind%' LIMIT 1")
[ -n "$cik" ] || fail "company not loaded"

"$DOSSIER_BIN" --db "$DSN" report --company "$cik" --format pdf --out "$TMP/r.pdf" >/dev/null || fail "pdf report failed"
"$DOSSIER_BIN" --db "$DSN" report --company Northwind --out "$TMP/r.html" >/dev/null || fail "html report failed"
pages=$(pdfinfo "$TMP/r.pdf" | awk '/^Pages:/ { print $2 }')
[ "${pages:-0}" -ge 2 ] && echo "ok: pdf has $pages pages" || fail "pdf has ${pages:-no} pages"
pdftotext -layout "$TMP/r.pdf" "$TMP/r.txt"
tr -s ' \n' ' ' <"$TMP/r.txt" >"$TMP/r.flat"
grep -q "$company" "$TMP/r.flat" && echo "ok: pdf names the company" || fail "company missing from the pdf"
for section in "Key metrics" "Credit ratios" "Strengths" "Weaknesses" "Opportunities" "Threats" "Open AML alerts" "Sources"; do
    grep -q "$section" "$TMP/r.flat" || fail "section '$section' missing from the pdf"
done
# Every revenue and net income figure of the company, as the report prints it (millions, one decimal).
q "SELECT DISTINCT ON (metric, period_end) metric, value FROM facts f JOIN companies c ON c.id = f.company_id
   WHERE c.cik = '$cik' AND metric IN ('revenue', 'net_income', 'total_assets') AND dimensions = ''
     AND (period_start IS NULL OR period_end - period_start > 350) ORDER BY metric, period_end, source_extractor" |
while IFS='|' read -r metric value; do
    shown=$(awk -v v="$value" 'BEGIN { m = v / 1e6; neg = m < 0; if (neg) m = -m; s = sprintf("%.1f", m);
        split(s, p, "."); i = p[1]; o = ""; while (length(i) > 3) { o = "," substr(i, length(i) - 2) o; i = substr(i, 1, length(i) - 3) }
        s = i o "." p[2]; if (neg) s = "(" s ")"; print s }')
    if grep -qF -- "$shown" "$TMP/r.flat"; then echo "ok: $metric $shown in the pdf"; else echo "FAIL: $metric $shown missing" >&2; exit 3; fi
done || failures=$((failures + 1))
# Every SWOT item of the company appears in the pdf (whitespace-normalised).
q "SELECT statement FROM swot_items s JOIN companies c ON c.id = s.company_id WHERE c.cik = '$cik'" >"$TMP/swot.txt"
while IFS= read -r st; do
    flat=$(printf '%s' "$st" | tr -s ' \n' ' ' | cut -c1-60)
    grep -qF -- "$flat" "$TMP/r.flat" || { echo "FAIL: swot item missing: $flat" >&2; exit 3; }
done <"$TMP/swot.txt" || failures=$((failures + 1))
echo "ok: $(wc -l <"$TMP/swot.txt" | tr -d ' ') SWOT items checked"

# HTML: well-formed XML (polyglot), self-contained, the same figures.
"$DS_BINARY_DIR/t_report_xml" "$TMP/r.html" || fail "html is not well-formed"
grep -q "<svg" "$TMP/r.html" && echo "ok: charts are inline svg" || fail "no inline svg chart"
if grep -qE '(src|href)="(https?:)?//' "$TMP/r.html"; then fail "html loads external resources"; else echo "ok: no external resources"; fi
grep -q "$company" "$TMP/r.html" || fail "company missing from the html"

# Headless Chromium renders it to a screenshot.
. "$(dirname "$0")/chromium.sh"
chromium_check "$TMP/r.html" "$TMP/r.png"
cp "$TMP/r.png" "$DS_BINARY_DIR/report-screenshot.png" 2>/dev/null || true
# Reports for a document and for an unknown company.
doc=$(q "SELECT id FROM documents WHERE kind = 'pdf' ORDER BY id LIMIT 1")
"$DOSSIER_BIN" --db "$DSN" report --document "$doc" --out "$TMP/d.pdf" >/dev/null || fail "document report failed"
set +e
"$DOSSIER_BIN" --db "$DSN" report --company "No Such Company Ltd" --out "$TMP/x.pdf" >/dev/null 2>"$TMP/err.txt"
rc=$?
set -e
expect "unknown company is a usage error" "$rc" 2
grep -q "no company" "$TMP/err.txt" || fail "unknown company message"
finish
