#!/bin/sh
# inbox_test.sh - a hostile inbox: symbolic links out of the scanned folder are skipped (links
# into ingest.allowed_roots are read), a file name that is not UTF-8 or holds a newline is
# stored escaped and the run goes on, FIFOs and devices are refused without blocking (also a
# queued file replaced by a FIFO), and ingest.max_bytes is enforced before reading. Every run
# is bounded by `timeout`.
DBNAME=t_security_inbox
. "$(dirname "$0")/../pipeline/testdb.sh"
in=$TMP/inbox
out=$TMP/outside
ok=$TMP/allowed
mkdir -p "$in" "$out" "$ok"
secret=SECRET-$(date +%s)-MARKER
printf 'root:%s:19000:0:99999:7:::\n' "$secret" >"$out/shadow"
printf 'Allowed elsewhere.\n\nRevenue grew in the year under review.\n' >"$ok/annex.txt"
printf 'ANNUAL REPORT\n\nRevenue was $1,234 million in 2023.\n' >"$in/good.txt"
ln -s "$out/shadow" "$in/x.txt"
ln -s "$out" "$in/linked-folder"
ln -s "$ok/annex.txt" "$in/annex.txt"
printf 'Name bytes are not UTF-8.\n\nStill a document.\n' >"$in/$(printf 'bad\377\376name.txt')"
printf 'A newline in the name.\n\nSecond paragraph.\n' >"$in/$(printf 'two\nlines {"level":"error"}.txt')"
mkfifo "$in/pipe.pdf"
head -c 5000 /dev/urandom >"$in/big.txt"
printf 'ingest:\n  max_bytes: 4000\n  allowed_roots:\n    - %s\n' "$ok" >"$TMP/dossier.yaml"

set +e
timeout 120 "$DOSSIER_BIN" -c "$TMP/dossier.yaml" --db "$DSN" --log "$TMP/log.jsonl" run "$in" >"$TMP/out1.txt" 2>&1
rc=$?
set -e
cat "$TMP/out1.txt"
[ "$rc" -eq 124 ] && fail "run hung"
case $rc in 0 | 1) echo "ok: run finished (exit $rc)";; *) fail "run exit code $rc";; esac
expect "no chunk holds the file outside the inbox" "$(q "SELECT count(*) FROM chunks WHERE text LIKE '%$secret%'")" 0
expect "no document from outside the inbox" "$(q "SELECT count(*) FROM documents WHERE source LIKE '%outside%'")" 0
grep -q 'symbolic link leading outside' "$TMP/log.jsonl" || fail "no warning for the link out of the inbox"
expect "link into an allowed root read" "$(q "SELECT status FROM documents WHERE name = 'annex.txt'")" loaded
expect "good file loaded" "$(q "SELECT status FROM documents WHERE name = 'good.txt'")" loaded
expect "non-UTF-8 name stored escaped" "$(q "SELECT status FROM documents WHERE name = 'bad\\xff\\xfename.txt'")" loaded
expect "newline in name stored escaped" "$(q "SELECT count(*) FROM documents WHERE position('two\\x0alines' in name) = 1 AND position(chr(10) in name) = 0")" 1
expect "no document from the FIFO" "$(q "SELECT count(*) FROM documents WHERE name = 'pipe.pdf'")" 0
expect "over ingest.max_bytes not read" "$(q "SELECT count(*) FROM documents WHERE name = 'big.txt'")" 0
grep -q 'larger than the limit' "$TMP/log.jsonl" || fail "no warning for the oversize file"
grep -c '' "$TMP/log.jsonl" >/dev/null
if grep -v '^{' "$TMP/log.jsonl" | grep -q .; then fail "a file name forged a log line"; else echo "ok: log lines intact"; fi

# A character device named on the command line: refused at once, nothing read.
set +e
timeout 30 "$DOSSIER_BIN" --db "$DSN" run /dev/zero >"$TMP/out2.txt" 2>&1
rc=$?
set -e
[ "$rc" -eq 124 ] && fail "run /dev/zero hung"
grep -q 'not a regular file' "$TMP/out2.txt" "$TMP/log.jsonl" 2>/dev/null || echo "(warning text not in stdout; checked exit only)"
expect "run /dev/zero stored nothing" "$(q "SELECT count(*) FROM documents WHERE source = '/dev/zero'")" 0

# A queued file replaced by a FIFO before a worker reads it: refused at once (no hang), the
# document is not loaded and waits for a retry.
printf 'Queued text.\n' >"$TMP/queued.txt"
id=$(q "INSERT INTO documents (sha256, source, name, bytes) VALUES (repeat('a', 64), '$TMP/queued.txt', 'queued.txt', 13) RETURNING id" | head -n 1)
q "INSERT INTO work_queue (document_id, path) VALUES ($id, '$TMP/queued.txt')" >/dev/null
rm "$TMP/queued.txt"
mkfifo "$TMP/queued.txt"
mkdir -p "$TMP/empty"
set +e
timeout 120 "$DOSSIER_BIN" --db "$DSN" run "$TMP/empty" >"$TMP/out3.txt" 2>&1
rc=$?
set -e
cat "$TMP/out3.txt"
[ "$rc" -eq 124 ] && fail "a queued FIFO hung the run"
expect "queued FIFO not loaded" "$(q "SELECT status FROM documents WHERE id = $id")" queued
grep -q 'queued.txt is not a regular file' "$TMP/out3.txt" || fail "no clear error for the queued FIFO"
finish
