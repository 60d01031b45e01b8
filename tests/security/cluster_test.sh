#!/bin/sh
# cluster_test.sh - the private cluster is reachable only by the account running dossier (and
# the server's account): with a db.pgdata long enough to move the socket to /tmp, another local
# account can neither enter the socket folder nor log in (no trust authentication), and a
# cluster left in the old state (socket folder 0755, trust) is repaired by `db start`.
# Needs root (to make the second account); skipped (exit 77) otherwise.
. "$(dirname "$0")/common.sh"
unset PGHOST PGDATABASE PGUSER PGPORT DOSSIER_DB DOSSIER_CONFIG
[ "$(id -u)" = 0 ] || { echo "skipped: needs root to create a second account"; exit 77; }
who=$(attacker_account)
[ -n "$who" ] || { echo "skipped: no second account"; exit 77; }
bindir=${DOSSIER_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
base=$DS_BINARY_DIR/testtmp/sec_cluster
root=$base/a-folder-name-long-enough-that-the-unix-socket-path-no-longer-fits-in-sun-path/pg
cfg=$base/dossier.yaml
stop_cluster() {
    [ -f "$root/data/postmaster.pid" ] && runuser -u postgres -- "$bindir/pg_ctl" -D "$root/data" stop -m immediate -w >/dev/null 2>&1
    return 0
}
[ -d "$root" ] && stop_cluster
rm -rf "$base"
mkdir -p "$base"
chmod 755 "$base"
printf 'db:\n  pgdata: %s\n' "$root" >"$cfg"
trap stop_cluster EXIT

timeout 120 "$DOSSIER_BIN" -c "$cfg" db start || fail "db start"
sock=$(timeout 30 "$DOSSIER_BIN" -c "$cfg" db status | sed -n 's/^socket: *\([^ ]*\).*/\1/p')
case $sock in /tmp/dossier-pg-*) echo "ok: socket moved to $sock";; *) fail "socket folder: '$sock'";; esac
expect "socket folder mode" "$(stat -c %a "$sock")" 700
expect "socket folder owner" "$(stat -c %U "$sock")" postgres
expect "owner can connect" "$(timeout 30 psql -X -At -h "$sock" -U dossier -d dossier -c 'SELECT 1' 2>&1)" 1
if timeout 30 runuser -u "$who" -- psql -X -At -h "$sock" -U dossier -d dossier -c 'SELECT 1' >/dev/null 2>&1; then
    fail "another local account connected as dossier"
else
    echo "ok: another local account is refused"
fi
grep -q trust "$root/data/pg_hba.conf" && fail "pg_hba.conf still mentions trust"

# An existing cluster in the old state: folder 0755, trust for everyone. `db start` repairs it.
printf 'local all all trust\n' >"$root/data/pg_hba.conf"
chmod 755 "$sock"
runuser -u postgres -- "$bindir/pg_ctl" -D "$root/data" reload >/dev/null
sleep 1
timeout 30 runuser -u "$who" -- psql -X -At -h "$sock" -U dossier -d dossier -c 'SELECT 1' >/dev/null 2>&1 \
    && echo "ok: the old state was open (attack reproduced)"
timeout 120 "$DOSSIER_BIN" -c "$cfg" db start || fail "db start on an existing cluster"
sleep 1
expect "repaired socket folder mode" "$(stat -c %a "$sock")" 700
if timeout 30 runuser -u "$who" -- psql -X -At -h "$sock" -U dossier -d dossier -c 'SELECT 1' >/dev/null 2>&1; then
    fail "another local account still connects after db start"
else
    echo "ok: existing cluster closed by db start"
fi
expect "owner still connects" "$(timeout 30 psql -X -At -h "$sock" -U dossier -d dossier -c 'SELECT 1' 2>&1)" 1

# A socket folder made in advance by another account is refused, not used.
timeout 60 "$DOSSIER_BIN" -c "$cfg" db stop >/dev/null 2>&1 || true
rm -rf "$sock"
mkdir "$sock" && chown "$who" "$sock" && chmod 777 "$sock"
if timeout 60 "$DOSSIER_BIN" -c "$cfg" db start >"$base/out.txt" 2>&1; then
    fail "db start used a socket folder owned by another account"
else
    grep -q "not a folder owned by this account" "$base/out.txt" && echo "ok: planted socket folder refused" \
        || { cat "$base/out.txt"; fail "planted folder: unclear error"; }
fi
rm -rf "$sock"
finish
