#!/bin/sh
# roles_test.sh - the audit trail cannot be forged through the pipeline's own database session.
# On a throwaway private cluster: the schema's objects belong to dossier_owner (not superuser,
# no login); the pipeline logs in as dossier_pipeline, which is not superuser, owns nothing and
# is a member of dossier_writer only, and as it UPDATE of an alert's status, INSERT into the
# audit, ALTER TABLE ... DISABLE TRIGGER, SET ROLE to the owner and the replica trick all fail;
# a real run and a worker work as it; a reviewer cannot move a confirmed alert back to open;
# audit rows come only from set_alert_status and their chain holds; doctor's roles line says
# all this. Then the same database is rebuilt the way an older dossier left it (the previous
# migrations run by the bootstrap superuser, who then owned everything and was the pipeline's
# login; pg_ident without the pipeline's role) and brought up to date by `db migrate`, and
# once more by `db start`, and passes the same checks with its old audit row still chained.
. "$(dirname "$0")/common.sh"
: "${DS_SOURCE_DIR:?}"
unset PGHOST PGHOSTADDR PGDATABASE PGSERVICE PGUSER PGPORT DOSSIER_DB_DSN DOSSIER_CONFIG
base=$DS_BINARY_DIR/testtmp/sec_roles
root=$base/pg
cfg=$base/dossier.yaml
D() { timeout 120 "$DOSSIER_BIN" -c "$cfg" "$@"; }
[ -f "$root/data/postmaster.pid" ] && D db stop >/dev/null 2>&1
rm -rf "$base"
mkdir -p "$base/inbox"
chmod 755 "$base" # the server's account (postgres, when this runs as root) must reach pg/
printf 'db:\n  pgdata: %s\n' "$root" >"$cfg"
trap 'D db stop >/dev/null 2>&1 || true' EXIT

D db start >"$base/start.txt" 2>&1 || { cat "$base/start.txt"; fail "db start"; finish; }
grep -q "the pipeline logs in as dossier_pipeline" "$base/start.txt" || fail "db start does not say the roles"
sock=$(D db status | sed -n 's/^socket: *\([^ ]*\).*/\1/p')
[ -n "$sock" ] || { fail "no socket in db status"; finish; }

# psql as the administrator (the bootstrap superuser), as the pipeline, or as another role
# through the administrator's SET SESSION AUTHORIZATION (session_user becomes that role).
sql() { user=$1 db=$2; shift 2
    PGOPTIONS="-c client_min_messages=error" timeout 30 psql -X -At -q -v ON_ERROR_STOP=1 -h "$sock" -U "$user" -d "$db" -c "$1" 2>&1; }
admin() { sql dossier dossier "$1"; }
pipe() { sql dossier_pipeline dossier "$1"; }
as_role() { sql dossier dossier "SET SESSION AUTHORIZATION $1; $2"; }
denied() { # denied WHAT OUTPUT-OF-A-COMMAND-THAT-MUST-FAIL (its status in $?)
    case $2 in *"permission denied"*|*"must be owner"*|*"only through set_alert_status"*|*"only by set_alert_status"*)
        echo "ok: $1";;
    *) fail "$1: not refused as it should be: $2";; esac
}

