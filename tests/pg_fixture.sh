#!/bin/sh
# pg_fixture.sh start|stop DIR - a throwaway PostgreSQL cluster for the test run (ctest
# fixture "pg"): Unix socket in DIR/run, database dossier_test, superuser "dossier", trust
# authentication, no TCP. As root, the server runs under the postgres account.
set -eu
cmd=$1
dir=$2
bindir=${DOSSIER_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
    if [ -f "$dir/data/postmaster.pid" ]; then as_server "$bindir/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir/run"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; fi
    as_server "$bindir/initdb" -D "$dir/data" -U dossier --auth=trust -E UTF8 --no-locale --no-instructions >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log"; exit 1; }
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir/run' -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/postgres.log"; exit 1; }
    psql -X -q -h "$dir/run" -U dossier -d postgres -c "CREATE DATABASE dossier_test" >/dev/null
    echo "test cluster running in $dir"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then as_server "$bindir/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null; fi
    echo "test cluster stopped"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
