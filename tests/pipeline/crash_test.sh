#!/bin/sh
# crash_test.sh - a run over 100 generated documents with several workers, killed with SIGKILL
# at ten random moments (the coordinator or a worker), then run again to completion: the
# database must hold exactly what a clean run produces - same documents, chunks, facts,
# entities and alerts, nothing missing and nothing twice. Then the same with PostgreSQL
# restarted in the middle of a run.
DBNAME=t_pipeline_crash
. "$(dirname "$0")/testdb.sh"
in=$TMP/inbox
mkdir -p "$in"
# 100 documents of varied length; the samples generator's documents join them when built.
i=1
while [ $i -le 100 ]; do
    awk -v d=$i 'BEGIN { srand(d); n = 200 + int(rand() * 1800);
        printf "ITEM %d. COMPANY %d REPORT\n\n", d % 9 + 1, d;
        for (k = 1; k <= n; k++) {
            printf "Paragraph %d of document %d: revenue %d, the \"facility\" and\tcovenants; note %d.", k, d, int(rand() * 100000), k;
            if (k % 7 == 0) printf "\n\nSECTION %d\n", k;
            printf "\n\n";
            if (k % 300 == 0) printf "\f";
        } }' >"$in/doc$i.txt"
    i=$((i + 1))
done
if [ -x "$DS_BINARY_DIR/ds_gen_samples" ]; then "$DS_BINARY_DIR/ds_gen_samples" "$in/samples" >/dev/null; fi

snapshot() { # the content of a database, one line per document, order-independent
    psql -X -At -d "$1" -c "
      SELECT d.sha256, d.status,
        (SELECT count(*) || ':' || coalesce(md5(string_agg(c.seq || c.text || c.page_first || c.char_start, '|' ORDER BY c.seq)), '')
           FROM chunks c WHERE c.document_id = d.id),
        (SELECT count(*) || ':' || coalesce(md5(string_agg(f.concept || coalesce(f.value::text, '') || coalesce(f.period_end::text, '') || f.dimensions, '|' ORDER BY f.concept, f.value, f.period_end, f.dimensions, f.page)), '')
           FROM facts f WHERE f.document_id = d.id),
        (SELECT count(*) FROM entities e WHERE e.document_id = d.id),
        (SELECT count(*) FROM swot_items s WHERE s.document_id = d.id),
        (SELECT count(*) FROM aml_alerts a WHERE a.document_id = d.id)
      FROM documents d ORDER BY d.sha256"
}

# Reference: one clean run.
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS t_crash_ref WITH (FORCE)" -c "CREATE DATABASE t_crash_ref" >/dev/null
REF="host=$PGHOST dbname=t_crash_ref user=${PGUSER:-dossier}"
t0=$(date +%s.%N)
"$DOSSIER_BIN" --db "$REF" --log "$TMP/ref.jsonl" run --workers 3 "$in" >/dev/null 2>&1 || fail "reference run failed"
ref_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "clean run: ${ref_s}s"
snapshot "$REF" >"$TMP/ref.txt"
expect "reference loaded every document" "$(psql -X -At -d "$REF" -c "SELECT count(*) FROM documents WHERE status = 'loaded'")" "$(wc -l <"$TMP/ref.txt" | tr -d ' ')"

# Ten kills at random moments.
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
seed=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
echo "kill schedule seed: $seed"
n=1
kills=0
while [ $n -le 10 ]; do
    "$DOSSIER_BIN" --db "$DSN" --log "$TMP/crash.jsonl" run --workers 3 "$in" >/dev/null 2>&1 &
    coord=$!
    # Ten kills spread over about one clean run's worth of work.
    delay=$(awk -v s="$seed" -v n=$n -v t="$ref_s" 'BEGIN { srand(s * 100 + n); printf "%.2f", 0.1 + rand() * t / 5 }')
    sleep "$delay"
    victim=$coord
    if [ $((n % 2)) = 0 ]; then
        w=$(pgrep -P $coord | head -n 1 || true)
        [ -n "$w" ] && victim=$w
    fi
    if kill -9 "$victim" 2>/dev/null; then
        echo "kill $n after ${delay}s: $([ "$victim" = "$coord" ] && echo coordinator || echo worker) $victim"
        kills=$((kills + 1))
    else
        echo "kill $n after ${delay}s: the run had already finished"
    fi
    sleep 0.3
    n=$((n + 1))
done
# Stop whatever is still running (orphaned workers), then run to completion.
pkill -9 -f "dbname=$DBNAME user" 2>/dev/null || true
sleep 1
loaded=$(q "SELECT count(*) FROM documents WHERE status = 'loaded'")
echo "$kills processes killed; $loaded of $(wc -l <"$TMP/ref.txt" | tr -d ' ') documents loaded before the final run"
[ "$kills" -ge 5 ] || fail "fewer than 5 kills landed on a running process"
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/crash.jsonl" run --workers 2 "$in" >"$TMP/final.txt" 2>&1 || { cat "$TMP/final.txt"; fail "final run failed"; }
snapshot "$DSN" >"$TMP/crash.txt"
if cmp -s "$TMP/ref.txt" "$TMP/crash.txt"; then echo "ok: after ten kills the database equals the clean run"; else
    fail "after kills the database differs from the clean run"; diff "$TMP/ref.txt" "$TMP/crash.txt" | head -20; fi
expect "no duplicate chunks" "$(q "SELECT count(*) FROM (SELECT document_id, seq FROM chunks GROUP BY 1, 2 HAVING count(*) > 1) x")" 0
expect "queue drained" "$(q "SELECT count(*) FROM work_queue WHERE state NOT IN ('done')")" 0

# PostgreSQL restarted in the middle of a run.
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE $DBNAME WITH (FORCE)" -c "CREATE DATABASE $DBNAME" >/dev/null
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/restart.jsonl" run --workers 2 "$in" >"$TMP/restart.txt" 2>&1 &
coord=$!
sleep "$(awk -v t="$ref_s" 'BEGIN { printf "%.2f", t / 3 }')"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdata=$(dirname "$PGHOST")/data
if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bindir/pg_ctl" -D "$pgdata" restart -m fast -w >/dev/null; else "$bindir/pg_ctl" -D "$pgdata" restart -m fast -w >/dev/null; fi
echo "postgresql restarted during the run"
wait $coord || true
# Whatever the interrupted run left (leases of dead connections) the next run completes.
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/restart.jsonl" run "$in" >>"$TMP/restart.txt" 2>&1 || { cat "$TMP/restart.txt"; fail "run after restart failed"; }
snapshot "$DSN" >"$TMP/restart-snap.txt"
if cmp -s "$TMP/ref.txt" "$TMP/restart-snap.txt"; then echo "ok: after a PostgreSQL restart the database equals the clean run"; else
    fail "after the restart the database differs"; diff "$TMP/ref.txt" "$TMP/restart-snap.txt" | head -20; fi
grep -q "re-established" "$TMP/restart.jsonl" && echo "ok: a worker reconnected" || echo "note: no worker needed to reconnect"
finish