# checks TAG: the role split holds on the cluster as it is now.
checks() {
    tag=$1
    expect "$tag: pipeline session role" "$(pipe "SELECT session_user || ' ' || current_user")" "dossier_pipeline dossier_pipeline"
    expect "$tag: pipeline is not superuser" "$(pipe "SELECT rolsuper FROM pg_roles WHERE rolname = session_user")" f
    expect "$tag: pipeline owns no table, view or sequence" "$(pipe "SELECT count(*) FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND pg_has_role(session_user, relowner, 'MEMBER')")" 0
    expect "$tag: pipeline owns no function" "$(pipe "SELECT count(*) FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace AND pg_has_role(session_user, proowner, 'MEMBER')")" 0
    expect "$tag: pipeline's memberships" "$(admin "SELECT string_agg(g.rolname, ',') FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = 'dossier_pipeline'::regrole")" dossier_writer
    expect "$tag: pipeline's attributes (super, createrole, createdb, login)" "$(admin "SELECT concat_ws(',', rolsuper,
        rolcreaterole, rolcreatedb, rolcanlogin) FROM pg_roles WHERE rolname = 'dossier_pipeline'")" "f,f,f,t"
    expect "$tag: owner is neither superuser nor a login" "$(admin "SELECT concat_ws(',', rolsuper, rolcanlogin)
        FROM pg_roles WHERE rolname = 'dossier_owner'")" "f,f"
    expect "$tag: every relation owned by dossier_owner" "$(admin "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',')
        FROM pg_class WHERE relnamespace = 'public'::regnamespace")" dossier_owner
    expect "$tag: every function owned by dossier_owner" "$(admin "SELECT string_agg(DISTINCT pg_get_userbyid(proowner), ',')
        FROM pg_proc WHERE pronamespace = 'public'::regnamespace")" dossier_owner

    # An alert as the pipeline writes one, then every way around set_alert_status.
    pipe "INSERT INTO documents (sha256, source, name, bytes) VALUES (encode(sha256(convert_to('$tag', 'UTF8')), 'hex'), '/in/$tag.txt', '$tag.txt', 1)" >/dev/null \
        || fail "$tag: the pipeline cannot insert a document"
    pipe "INSERT INTO aml_alerts (dedup_key, kind, document_id, subject, source_extractor)
          SELECT 'k-$tag', 'red_flag', id, 'nominee', 'test' FROM documents WHERE name = '$tag.txt'" >/dev/null \
        || fail "$tag: the pipeline cannot insert an alert"
    a=$(pipe "SELECT id FROM aml_alerts WHERE dedup_key = 'k-$tag'")
    audit0=$(admin "SELECT count(*) FROM aml_alert_audit")
    out=$(pipe "UPDATE aml_alerts SET status = 'dismissed' WHERE id = $a") && fail "$tag: pipeline changed a status" \
        || denied "$tag: pipeline cannot UPDATE an alert's status" "$out"
    out=$(pipe "INSERT INTO aml_alerts (dedup_key, kind, document_id, subject, source_extractor, status)
          SELECT 'k2-$tag', 'red_flag', id, 'x', 'test', 'dismissed' FROM documents WHERE name = '$tag.txt'") \
        && fail "$tag: pipeline inserted a decided alert" || denied "$tag: pipeline cannot insert an alert already decided" "$out"
    out=$(pipe "INSERT INTO aml_alert_audit (alert_id, changed_by, changed_at, from_status, to_status, note)
          VALUES ($a, 'someone', '2001-01-01', 'open', 'dismissed', 'forged')") && fail "$tag: pipeline wrote an audit row" \
        || denied "$tag: pipeline cannot INSERT INTO aml_alert_audit" "$out"
    out=$(pipe "ALTER TABLE aml_alert_audit DISABLE TRIGGER aml_alert_audit_no_change") && fail "$tag: pipeline disabled a trigger" \
        || denied "$tag: pipeline cannot disable the audit trigger" "$out"
    out=$(pipe "ALTER TABLE aml_alerts DISABLE TRIGGER aml_alerts_status_guard") && fail "$tag: pipeline disabled the guard" \
        || denied "$tag: pipeline cannot disable the status guard" "$out"
    out=$(pipe "SET ROLE dossier_owner") && fail "$tag: pipeline became the owner" \
        || denied "$tag: pipeline cannot SET ROLE dossier_owner" "$out"
    out=$(pipe "SET session_replication_role = replica") && fail "$tag: pipeline turned triggers off" \
        || denied "$tag: pipeline cannot set session_replication_role" "$out"
    out=$(pipe "SELECT set_alert_status($a, 'dismissed', 'x')") && fail "$tag: pipeline called set_alert_status" \
        || denied "$tag: pipeline cannot call set_alert_status" "$out"
    out=$(pipe "INSERT INTO alert_status_transitions VALUES ('confirmed', 'open')") && fail "$tag: pipeline edited the state machine" \
        || denied "$tag: pipeline cannot edit the state machine" "$out"
    out=$(pipe "DELETE FROM aml_alert_audit") && fail "$tag: pipeline deleted audit rows" \
        || denied "$tag: pipeline cannot delete audit rows" "$out"

    # A reviewer: only through set_alert_status, and confirmed is final.
    admin "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 't_sec_roles_rev') THEN
           CREATE ROLE t_sec_roles_rev NOLOGIN; END IF; END \$\$; GRANT dossier_reviewer TO t_sec_roles_rev" >/dev/null
    out=$(as_role t_sec_roles_rev "UPDATE aml_alerts SET status = 'dismissed' WHERE id = $a") \
        && fail "$tag: reviewer updated an alert" || denied "$tag: reviewer cannot UPDATE an alert" "$out"
    as_role t_sec_roles_rev "SELECT set_alert_status($a, 'under_review', 'looking')" >/dev/null || fail "$tag: review 1"
    as_role t_sec_roles_rev "SELECT set_alert_status($a, 'confirmed', 'true match')" >/dev/null || fail "$tag: review 2"
    out=$(as_role t_sec_roles_rev "SELECT set_alert_status($a, 'open', 'undo')") && fail "$tag: confirmed alert reopened" \
        || case $out in *"cannot go from confirmed to open"*) echo "ok: $tag: confirmed is final";; *) fail "$tag: final: $out";; esac
    expect "$tag: status" "$(admin "SELECT status FROM aml_alerts WHERE id = $a")" confirmed
    expect "$tag: audit rows only from the function" "$(admin "SELECT count(*) - $audit0 FROM aml_alert_audit")" 2
    expect "$tag: audit rows name the reviewer, at the transaction time" "$(admin "SELECT count(*) FROM aml_alert_audit
        WHERE alert_id = $a AND changed_by = 't_sec_roles_rev' AND changed_at > now() - interval '5 minutes'")" 2
    expect "$tag: chain verified" "$(admin "SELECT count(*) FROM aml_alert_audit_verify()")" 0

    # The pipeline's own commands log in as dossier_pipeline and work with its privileges.
    printf 'Robert said the "shell company" was fine.\n' >"$base/inbox/$tag.txt"
    D run "$base/inbox/$tag.txt" >"$base/run-$tag.txt" 2>&1 || { cat "$base/run-$tag.txt"; fail "$tag: run as the pipeline"; }
    expect "$tag: run loaded the document" "$(admin "SELECT status FROM documents WHERE name = '$tag.txt' AND source LIKE '$base/%'")" loaded
    expect "$tag: run raised its red flag" "$(admin "SELECT count(*) FROM aml_alerts a JOIN documents d ON d.id = a.document_id
        WHERE d.source = '$base/inbox/$tag.txt' AND a.evidence->>'rule' = 'RF-SHELL'")" 1
    # Started directly, not through D: $! must be the worker itself, or the kill below would
    # end only a subshell and leave the worker polling into the next phase's run.
    "$DOSSIER_BIN" -c "$cfg" worker --idle-wait 20 >"$base/worker-$tag.txt" 2>&1 &
    wpid=$!
    who=""
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
        who=$(admin "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = 'dossier'
                     AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND usename <> 'dossier'")
        [ -n "$who" ] && break
        sleep 1
    done
    expect "$tag: a worker logs in as" "$who" dossier_pipeline
    kill "$wpid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
    kill -0 "$wpid" 2>/dev/null && fail "$tag: the worker outlived its kill"

    D doctor >"$base/doctor-$tag.txt" 2>&1 || true
    grep -q '\[ ok \] roles *objects owned by dossier_owner; the pipeline logs in as dossier_pipeline' "$base/doctor-$tag.txt" \
        && echo "ok: $tag: doctor's roles line" || { cat "$base/doctor-$tag.txt"; fail "$tag: doctor's roles line"; }
    grep -q '\[ ok \] audit .*intact' "$base/doctor-$tag.txt" || fail "$tag: doctor: audit chain"
}

