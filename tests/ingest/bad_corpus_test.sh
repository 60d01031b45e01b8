#!/bin/sh
# bad_corpus_test.sh - a corpus of bad inputs through `dossier run`: each ends with its own
# status and reason, and no other document is lost. (CI runs it again under ASan + UBSan.)
DBNAME=t_bad
. "$(dirname "$0")/../pipeline/testdb.sh"
in=$TMP/inbox
mkdir -p "$in"
"$DS_BINARY_DIR/ds_gen_samples" "$TMP/gen" --broken --truth "$TMP/truth.json" >/dev/null || fail "generator failed"
cp "$TMP/gen/broken/"* "$in/"
cp "$TMP/gen/northwind_10k_2024.pdf" "$in/good.pdf"
printf 'A good plain-text memo.\n' >"$in/good.txt"
cat >"$in/laughs.html" <<'X'
<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>
X
cat >"$in/xxe.html" <<'X'
<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>secret: &xxe; &net;</p></body></html>
X
awk 'BEGIN { for (i = 0; i < 5000000; i++) printf "word%d ", i % 10; }' >"$in/one-line-50mb.txt"
for f in encrypted-40-bit-R3.pdf "enc-XI-R6,V5,O=master.pdf"; do
    [ -n "${DS_SHARED_DIR:-}" ] && [ -f "$DS_SHARED_DIR/data/broken_pdf/qpdf/$f" ] && cp "$DS_SHARED_DIR/data/broken_pdf/qpdf/$f" "$in/"
done
[ -n "${DS_SHARED_DIR:-}" ] && [ -f "$DS_SHARED_DIR/data/broken_pdf/pdfminer/aes-128.pdf" ] && cp "$DS_SHARED_DIR/data/broken_pdf/pdfminer/aes-128.pdf" "$in/"

set +e
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log.jsonl" run "$in" >"$TMP/out.txt" 2>&1
rc=$?
set -e
cat "$TMP/out.txt"
expect "exit code: completed with rejected documents" "$rc" 1
st() { q "SELECT status || ' ' || coalesce(error_code, '-') FROM documents WHERE name = '$1'"; }
expect "good pdf" "$(st good.pdf)" "loaded -"
expect "good text" "$(st good.txt)" "loaded -"
expect "zero bytes" "$(q "SELECT status || ' ' || error_code FROM documents WHERE bytes = 0")" "failed EMPTY"
expect "truncated pdf" "$(q "SELECT status || ' ' || error_code FROM documents WHERE name LIKE '%truncated%'")" "failed DAMAGED"
expect "no text layer" "$(q "SELECT status || ' ' || error_code FROM documents WHERE name LIKE '%no-text%' OR name LIKE '%scan%'")" "failed NO_TEXT"
expect "html named .pdf" "$(q "SELECT status || ' ' || kind FROM documents WHERE name = 'annual_report_2024.pdf'")" "loaded html"
expect "invalid utf-8 text loaded with replacements" "$(q "SELECT d.status FROM documents d WHERE name LIKE '%utf8%' OR name LIKE '%utf-8%'")" "loaded"
laughs=$(st laughs.html)
case "$laughs" in "failed PARSE"|"failed TOO_LARGE"|"loaded -") echo "ok: billion laughs: $laughs";; *) fail "billion laughs: $laughs";; esac
expect "billion laughs not expanded" "$(q "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.name = 'laughs.html' AND c.text LIKE '%lollollol%'")" 0
xxe=$(st xxe.html)
case "$xxe" in "failed PARSE"|"loaded -") echo "ok: external entity: $xxe";; *) fail "external entity: $xxe";; esac
expect "no file leaked through an external entity" "$(q "SELECT count(*) FROM chunks WHERE text LIKE '%root:%'")" 0
long=$(st one-line-50mb.txt)
case "$long" in "loaded -"|"failed TOO_LARGE") echo "ok: 50 MB single line: $long";; *) fail "50 MB line: $long";; esac
for f in encrypted-40-bit-R3.pdf aes-128.pdf; do
    [ -f "$in/$f" ] && expect "encrypted $f" "$(st "$f")" "failed ENCRYPTED"
done
expect "every failure has a message naming its file" "$(q "SELECT count(*) FROM documents WHERE status = 'failed' AND position(name IN error_message) = 0")" 0
expect "nothing stuck in the queue" "$(q "SELECT count(*) FROM work_queue WHERE state NOT IN ('done')")" 0
q "SELECT rpad(name, 34) || status || ' ' || coalesce(error_code, '') || ' ' || left(coalesce(error_message, ''), 90) FROM documents ORDER BY name"
finish
