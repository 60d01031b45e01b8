-- 0021_role_split.sql - the schema belongs to a role nobody logs in as, and the pipeline logs in
-- as a role that owns nothing. PostgreSQL cannot deny a table's owner or a superuser (they may
-- disable triggers and rewrite the audit trail), so neither may be the pipeline's login.
--   dossier_owner     NOLOGIN, not superuser: owns every table, view, sequence, function and
--                     type of the schema. From this migration on the migrator runs each
--                     migration under SET LOCAL ROLE dossier_owner, so what later migrations
--                     create is its own; SECURITY DEFINER functions (set_alert_status) run as it.
--                     The account that applies this migration becomes a member (a superuser
--                     needs no membership), so it can migrate.
--   dossier_pipeline  the pipeline's login role: a member of dossier_writer only, not
--                     superuser, not owner, no CREATEROLE. Created here without LOGIN; the
--                     private cluster lets it log in (peer), elsewhere a DBA gives it LOGIN and a
--                     password (README, Security).
-- Every object already in the schema is re-owned to dossier_owner whoever made it (earlier
-- migrations ran as the connecting account: the private cluster's bootstrap superuser), by
-- walking the catalogue rather than naming tables. Sequences owned by a column follow their
-- table; objects belonging to an extension are left alone.
-- Also: the watchlist tables (0010, 0020) are granted to dossier_writer like the other pipeline
-- tables, and an alert is inserted only as 'open' by anyone but the owner (a new alert with a
-- decided status would be a status change without an audit row).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_owner') THEN
        CREATE ROLE dossier_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_pipeline') THEN
        CREATE ROLE dossier_pipeline NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
            IN ROLE dossier_writer;
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'dossier_owner', 'MEMBER') THEN
        EXECUTE format('GRANT dossier_owner TO %I', current_user);
    END IF;
END $$;

GRANT USAGE, CREATE ON SCHEMA public TO dossier_owner;

DO $$
DECLARE
    o record;
BEGIN
    -- Tables, views, materialised views, sequences not owned by a column, foreign tables.
    FOR o IN
        SELECT c.oid::regclass AS name, c.relkind
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> 'dossier_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i')
                                                     AND d.refclassid = 'pg_class'::regclass)))
        ORDER BY c.relkind DESC, c.oid
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO dossier_owner',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                      WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                       o.name);
    END LOOP;
    -- Functions, procedures, aggregates.
    FOR o IN
        SELECT p.oid::regprocedure AS name
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'dossier_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO dossier_owner', o.name);
    END LOOP;
    -- Types of their own (domains, enums, ranges, standalone composites); array and table row
    -- types follow theirs.
    FOR o IN
        SELECT t.oid::regtype AS name
        FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
        WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> 'dossier_owner'::regrole
          AND (t.typtype IN ('d', 'e', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO dossier_owner', o.name);
    END LOOP;
END $$;

-- The watchlist's tables are pipeline tables too.
GRANT SELECT, INSERT, UPDATE, DELETE ON fetch_rate_limits, filings, edgar_index_days, filing_documents
    TO dossier_writer;
GRANT SELECT ON filing_history TO dossier_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO dossier_writer;

-- Status changes (and alerts born with a decided status) only from the owner's functions.
CREATE OR REPLACE FUNCTION aml_alerts_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF ((TG_OP = 'INSERT' AND NEW.status <> 'open')
        OR (TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status))
       AND current_user <> (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'aml_alerts') THEN
        RAISE EXCEPTION 'an alert''s status changes only through set_alert_status' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aml_alerts_status_guard_insert BEFORE INSERT ON aml_alerts
    FOR EACH ROW EXECUTE FUNCTION aml_alerts_status_guard();
