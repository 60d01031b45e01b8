#!/bin/sh
# filings_test.sh - analyst reports on real filings from ../shared/data: Apple's and
# Oracle's 10-Q (inline XBRL), Netflix's 10-Q XBRL instance, AEON's 10-Q as inline XBRL and as
# its XBRL instance (two documents of one filing), Adobe's 10-K PDF. The rendered HTML and PDF
# hold the quarter's revenue and year-to-date revenue, every ratio credit_ratios has for the
# columns shown, the quarters named on the company's fiscal calendar (Apple's June quarter is
# Q3 FY2024, Oracle's August quarter Q1 FY2025), no table without rows, each SWOT statement
# once; an inline XBRL figure links to its element in the filing (#id); headless Chromium
# renders them without page errors.
DBNAME=t_reports_filings
. "$(dirname "$0")/../pipeline/testdb.sh"
. "$(dirname "$0")/chromium.sh"
data=${DS_SHARED_DIR:-$DS_SOURCE_DIR/../shared}/data
if [ ! -f "$data/ixbrl_html/Apple.10-Q.html" ]; then
    echo "skipped: no real filings in $data"
    exit 0
fi
in=$TMP/inbox
mkdir -p "$in"
for f in ixbrl_html/Apple.10-Q.html ixbrl_html/Oracle.10-Q.html xbrl_instance/nflx-20100930.xml \
         ixbrl_html/aeon-20230930x10q.htm xbrl_instance/aeon-20230930x10q_htm.xml financial_pdf/ADOBE_2022_10K.pdf; do
    cp "$data/$f" "$in/"
done
"$DOSSIER_BIN" --db "$DSN" run "$in" >/dev/null 2>&1 || fail "run failed"
# The filer's nil facts are stored as nil (Netflix's two CommitmentsAndContingencies), never as a value.
expect "nil facts stored as nil" "$(q "SELECT count(*) FROM facts f JOIN documents d ON d.id = f.document_id
    WHERE d.name = 'nflx-20100930.xml' AND f.is_nil AND f.concept = 'us-gaap:CommitmentsAndContingencies2009'
    AND f.value IS NULL AND f.value_text IS NULL")" 2

# The number as the report prints it: millions with one decimal, or a ratio.
fmt_money() { awk -v v="$1" 'BEGIN { m = v / 1e6; neg = m < 0; if (neg) m = -m; s = sprintf("%.1f", m);
    split(s, p, "."); i = p[1]; o = ""; while (length(i) > 3) { o = "," substr(i, length(i) - 2) o; i = substr(i, 1, length(i) - 3) }
    s = i o "." p[2]; if (neg) s = "(" s ")"; print s }'; }
fmt_ratio() { awk -v v="$1" -v pct="$2" 'BEGIN { if (pct) printf "%.1f%%\n", v * 100; else printf "%.2fx\n", v }'; }
flat() { tr -s ' \n' ' ' <"$1"; }

