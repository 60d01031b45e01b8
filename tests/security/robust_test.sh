#!/bin/sh
# robust_test.sh - failures are not reported as success, stops are orderly, secrets stay hidden:
# a run whose URL fetch fails exits 6 and its Prometheus file says dossier_run_success 0; the
# metrics file replaces a symbolic link instead of writing through it and has mode 0644 under
# umask 077 (the log 0640); SIGTERM marks the run interrupted, leaves no lease held and exits
# 143; workers die with a killed parent; a newline in a file name cannot forge a text log line;
# passwords are redacted in doctor --show-config, db status and the log, and db psql passes the
# password in the environment, not argv, and --db's password is blanked in dossier's own argv; lapsed leases are capped by run.max_attempts; a file
# changed after it was queued is queued again under its new hash. Every run is bounded by timeout.
DBNAME=t_security_robust
. "$(dirname "$0")/../pipeline/testdb.sh"
# A process still running: an exited one its new parent has not reaped yet (a zombie) is not.
alive() { st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }

# 1. Every URL fetch fails: exit 6, status incomplete, success gauge 0. The metrics target is a
# symbolic link to a file that must stay untouched; umask 077 must not change the modes.
mkdir -p "$TMP/inbox"
printf 'Quarterly note.\n\nRevenue rose.\n' >"$TMP/inbox/a.txt"
printf 'http://127.0.0.1:9/nothing-listens-here\n' >"$TMP/urls.txt"
printf 'precious\n' >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/dossier.prom"
cat >"$TMP/dossier.yaml" <<YAML
sources:
  inbox: ["$TMP/inbox"]
  url_lists: ["$TMP/urls.txt"]
fetch:
  user_agent: "dossier tests test@example.com"
  cache_dir: "$TMP/cache"
  retries: 0
  timeout_seconds: 5
run:
  metrics_textfile: "$TMP/dossier.prom"
YAML
set +e
(umask 077; timeout 120 "$DOSSIER_BIN" -c "$TMP/dossier.yaml" --db "$DSN" --log "$TMP/log1.jsonl" nightly >"$TMP/out1.txt" 2>&1)
rc=$?
set -e
cat "$TMP/out1.txt"
expect "all fetches failed: exit code" "$rc" 6
expect "run status" "$(q "SELECT status || ' ' || fetch_failed FROM runs ORDER BY id DESC LIMIT 1")" "incomplete 1"
grep -qx 'dossier_run_success 0' "$TMP/dossier.prom" || fail "dossier_run_success is not the unlabelled 0"
grep -qx 'dossier_run_fetches{outcome="failed"} 1' "$TMP/dossier.prom" || fail "fetch failures not counted"
expect "metrics written through no link" "$(cat "$TMP/victim")" precious
expect "metrics file replaced the link" "$([ -L "$TMP/dossier.prom" ] && echo link || echo file)" file
expect "metrics mode under umask 077" "$(stat -c %a "$TMP/dossier.prom")" 644
expect "log mode under umask 077" "$(stat -c %a "$TMP/log1.jsonl")" 640
expect "no temporary file left" "$(ls -a "$TMP" | grep -c '\.tmp$' || true)" 0

# 2. SIGTERM in the middle of a run: interrupted, no lease held, exit 143, workers gone.
mkdir -p "$TMP/many"
i=0
while [ $i -lt 400 ]; do
    printf 'Note %d.\n\nRevenue was $%d million in 2023 and the margin improved.\n' $i $i >"$TMP/many/n$i.txt"
    i=$((i + 1))
done
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log2.jsonl" run --workers 3 "$TMP/many" >"$TMP/out2.txt" 2>&1 &
pid=$!
n=0
while [ "$(q "SELECT count(*) FROM documents WHERE status = 'loaded' AND name LIKE 'n%'")" -lt 5 ] && [ $n -lt 300 ]; do
    sleep 0.1; n=$((n + 1))
