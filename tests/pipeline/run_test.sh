#!/bin/sh
# run_test.sh - `dossier run` end to end on a real PostgreSQL: good documents loaded, bad ones
# (zero bytes, truncated PDF, text named .pdf) recorded with their
# reason while the run goes on, exit code 1 for a run with rejected documents, and no
# duplicate document when the same bytes come again (under any name).
DBNAME=t_pipeline_run
. "$(dirname "$0")/testdb.sh"
in=$TMP/inbox
mkdir -p "$in/sub"
printf 'ANNUAL REPORT\n\nRevenue was $1,234 million in 2023, up 12%% from 2022.\n\nRISK FACTORS\n\nOur lenders may call the "term loan" early.\tSee note 7.\n' >"$in/report.txt"
cp "$in/report.txt" "$in/sub/copy-of-report.txt"            # same bytes, other name
: >"$in/empty.pdf"                                           # zero bytes
printf '%%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R' >"$in/truncated.pdf"
printf 'This is plain text, although the file is called .pdf.\n\nSecond paragraph.\n' >"$in/not-really.pdf"
printf '<html><head><title>t</title></head><body><h1>Notice</h1><p>An HTML page named .txt.</p></body></html>\n' >"$in/page.txt"

set +e
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log.jsonl" run "$in" >"$TMP/out1.txt" 2>&1
rc=$?
set -e
cat "$TMP/out1.txt"
expect "exit code with rejected documents" "$rc" 1
expect "documents" "$(q 'SELECT count(*) FROM documents')" 5
expect "report loaded" "$(q "SELECT status FROM documents WHERE name = 'report.txt'")" loaded
expect "same bytes seen in two places" "$(q "SELECT count(*) FROM document_sources s JOIN documents d ON d.id = s.document_id WHERE d.name = 'report.txt'")" 2
expect "empty file failed" "$(q "SELECT status || ' ' || error_code FROM documents WHERE name = 'empty.pdf'")" "failed EMPTY"
expect "truncated pdf failed" "$(q "SELECT status || ' ' || kind || ' ' || error_code FROM documents WHERE name = 'truncated.pdf'")" "failed pdf DAMAGED"
expect "text named .pdf failed" "$(q "SELECT status || ' ' || error_code || ' ' || (error_message LIKE '%not a PDF%') FROM documents WHERE name = 'not-really.pdf'")" "failed FORMAT true"
expect "html named .txt is html" "$(q "SELECT kind FROM documents WHERE name = 'page.txt'")" "html"
expect "error message names the file" "$(q "SELECT count(*) FROM documents WHERE name = 'empty.pdf' AND error_message LIKE '%empty.pdf%'")" 1
expect "chunks carry pages and tokens" "$(q "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.name = 'report.txt' AND c.token_count > 0 AND c.char_end > c.char_start")" \
    "$(q "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.name = 'report.txt'")"
expect "chunk text keeps quotes and tabs" "$(q "SELECT count(*) FROM chunks WHERE text LIKE '%\"term loan\" early.' || chr(9) || 'See%'")" 1
expect "run row" "$(q "SELECT status || ' ' || docs_seen || ' ' || docs_loaded || ' ' || docs_failed FROM runs ORDER BY id LIMIT 1")" "rejected 6 2 3"
grep -q '"level":"warn"' "$TMP/log.jsonl" || fail "log has no JSON warning lines"

chunks_before=$(q 'SELECT count(*) FROM chunks')
set +e
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log.jsonl" run "$in" >"$TMP/out2.txt" 2>&1
rc=$?
set -e
expect "second run exit code" "$rc" 0
expect "no duplicate documents" "$(q 'SELECT count(*) FROM documents')" 5
expect "no duplicate chunks" "$(q 'SELECT count(*) FROM chunks')" "$chunks_before"
expect "second run saw everything unchanged" "$(q "SELECT docs_unchanged FROM runs ORDER BY id DESC LIMIT 1")" 6
finish