report() { # report CIK NAME: HTML and PDF into $TMP/NAME.html, .pdf, text in .txt
    "$DOSSIER_BIN" --db "$DSN" report --company "$1" --out "$TMP/$2.html" >/dev/null || fail "$2: html report failed"
    "$DOSSIER_BIN" --db "$DSN" report --company "$1" --format pdf --out "$TMP/$2.pdf" >/dev/null || fail "$2: pdf report failed"
    pdftotext -layout "$TMP/$2.pdf" - | tr -s ' \n' ' ' >"$TMP/$2.txt"
    "$DS_BINARY_DIR/t_report_xml" "$TMP/$2.html" || fail "$2: html is not well-formed"
    if tr -d '\n' <"$TMP/$2.html" | grep -q '<tbody></tbody>'; then fail "$2: a table has no rows"; else echo "ok: $2: no empty table"; fi
}
has() { # has NAME WHAT TEXT: TEXT in the HTML and in the PDF
    for ext in html txt; do
        if flat "$TMP/$1.$ext" | grep -qF -- "$3"; then echo "ok: $1.$ext holds $2 ($3)"; else fail "$1.$ext lacks $2 ($3)"; fi
    done
}
lacks() {
    if grep -qF -- "$3" "$TMP/$1.html"; then fail "$1 shows $2 ($3)"; else echo "ok: $1 does not show $2"; fi
}
# The revenue of the filing's quarter and of its year to date, from company_metrics.
revenue() { # revenue CIK DAYS_MIN DAYS_MAX
    q "SELECT m.value FROM company_metrics m JOIN companies c ON c.id = m.company_id
       JOIN documents d ON d.company_id = c.id AND d.period_end = m.period_end
       WHERE c.cik = '$1' AND m.metric = 'revenue' AND m.period_end - m.period_start + 1 BETWEEN $2 AND $3 LIMIT 1"
}
# Every ratio credit_ratios holds for the quarters and years of the company.
ratios_shown() { # ratios_shown CIK NAME
    q "SELECT v, pct FROM credit_ratios r JOIN companies c ON c.id = r.company_id,
       LATERAL (VALUES (r.gross_margin, 1), (r.operating_margin, 1), (r.net_margin, 1), (r.revenue_yoy_growth, 1),
                       (r.current_ratio, 0), (r.debt_to_equity, 0), (r.debt_to_ebitda, 0), (r.interest_coverage, 0)) x(v, pct)
       WHERE c.cik = '$1' AND r.fiscal_period <> 'instant' AND x.v IS NOT NULL" >"$TMP/$2.ratios"
    [ -s "$TMP/$2.ratios" ] || fail "$2: credit_ratios holds no ratio"
    while IFS='|' read -r v pct; do
        has "$2" ratio "$(fmt_ratio "$v" "$pct")"
    done <"$TMP/$2.ratios"
}

report 320193 apple
has apple "the fiscal quarter" "Q3 FY2024"
has apple "the year to date" "9M FY2024"
lacks apple "a calendar quarter label" "Q2 FY2024"
has apple "the quarter's revenue" "$(fmt_money "$(revenue 320193 84 98)")"
has apple "the year-to-date revenue" "$(fmt_money "$(revenue 320193 266 280)")"
has apple "the current ratio" "0.95x"
ratios_shown 320193 apple
# An inline XBRL figure links to the element that shows it in the filing (#id, facts.anchor): the
# quarter's revenue links to an element of the source whose id is the anchor and which tags that
# revenue concept with the value as printed.
read -r anchor value concept <<EOT
$(q "SELECT f.anchor, m.value, f.concept FROM company_metrics m JOIN companies c ON c.id = m.company_id
     JOIN facts f ON f.id = m.fact_id WHERE c.cik = '320193' AND m.metric = 'revenue'
     AND m.period_end - m.period_start + 1 BETWEEN 84 AND 98 ORDER BY m.period_end DESC LIMIT 1" | tr '|' ' ')
EOT
[ -n "$anchor" ] || fail "apple: the quarter's revenue has no anchor"
element=$(tr '\n' ' ' <"$in/Apple.10-Q.html" | grep -o "<ix:nonFraction [^>]*id=\"$anchor\"[^>]*>[^<]*" | head -n 1)
case $element in
*"name=\"${concept}\""*">$(fmt_money "$value" | sed 's/\.0$//')") echo "ok: apple: anchor $anchor is the revenue element" ;;
*) fail "apple: anchor $anchor is not the revenue element ($element)" ;;
esac
if grep -qF "href=\"file://$in/Apple.10-Q.html#$anchor\">$(fmt_money "$value")</a>" "$TMP/apple.html"; then
    echo "ok: apple: the revenue figure links to #$anchor"
else
    fail "apple: no link to #$anchor for the revenue figure"
fi
if grep -aqF "/URI (file://$in/Apple.10-Q.html#$anchor)" "$TMP/apple.pdf"; then
    echo "ok: apple: the PDF report links to #$anchor too"