done
kids=$(ps -o pid= --ppid $pid | tr -d ' ' | tr '\n' ' ')
kill -TERM $pid
set +e
t=0
while kill -0 $pid 2>/dev/null && [ $t -lt 600 ]; do sleep 0.1; t=$((t + 1)); done
if kill -0 $pid 2>/dev/null; then fail "run ignored SIGTERM"; kill -9 $pid; fi
wait $pid
rc=$?
set -e
cat "$TMP/out2.txt"
expect "SIGTERM exit code" "$rc" 143
expect "run marked interrupted" "$(q "SELECT status FROM runs WHERE kind = 'run' ORDER BY id DESC LIMIT 1")" interrupted
expect "no lease held after the stop" "$(q "SELECT count(*) FROM work_queue WHERE state = 'leased'")" 0
expect "no document left processing" "$(q "SELECT count(*) FROM documents WHERE status = 'processing'")" 0
for k in $kids; do alive "$k" && fail "worker $k outlived the run"; done
# The rest is picked up by the next run.
timeout 300 "$DOSSIER_BIN" --db "$DSN" -q run "$TMP/many" >/dev/null 2>&1 || true
expect "next run loads the rest" "$(q "SELECT count(*) FROM documents WHERE status = 'loaded' AND name LIKE 'n%'")" 400

# 3. Workers die with a parent killed by SIGKILL.
q "UPDATE documents SET status = 'queued'; DELETE FROM work_queue; INSERT INTO work_queue (document_id, path) SELECT id, '$TMP/many/' || name FROM documents WHERE name LIKE 'n%'" >/dev/null
q "UPDATE documents SET sha256 = sha256" >/dev/null
"$DOSSIER_BIN" --db "$DSN" --log "$TMP/log3.jsonl" worker --workers 3 --idle-wait 30 >/dev/null 2>&1 &
pid=$!
t=0 kids=""
while [ $t -lt 600 ]; do # the workers start within seconds (longer under sanitizers)
    kids=$(ps -o pid= --ppid $pid | tr -d ' ' | tr '\n' ' ')
    if [ -n "$kids" ]; then # the first is up: give the others a moment, then take them all
        sleep 1
        kids=$(ps -o pid= --ppid $pid | tr -d ' ' | tr '\n' ' ')
        break
    fi
    sleep 0.1
    t=$((t + 1))
done
[ -n "$kids" ] || fail "no worker processes seen"
kill -9 $pid
wait $pid 2>/dev/null || true
t=0
for k in $kids; do
    while alive "$k" && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
    alive "$k" && { fail "worker $k outlived its killed parent: $(ps -o pid=,stat=,etime=,args= -p "$k")"; kill -9 "$k"; }
done
echo "ok: workers ended with their parent"

# 4. A newline in a file name cannot forge a text log line.
mkdir -p "$TMP/nl"
printf 'Text.\n\nMore text.\n' >"$TMP/nl/$(printf 'evil\n2099-01-01T00:00:00.000Z error forged.txt')"
timeout 120 "$DOSSIER_BIN" --db "$DSN" --log "$TMP/log4.txt" --log-format text run "$TMP/nl" >/dev/null 2>&1 || true
if grep -v '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T' "$TMP/log4.txt" | grep -q .; then fail "a file name forged a text log line"
else echo "ok: text log lines intact"; fi
grep -q 'forged' "$TMP/log4.txt" || fail "the escaped name is not in the text log"