# make_old: the database as an older dossier left it. The bootstrap superuser ran migrations
# 0001-0020 and owns everything; there is no dossier_owner or dossier_pipeline; pg_ident.conf
# lets this account log in as dossier only. One alert changed through set_alert_status then.
make_old() {
    sql dossier postgres "DROP DATABASE dossier WITH (FORCE)" >/dev/null || fail "drop database"
    sql dossier postgres "DROP ROLE IF EXISTS dossier_pipeline, dossier_owner, dossier_reviewer, dossier_reader, dossier_writer" \
        >/dev/null || fail "drop roles"
    sql dossier postgres "CREATE DATABASE dossier ENCODING 'UTF8' TEMPLATE template0" >/dev/null || fail "create database"
    admin "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())" >/dev/null
    for f in "$DS_SOURCE_DIR"/sql/[0-9]*.sql; do
        name=$(basename "$f")
        n=$(printf '%s' "$name" | sed 's/^0*//; s/_.*//')
        [ "$n" -lt 21 ] || continue
        PGOPTIONS="-c client_min_messages=error" timeout 60 psql -X -q -1 -v ON_ERROR_STOP=1 -h "$sock" -U dossier -d dossier \
            -f "$f" >/dev/null 2>"$base/old.err" || { cat "$base/old.err"; fail "old migration $name"; }
        admin "INSERT INTO schema_migrations (version, name) VALUES ($n, '$name')" >/dev/null
    done
    me=$(id -un)
    server=$me
    [ "$(id -u)" = 0 ] && server=postgres
    printf 'dossier %s dossier\ndossier %s dossier\n' "$me" "$server" >"$root/data/pg_ident.conf"
    admin "SELECT pg_reload_conf()" >/dev/null
    sleep 1
    admin "INSERT INTO documents (sha256, source, name, bytes) VALUES (repeat('0', 64), '/in/old.txt', 'old.txt', 1)" >/dev/null
    admin "INSERT INTO aml_alerts (dedup_key, kind, document_id, subject, source_extractor)
           SELECT 'k-old', 'red_flag', id, 'old', 'test' FROM documents WHERE name = 'old.txt'" >/dev/null
    admin "SELECT set_alert_status(id, 'under_review', 'before the upgrade') FROM aml_alerts WHERE dedup_key = 'k-old'" >/dev/null \
        || fail "old: set_alert_status"
    expect "old: the bootstrap superuser owns the audit" "$(admin "SELECT tableowner FROM pg_tables WHERE tablename = 'aml_alert_audit'")" dossier
    # The hole: the old pipeline's login owns the table, so it can lift the append-only trigger.
    admin "ALTER TABLE aml_alert_audit DISABLE TRIGGER aml_alert_audit_no_change" >/dev/null \
        && echo "ok: old: the pipeline's old login could disable the audit trigger (attack reproduced)"
    admin "ALTER TABLE aml_alert_audit ENABLE TRIGGER aml_alert_audit_no_change" >/dev/null
    out=$(pipe "SELECT 1") && fail "old: dossier_pipeline logs in before the upgrade" || echo "ok: old: no pipeline role yet"
}

checks fresh

D doctor --db "host=$sock dbname=dossier user=dossier" >"$base/doctor-super.txt" 2>&1 || true
grep -q '\[warn\] roles .*the pipeline logs in as dossier, a superuser' "$base/doctor-super.txt" \
    && echo "ok: doctor warns of a superuser login" || { cat "$base/doctor-super.txt"; fail "doctor: no superuser warning"; }

make_old
D db migrate >"$base/migrate.txt" 2>&1 || { cat "$base/migrate.txt"; fail "db migrate on an old cluster"; }
grep -q "as dossier, the private cluster's superuser" "$base/migrate.txt" || { cat "$base/migrate.txt"; fail "db migrate does not say its role"; }
expect "migrated: old audit row kept" "$(admin "SELECT count(*) FROM aml_alert_audit WHERE note = 'before the upgrade'")" 1
checks migrated

make_old
D db start >"$base/start2.txt" 2>&1 || { cat "$base/start2.txt"; fail "db start on an old cluster"; }
checks started
finish