else
    fail "apple: the PDF report has no link to #$anchor"
fi
chromium_check "$TMP/apple.html" "$TMP/apple.png"

report 1341439 oracle
has oracle "the fiscal quarter" "Q1 FY2025"
lacks oracle "a calendar quarter label" "Q3 FY2024"
has oracle "the quarter's revenue" "$(fmt_money "$(revenue 1341439 84 98)")"
ratios_shown 1341439 oracle

report 1065280 netflix
has netflix "the fiscal quarter" "Q3 FY2010"
has netflix "the quarter's revenue" "$(fmt_money "$(revenue 1065280 84 98)")"
ratios_shown 1065280 netflix

# One filing as two documents: each SWOT statement once in the report.
aeon=$(q "SELECT cik FROM companies c WHERE (SELECT count(*) FROM documents d WHERE d.company_id = c.id) = 2")
[ -n "$aeon" ] || fail "the AEON filing did not load as two documents of one company"
report "$aeon" aeon
expect "statements stated by both documents" \
    "$(q "SELECT count(*) > 0 FROM (SELECT statement FROM swot_items s JOIN companies c ON c.id = s.company_id
          WHERE c.cik = '$aeon' GROUP BY 1 HAVING count(DISTINCT document_id) = 2) x")" t
q "SELECT DISTINCT statement FROM swot_items s JOIN companies c ON c.id = s.company_id WHERE c.cik = '$aeon'
   AND statement NOT LIKE '%''%' AND statement NOT LIKE '%&%'" >"$TMP/aeon.swot"
while IFS= read -r st; do
    n=$(grep -oF -- "$st" "$TMP/aeon.html" | wc -l)
    expect "once in the report: $st" "$n" 1
done <"$TMP/aeon.swot"

# A 10-K PDF: its fiscal years, named as the company's years end (early December: fiscal
# years ending in November).
doc=$(q "SELECT id FROM documents WHERE name = 'ADOBE_2022_10K.pdf'")
"$DOSSIER_BIN" --db "$DSN" report --document "$doc" --out "$TMP/adobe.html" >/dev/null || fail "adobe: html report failed"
"$DOSSIER_BIN" --db "$DSN" report --document "$doc" --format pdf --out "$TMP/adobe.pdf" >/dev/null || fail "adobe: pdf report failed"
pdftotext -layout "$TMP/adobe.pdf" - | tr -s ' \n' ' ' >"$TMP/adobe.txt"
has adobe "the fiscal year" "FY2022"
if tr -d '\n' <"$TMP/adobe.html" | grep -q '<tbody></tbody>'; then fail "adobe: a table has no rows"; else echo "ok: adobe: no empty table"; fi
rev=$(q "SELECT value FROM facts WHERE document_id = $doc AND metric = 'revenue' AND dimensions = ''
         AND period_end = (SELECT max(period_end) FROM facts WHERE document_id = $doc AND metric = 'revenue')
         AND period_end - period_start > 350 LIMIT 1")
has adobe "the year's revenue" "$(fmt_money "$rev")"
# Each figure links to its page of the PDF (file:// URI of the path it was read from, #page=N).
page=$(q "SELECT page FROM facts WHERE document_id = $doc AND metric = 'revenue' AND value = $rev AND page IS NOT NULL LIMIT 1")
if grep -qF "href=\"file://$in/ADOBE_2022_10K.pdf#page=$page\">$(fmt_money "$rev")</a>" "$TMP/adobe.html"; then
    echo "ok: adobe: the revenue figure links to page $page"
else
    fail "adobe: no link to page $page for the revenue figure"
fi
if grep -aqF "/URI (file://$in/ADOBE_2022_10K.pdf#page=$page)" "$TMP/adobe.pdf"; then
    echo "ok: adobe: the PDF report links to page $page too"
else
    fail "adobe: the PDF report has no link to page $page"
fi
chromium_check "$TMP/adobe.html" "$TMP/adobe.png"
finish