# 5. Secrets: never shown, never in argv.
pw=Sec-$(date +%s)-pw
printf 'db:\n  dsn: "%s password=%s"\n' "$DSN" "$pw" >"$TMP/secret.yaml"
timeout 60 "$DOSSIER_BIN" -c "$TMP/secret.yaml" doctor --show-config >"$TMP/out5.txt" 2>&1 || true
grep -q "$pw" "$TMP/out5.txt" && fail "doctor --show-config printed the password"
grep -q 'password=\*\*\*' "$TMP/out5.txt" || fail "doctor --show-config shows no redacted password"
timeout 60 "$DOSSIER_BIN" --db "postgresql://dossier:$pw@127.0.0.1:1/x" --log "$TMP/log5.jsonl" db status >"$TMP/out6.txt" 2>&1 || true
grep -q "$pw" "$TMP/out6.txt" "$TMP/log5.jsonl" && fail "db status printed the password"
mkdir -p "$TMP/bin"
real_psql=$(command -v psql)
cat >"$TMP/bin/psql" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/psql-argv"
printf '%s\n' "\${PGPASSWORD:-}" >"$TMP/psql-env"
exec "$real_psql" "\$@"
SH
chmod 755 "$TMP/bin/psql"
PATH="$TMP/bin:$PATH" timeout 60 "$DOSSIER_BIN" --db "$DSN password=$pw" db psql -- -X -At -c 'SELECT 42' >"$TMP/out7.txt" 2>&1 || true
grep -q "$pw" "$TMP/psql-argv" && fail "db psql put the password on the command line"
expect "db psql passes the password in PGPASSWORD" "$(cat "$TMP/psql-env")" "$pw"
expect "db psql connects" "$(cat "$TMP/out7.txt")" 42
# --db's password leaves dossier's own argv once options are parsed: a server that accepts the
# connection and never answers keeps dossier waiting while its /proc/PID/cmdline is read.
silent=$(mktemp -d /tmp/dssilent.XXXXXX)
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + "/.s.PGSQL.5999"); s.listen(8); time.sleep(40)' "$silent" &
lpid=$!
t=0; while [ ! -S "$silent/.s.PGSQL.5999" ] && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
"$DOSSIER_BIN" --db "host=$silent port=5999 dbname=x connect_timeout=30 password=$pw" db status >/dev/null 2>&1 &
dpid=$!
t=0; seen=1
while [ $t -lt 150 ] && kill -0 "$dpid" 2>/dev/null; do
    args=$(tr '\0' ' ' <"/proc/$dpid/cmdline" 2>/dev/null || true)
    # until the shell's fork has exec'd dossier its command line is the shell's
    case $args in *dbname=x*) printf '%s' "$args" | grep -q "$pw" || { seen=0; break; } ;; esac
    sleep 0.1; t=$((t + 1))
done
kill -0 "$dpid" 2>/dev/null || fail "dossier did not wait on the silent server"
[ $seen -eq 0 ] && echo "ok: --db password not in dossier's argv" || fail "--db password visible in ps: $(tr '\0' ' ' <"/proc/$dpid/cmdline")"
tr '\0' ' ' <"/proc/$dpid/cmdline" | grep -q 'password=\*\*\*' || fail "--db in ps lost its redacted form"
kill "$dpid" "$lpid" 2>/dev/null || true; wait "$dpid" "$lpid" 2>/dev/null || true; rm -rf "$silent"

# 6. Attempts are capped for lapsed leases too: a document whose lease lapsed after its last
# attempt is quarantined, not claimed again.
printf 'Lapsed.\n' >"$TMP/lapsed.txt"
id=$(q "INSERT INTO documents (sha256, source, name, bytes, status) VALUES (repeat('b', 64), '$TMP/lapsed.txt', 'lapsed.txt', 8, 'processing') RETURNING id" | head -n 1)
q "INSERT INTO work_queue (document_id, path, state, attempts, lease_owner, lease_expires) VALUES ($id, '$TMP/lapsed.txt', 'leased', 3, 'elsewhere:1', now() - interval '1 minute')" >/dev/null
mkdir -p "$TMP/empty"
timeout 120 "$DOSSIER_BIN" --db "$DSN" run "$TMP/empty" >/dev/null 2>&1 || true
expect "lapsed lease after max_attempts quarantined" "$(q "SELECT d.status || ' ' || q.state || ' ' || q.attempts FROM documents d JOIN work_queue q ON q.document_id = d.id WHERE d.id = $id")" "quarantined quarantined 3"

# 7. A file changed after it was queued: queued again under its new hash, never stored under
# the old one.
printf 'Original bytes.\n\nFirst version.\n' >"$TMP/changing.txt"
id=$(q "INSERT INTO documents (sha256, source, name, bytes) VALUES (repeat('c', 64), '$TMP/changing.txt', 'changing.txt', 10) RETURNING id" | head -n 1)
q "INSERT INTO work_queue (document_id, path) VALUES ($id, '$TMP/changing.txt')" >/dev/null
timeout 120 "$DOSSIER_BIN" --db "$DSN" run "$TMP/empty" >"$TMP/out8.txt" 2>&1 || true
expect "old identity not loaded" "$(q "SELECT status || ' ' || error_code FROM documents WHERE id = $id")" "failed CHANGED"
expect "old identity holds no chunk" "$(q "SELECT count(*) FROM chunks WHERE document_id = $id")" 0
expect "new bytes loaded under their own hash" "$(q "SELECT count(*) FROM documents WHERE name = 'changing.txt' AND status = 'loaded' AND sha256 = '$(sha256sum "$TMP/changing.txt" | cut -c1-64)'")" 1
finish
