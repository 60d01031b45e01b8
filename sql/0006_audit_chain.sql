-- 0006_audit_chain.sql - a tamper-evident alert audit trail, alert status as a documented state
-- machine, and narrower roles.
--   * aml_alert_audit rows are chained: a BEFORE INSERT trigger fills changed_by (session_user),
--     changed_at (the transaction time), chain_pos, prev_hash and row_hash = SHA-256 of the
--     previous row's hash and this row's fields. Any function that writes audit rows is chained.
--     aml_alert_audit_verify() walks the chain and returns the first break (no rows: intact);
--     `dossier doctor` runs it. Rows already there are chained in id order here.
--   * Only the owner of the tables (the SECURITY DEFINER functions run as it) may write audit
--     rows or change aml_alerts.status; dossier_writer loses INSERT on the audit and EXECUTE on
--     set_alert_status.
--   * set_alert_status follows alert_status_transitions; an unknown status is refused with a HINT
--     listing the valid ones; confirmed is final.
--   * dossier_reader no longer reads the fatf_jurisdictions base table (the _current view stays).

CREATE TABLE alert_status_transitions (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO alert_status_transitions (from_status, to_status) VALUES
    ('open', 'under_review'), ('open', 'escalated'), ('open', 'dismissed'),
    ('under_review', 'open'), ('under_review', 'escalated'), ('under_review', 'dismissed'),
    ('under_review', 'confirmed'),
    ('escalated', 'under_review'), ('escalated', 'dismissed'), ('escalated', 'confirmed'),
    ('dismissed', 'open');
COMMENT ON TABLE alert_status_transitions IS 'The alert review state machine: each allowed status change (confirmed is final; a dismissed alert may be reopened).';
COMMENT ON COLUMN alert_status_transitions.from_status IS 'Status before.';
COMMENT ON COLUMN alert_status_transitions.to_status IS 'Status after.';
GRANT SELECT ON alert_status_transitions TO dossier_reader, dossier_writer;

ALTER TABLE aml_alert_audit ADD COLUMN chain_pos bigint, ADD COLUMN prev_hash text, ADD COLUMN row_hash text;
COMMENT ON COLUMN aml_alert_audit.chain_pos IS 'Position in the hash chain (1, 2, ...), set by the insert trigger.';
COMMENT ON COLUMN aml_alert_audit.prev_hash IS 'row_hash of the row before in the chain (empty for the first).';
COMMENT ON COLUMN aml_alert_audit.row_hash IS 'SHA-256 (hex) of prev_hash and this row''s fields; see aml_alert_audit_hash.';

CREATE FUNCTION aml_alert_audit_hash(a aml_alert_audit) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT encode(sha256(convert_to(concat_ws(chr(31), a.prev_hash, a.chain_pos::text, a.id::text,
        a.alert_id::text, extract(epoch FROM a.changed_at)::text, a.changed_by, coalesce(host(a.client_addr), ''),
        a.from_status, a.to_status, a.note), 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION aml_alert_audit_hash(aml_alert_audit) IS 'Hash of one audit row chained to prev_hash.';

-- Chain the rows already there, in id order (the append-only trigger is lifted for this only).
ALTER TABLE aml_alert_audit DISABLE TRIGGER aml_alert_audit_no_change;
DO $$
DECLARE
    r aml_alert_audit;
    prev text := '';
    pos bigint := 0;
BEGIN
    FOR r IN SELECT * FROM aml_alert_audit ORDER BY id LOOP
        pos := pos + 1;
        r.chain_pos := pos;
        r.prev_hash := prev;
        prev := aml_alert_audit_hash(r);
        UPDATE aml_alert_audit SET chain_pos = pos, prev_hash = r.prev_hash, row_hash = prev WHERE id = r.id;
    END LOOP;
END $$;
ALTER TABLE aml_alert_audit ENABLE TRIGGER aml_alert_audit_no_change;
ALTER TABLE aml_alert_audit ALTER COLUMN chain_pos SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN row_hash SET NOT NULL, ADD CONSTRAINT aml_alert_audit_chain_pos UNIQUE (chain_pos);

-- Every audit row: only through the owner's functions, who and when from the session, chained.
CREATE FUNCTION aml_alert_audit_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    last aml_alert_audit;
BEGIN
    IF current_user <> (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'aml_alert_audit') THEN
        RAISE EXCEPTION 'audit rows are written only by set_alert_status' USING ERRCODE = '42501';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('dossier.aml_alert_audit.chain'));
    NEW.changed_by := session_user;
    NEW.changed_at := transaction_timestamp();
    NEW.client_addr := inet_client_addr();
    SELECT * INTO last FROM aml_alert_audit ORDER BY chain_pos DESC LIMIT 1;
    NEW.chain_pos := coalesce(last.chain_pos, 0) + 1;
    NEW.prev_hash := coalesce(last.row_hash, '');
    NEW.row_hash := aml_alert_audit_hash(NEW);
    RETURN NEW;
END $$;
CREATE TRIGGER aml_alert_audit_chain BEFORE INSERT ON aml_alert_audit
    FOR EACH ROW EXECUTE FUNCTION aml_alert_audit_chain();

-- The first break of the chain: no rows when the trail is intact.
CREATE FUNCTION aml_alert_audit_verify() RETURNS TABLE (chain_pos bigint, audit_id bigint, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r aml_alert_audit;
    prev text := '';
    pos bigint := 0;
BEGIN
    FOR r IN SELECT * FROM aml_alert_audit a ORDER BY a.chain_pos LOOP
        pos := pos + 1;
        IF r.chain_pos <> pos THEN
            RETURN QUERY SELECT pos, r.id, format('row at position %s is missing (next is %s)', pos, r.chain_pos);
            RETURN;
        ELSIF r.prev_hash <> prev THEN
            RETURN QUERY SELECT pos, r.id, 'prev_hash does not match the row before';
            RETURN;
        ELSIF r.row_hash <> aml_alert_audit_hash(r) THEN
            RETURN QUERY SELECT pos, r.id, 'row_hash does not match the row''s contents (row altered)';
            RETURN;
        END IF;
        prev := r.row_hash;
    END LOOP;
END $$;
COMMENT ON FUNCTION aml_alert_audit_verify() IS 'Checks the audit hash chain; returns the first break (position, audit row, what), no rows when intact.';
REVOKE ALL ON FUNCTION aml_alert_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION aml_alert_audit_verify() TO dossier_reader, dossier_writer;

-- Status changes only from the owner's functions.
CREATE FUNCTION aml_alerts_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND current_user <> (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'aml_alerts') THEN
        RAISE EXCEPTION 'an alert''s status changes only through set_alert_status' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aml_alerts_status_guard BEFORE UPDATE ON aml_alerts
    FOR EACH ROW EXECUTE FUNCTION aml_alerts_status_guard();

CREATE OR REPLACE FUNCTION set_alert_status(p_alert_id bigint, p_status text, p_note text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_status text;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('open', 'under_review', 'escalated', 'dismissed', 'confirmed') THEN
        RAISE EXCEPTION 'unknown alert status %', p_status USING ERRCODE = '22023',
            HINT = 'valid statuses: open, under_review, escalated, dismissed, confirmed';
    END IF;
    IF p_note IS NULL OR length(btrim(p_note)) = 0 THEN
        RAISE EXCEPTION 'a note is required to change an alert status' USING ERRCODE = '22023';
    END IF;
    SELECT status INTO old_status FROM aml_alerts WHERE id = p_alert_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no alert %', p_alert_id USING ERRCODE = 'P0002';
    END IF;
    IF old_status = p_status THEN
        RAISE EXCEPTION 'alert % is already %', p_alert_id, p_status USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM alert_status_transitions t WHERE t.from_status = old_status AND t.to_status = p_status) THEN
        RAISE EXCEPTION 'alert % cannot go from % to %', p_alert_id, old_status, p_status USING ERRCODE = '22023',
            HINT = coalesce('from ' || old_status || ': ' || (SELECT string_agg(to_status, ', ' ORDER BY to_status)
                FROM alert_status_transitions WHERE from_status = old_status), old_status || ' is final');
    END IF;
    UPDATE aml_alerts SET status = p_status, updated_at = now() WHERE id = p_alert_id;
    INSERT INTO aml_alert_audit (alert_id, from_status, to_status, note)
    VALUES (p_alert_id, old_status, p_status, p_note);
END $$;

-- The writer (the pipeline) neither writes audit rows nor changes statuses.
REVOKE INSERT ON aml_alert_audit FROM dossier_writer;
REVOKE EXECUTE ON FUNCTION set_alert_status(bigint, text, text) FROM dossier_writer;
REVOKE SELECT ON fatf_jurisdictions FROM dossier_reader;
