#!/bin/sh
# lease_test.sh - a slow document is not taken back and forth: while a worker works on it the
# lease is renewed (heartbeat), so with a 5 s lease and two workers a document that takes longer
# is claimed once; and a per-document time budget ends a document that runs past it in `failed`
# with the reason BUDGET instead of a lease livelock. Bounded by `timeout`.
DBNAME=t_security_lease
. "$(dirname "$0")/../pipeline/testdb.sh"
mkdir -p "$TMP/in"
# About 36 MB of prose with figures: seconds of parsing, chunking and extraction before the load
# (the heartbeat renews every lease/3 s from the claim; the load's row lock holds it off).
awk 'BEGIN { srand(1); split("revenue margin the company increased million debt ratio quarter net income cash flow operating was in", w, " ");
  for (i = 0; i < 400000; i++) { s = ""; for (j = 0; j < 12; j++) s = s w[int(rand() * 17) + 1] " ";
    printf "%s$%d million.\n", s, i; if (i % 10 == 0) print "" } }' >"$TMP/in/slow.txt"

# 1. Budget: 1 s is far less than this document needs.
printf 'run:\n  document_seconds: 1\n' >"$TMP/budget.yaml"
set +e
timeout 300 "$DOSSIER_BIN" -c "$TMP/budget.yaml" --db "$DSN" --log "$TMP/log1.jsonl" run "$TMP/in" >"$TMP/out1.txt" 2>&1
rc=$?
set -e
cat "$TMP/out1.txt"
expect "over budget: exit code (rejected)" "$rc" 1
expect "over budget: failed with reason" "$(q "SELECT status || ' ' || error_code FROM documents WHERE name = 'slow.txt'")" "failed BUDGET"
grep -q 'took longer than run.document_seconds' "$TMP/out1.txt" || fail "no clear reason in the summary"
expect "over budget: nothing stored" "$(q "SELECT count(*) FROM chunks")" 0

# 2. Heartbeat: 5 s lease, two workers, no budget. The document is claimed once.
printf 'Appendix.\n' >>"$TMP/in/slow.txt" # new bytes, a new document
printf 'log:\n  level: debug\nrun:\n  lease_seconds: 5\n  document_seconds: 0\n' >"$TMP/lease.yaml"
t0=$(date +%s)
set +e
timeout 300 "$DOSSIER_BIN" -c "$TMP/lease.yaml" --db "$DSN" --log "$TMP/log2.jsonl" run --workers 2 --idle-wait 8 "$TMP/in" >"$TMP/out2.txt" 2>&1
rc=$?
set -e
took=$(($(date +%s) - t0))
cat "$TMP/out2.txt"
expect "slow document: exit code" "$rc" 0
expect "slow document loaded" "$(q "SELECT count(*) FROM documents WHERE name = 'slow.txt' AND status = 'loaded'")" 1
expect "slow document claimed once" "$(q "SELECT q.attempts FROM work_queue q JOIN documents d ON d.id = q.document_id WHERE d.status = 'loaded'")" 1
grep -q 'lease on document .* was lost' "$TMP/log2.jsonl" && fail "another worker took the lease"
if grep -q '"lease of document' "$TMP/log2.jsonl"; then echo "ok: lease renewed while working (run took ${took} s)"
elif [ "$took" -gt 10 ]; then fail "no lease renewal in a ${took} s run"
else echo "(the document took under the renewal period; renewal not exercised)"; fi
finish
