#!/bin/sh
# bench_views.sh - the review views and searches on 100,000 documents: fills a scratch database
# (100,000 documents, 400,000 chunks with full-text vectors, 300,000 facts, 20,000 alerts) and
# prints each documented query's execution time (EXPLAIN ANALYZE), the baseline being the same
# query with index scans disabled (what the indexes buy). Uses PG* when set, else the private
# cluster (started). Usage: bench_views.sh [DOSSIER_BIN]
set -eu
bin=${1:-${DOSSIER_BIN:-build/dossier}}
"$bin" db start >/dev/null 2>&1 || true
dsn=${DS_BENCH_DSN:-"host=$(pwd)/var/pg/run dbname=postgres user=dossier"}
psql -X -q -d "$dsn" -c "DROP DATABASE IF EXISTS bench_views WITH (FORCE)" -c "CREATE DATABASE bench_views"
db=$(printf '%s' "$dsn" | sed 's/dbname=[^ ]*/dbname=bench_views/')
"$bin" --db "$db" db migrate >/dev/null 2>&1
echo "filling 100,000 documents..."
t0=$(date +%s)
psql -X -q -d "$db" <<'SQL'
INSERT INTO companies (cik, name, name_key) SELECT g::text, 'Company ' || g, 'company ' || g FROM generate_series(1, 5000) g;
INSERT INTO documents (sha256, source, name, kind, status, bytes, pages, company_id, error_code, updated_at)
SELECT encode(sha256(g::text::bytea), 'hex'), '/in/doc' || g || '.pdf', 'doc' || g || '.pdf', 'pdf',
       CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'loaded' END, 100000, 40, 1 + g % 5000,
       CASE WHEN g % 50 = 0 THEN 'DAMAGED' END, now() - (g || ' minutes')::interval
FROM generate_series(1, 100000) g;
INSERT INTO chunks (document_id, seq, section, page_first, page_last, char_start, char_end, token_count, text)
SELECT d, s, 'Item 7', s + 1, s + 1, s * 2000, s * 2000 + 1500, 400,
       CASE WHEN (d * 4 + s) % 997 = 0 THEN 'There is substantial doubt about our ability to continue as a going concern. '
            ELSE 'Revenue increased as the company expanded its credit facility and liquidity improved. ' END
       || 'Document ' || d || ' chunk ' || s || ' discusses margins, leverage and covenants.'
FROM generate_series(1, 100000) d, generate_series(0, 3) s;
INSERT INTO facts (document_id, company_id, concept, metric, value, unit, period_start, period_end, source_extractor)
SELECT d, 1 + d % 5000, 'us-gaap:Revenues', m, (d * 1000 + k)::numeric, 'USD', date '2023-01-01', date '2023-12-31', 'ixbrl'
FROM generate_series(1, 100000) d, unnest(ARRAY['revenue', 'net_income', 'total_assets']) WITH ORDINALITY AS x(m, k);
INSERT INTO aml_alerts (dedup_key, kind, status, document_id, company_id, subject, score, source_extractor, created_at)
SELECT 'k' || g, 'red_flag', CASE WHEN g % 3 = 0 THEN 'dismissed' ELSE 'open' END, g * 5, 1 + g % 5000,
       'shell company', 0.9, 'bench', now() - (g || ' seconds')::interval
FROM generate_series(1, 20000) g;
ANALYZE;
SQL
echo "filled in $(( $(date +%s) - t0 )) s"
time_of() { # time_of SQL [seqscan-only] -> execution ms
    pre=""
    [ "${2:-}" = base ] && pre="SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off;"
    psql -X -At -d "$db" -c "$pre EXPLAIN (ANALYZE, FORMAT JSON) $1" | tr -d '\n' |
        sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p'
}
printf '%-58s %14s %16s\n' "query (100,000 documents)" "with indexes" "without (ms)"
run() {
    a=$(time_of "$2"); b=$(time_of "$2" base)
    printf '%-58s %11s ms %13s ms\n' "$1" "$a" "$b"
}
run "open alerts, newest 50 (review_open_alerts)" "SELECT * FROM review_open_alerts ORDER BY created_at DESC LIMIT 50"
run "failed documents, latest 50 (review_document_status)" "SELECT * FROM review_document_status WHERE status = 'failed' ORDER BY updated_at DESC LIMIT 50"
run "one document's status by id" "SELECT * FROM review_document_status WHERE document_id = 4242"
run "full-text: \"going concern\", 50 best (search_chunks)" "SELECT * FROM search_chunks('\"going concern\"', 50)"
run "a company's revenue by period (facts)" "SELECT * FROM facts WHERE company_id = 77 AND metric = 'revenue' ORDER BY period_end"
run "a company's open alerts" "SELECT * FROM review_open_alerts WHERE company = 'Company 77'"
psql -X -q -d "$dsn" -c "DROP DATABASE bench_views WITH (FORCE)"
