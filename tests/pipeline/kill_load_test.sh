#!/bin/sh
# kill_load_test.sh - SIGKILL in the middle of loading a document leaves no partial rows of it,
# and the next run (which reclaims the dead process's lease at once) loads it completely.
DBNAME=t_kill
. "$(dirname "$0")/testdb.sh"
in=$TMP/inbox
mkdir -p "$in"
# A large text document: loading its many chunks takes long enough to be interrupted.
awk 'BEGIN { for (p = 1; p <= 40; p++) { for (i = 1; i <= 2500; i++)
    printf "Paragraph %d.%d: revenue, margins and leverage of the company moved as described in note %d.\n\n", p, i, i;
    printf "\f" } }' >"$in/big.txt"
"$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null
killed=0
for attempt in 1 2 3; do
    "$DOSSIER_BIN" --db "$DSN" --log "$TMP/log.jsonl" run "$in" >/dev/null 2>&1 &
    pid=$!
    # Wait until the document is being processed, then kill during the load.
    i=0
    while [ $i -lt 600 ]; do
        st=$(q "SELECT status FROM documents WHERE name = 'big.txt'" 2>/dev/null || true)
        active=$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY chunks%' AND state <> 'idle'" 2>/dev/null || echo 0)
        if [ "$st" = processing ] && [ "$active" -gt 0 ]; then break; fi
        if ! kill -0 $pid 2>/dev/null; then break; fi
        sleep 0.02
        i=$((i + 1))
    done
    if kill -9 $pid 2>/dev/null; then
        wait $pid 2>/dev/null || true
        if [ "$(q "SELECT status FROM documents WHERE name = 'big.txt'")" = processing ]; then killed=1; break; fi
    fi
    wait $pid 2>/dev/null || true
    # It finished before the kill: start over with a fresh database.
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE $DBNAME WITH (FORCE)" -c "CREATE DATABASE $DBNAME" >/dev/null
    "$DOSSIER_BIN" --db "$DSN" db migrate >/dev/null 2>&1
done
expect "process was killed mid-document" "$killed" 1
sleep 0.5
expect "no partial chunks after the kill" "$(q "SELECT count(*) FROM chunks")" 0
expect "no partial facts after the kill" "$(q "SELECT count(*) FROM facts")" 0
expect "document left in processing" "$(q "SELECT status FROM documents WHERE name = 'big.txt'")" processing

"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log.jsonl" run "$in" >"$TMP/out.txt" 2>&1 || { cat "$TMP/out.txt"; fail "rerun failed"; }
expect "loaded after rerun" "$(q "SELECT status FROM documents WHERE name = 'big.txt'")" loaded
n=$(q "SELECT count(*) FROM chunks")
expect "chunk sequence complete and unique" "$(q "SELECT count(DISTINCT seq) = count(*) AND min(seq) = 0 AND max(seq) = count(*) - 1 FROM chunks")" t
[ "$n" -gt 100 ] || fail "only $n chunks"
grep -q 'no longer running' "$TMP/log.jsonl" || fail "dead lease was not reclaimed at once"
finish
