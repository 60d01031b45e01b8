-- 0022_aml_cases.sql - sanctions alerts grouped into cases, review status on the case, and what
-- re-screening needs to know.
--   * aml_cases: one case per list entry (its source and identifier on the list, the same in every
--     version of the list) and scope: the company of the document, or the document itself when it
--     has no company. The sanctions alerts are the case's mentions (aml_alerts.case_id). A BEFORE
--     INSERT trigger on aml_alerts (aml_alerts_case) files each new sanctions alert into its case,
--     opening the case when there is none, and drops an alert whose document already has a
--     mention in that case (a second alias of the entry, the same document screened again): so
--     a mention seen again never reopens a case nor duplicates an alert, while a new list entry
--     or a new company opens a new case.
--   * Review status lives on the case: set_case_status() (SECURITY DEFINER) follows
--     case_status_transitions (confirmed is final) and writes aml_case_audit, hash-chained like
--     aml_alert_audit (sql/0006_audit_chain.sql): changed_by is session_user, changed_at the
--     transaction time, and aml_case_audit_verify() returns the first break (`dossier doctor`
--     runs it). set_alert_status refuses an alert held by a case and names the case.
--   * The writer role reads cases and their audit but cannot insert, update or delete either;
--     only the owner's functions change a case's status or an alert's case.
--   * documents.screened_lists: the active list versions a document's text was last screened
--     against; `dossier lists rescreen` screens the documents whose set differs from today's.
--   * Existing sanctions alerts are filed into cases here; a case takes the most advanced status
--     of its alerts (confirmed, escalated, under_review, open, then dismissed: a case is
--     dismissed only when all its alerts were), recorded as its first audit row.
--   * Review views: review_cases, review_open_cases (open cases with each mention),
--     review_case_history; review_alert_context and review_open_alerts show a held alert with its
--     case's status and the case id.

CREATE TABLE aml_cases (
    id           bigserial PRIMARY KEY,
    case_key     text NOT NULL UNIQUE,
    entry_key    text NOT NULL,
    list_source  text,
    entry_ext_id text,
    entry_id     bigint REFERENCES sanctions_entries (id) ON DELETE SET NULL,
    entry_name   text,
    entry_type   text,
    company_id   bigint REFERENCES companies (id) ON DELETE SET NULL,
    document_id  bigint REFERENCES documents (id) ON DELETE SET NULL,
    status       text NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'under_review', 'escalated', 'dismissed', 'confirmed')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX aml_cases_open ON aml_cases (status, created_at) WHERE status IN ('open', 'under_review', 'escalated');
CREATE INDEX aml_cases_company ON aml_cases (company_id);
COMMENT ON TABLE aml_cases IS 'Sanctions cases: one per list entry and company (or document without company); the sanctions alerts are its mentions and its status is their review status.';
COMMENT ON COLUMN aml_cases.id IS 'Case identifier (pass it to set_case_status).';
COMMENT ON COLUMN aml_cases.case_key IS 'entry_key, "@", then "company:<id>" or "document:<id>": the case''s identity.';
COMMENT ON COLUMN aml_cases.entry_key IS 'The list entry as "<list source>:<identifier on the list>", the same in every version of the list.';
COMMENT ON COLUMN aml_cases.list_source IS 'List of the entry: ofac_sdn, ofac_consolidated, eu_consolidated, un_consolidated.';
COMMENT ON COLUMN aml_cases.entry_ext_id IS 'Identifier of the entry on its list (OFAC ent_num, EU logicalId, UN DATAID).';
COMMENT ON COLUMN aml_cases.entry_id IS 'The entry row matched when the case was opened (NULL once that list version is deleted).';
COMMENT ON COLUMN aml_cases.entry_name IS 'Primary name of the entry when the case was opened.';
COMMENT ON COLUMN aml_cases.entry_type IS 'individual, entity, vessel or aircraft.';
COMMENT ON COLUMN aml_cases.company_id IS 'Company whose documents mention the entry; NULL for a document without company.';
COMMENT ON COLUMN aml_cases.document_id IS 'The document, when the case is one document''s (it has no company); NULL otherwise.';
COMMENT ON COLUMN aml_cases.status IS 'Review state; changed only through set_case_status.';
COMMENT ON COLUMN aml_cases.created_at IS 'When the case was opened.';
COMMENT ON COLUMN aml_cases.updated_at IS 'Last status change.';

ALTER TABLE aml_alerts ADD COLUMN case_id bigint REFERENCES aml_cases (id);
CREATE INDEX aml_alerts_case ON aml_alerts (case_id);
COMMENT ON COLUMN aml_alerts.case_id IS 'Case holding this sanctions alert (a mention of its entry); NULL for other kinds. Set by the insert trigger only.';

ALTER TABLE documents ADD COLUMN screened_lists bigint[];
COMMENT ON COLUMN documents.screened_lists IS 'Ids of the active sanctions list versions the text was last screened against (sorted); NULL: not recorded.';

CREATE TABLE case_status_transitions (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO case_status_transitions (from_status, to_status) VALUES
    ('open', 'under_review'), ('open', 'escalated'), ('open', 'dismissed'),
    ('under_review', 'open'), ('under_review', 'escalated'), ('under_review', 'dismissed'),
    ('under_review', 'confirmed'),
    ('escalated', 'under_review'), ('escalated', 'dismissed'), ('escalated', 'confirmed'),
    ('dismissed', 'open');
COMMENT ON TABLE case_status_transitions IS 'The case review state machine: each allowed status change (confirmed is final; a dismissed case may be reopened by a reviewer, never by a new mention).';
COMMENT ON COLUMN case_status_transitions.from_status IS 'Status before.';
COMMENT ON COLUMN case_status_transitions.to_status IS 'Status after.';

-- The case audit trail: append-only, hash-chained as aml_alert_audit is.
CREATE TABLE aml_case_audit (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES aml_cases (id),
    changed_at  timestamptz NOT NULL,
    changed_by  text NOT NULL,
    client_addr inet,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    note        text NOT NULL,
    chain_pos   bigint NOT NULL UNIQUE,
    prev_hash   text NOT NULL,
    row_hash    text NOT NULL
);
CREATE INDEX aml_case_audit_case ON aml_case_audit (case_id);
COMMENT ON TABLE aml_case_audit IS 'Append-only, hash-chained trail of case status changes: who, when, from where, from and to which status, and why.';
COMMENT ON COLUMN aml_case_audit.id IS 'Audit row identifier.';
COMMENT ON COLUMN aml_case_audit.case_id IS 'Case changed.';
COMMENT ON COLUMN aml_case_audit.changed_at IS 'When (the transaction time, set by the insert trigger).';
COMMENT ON COLUMN aml_case_audit.changed_by IS 'Database user who made the change (session_user, set by the insert trigger).';
COMMENT ON COLUMN aml_case_audit.client_addr IS 'Client address of that session (NULL over a Unix socket).';
COMMENT ON COLUMN aml_case_audit.from_status IS 'Status before.';
COMMENT ON COLUMN aml_case_audit.to_status IS 'Status after.';
COMMENT ON COLUMN aml_case_audit.note IS 'Reviewer''s note.';
COMMENT ON COLUMN aml_case_audit.chain_pos IS 'Position in the hash chain (1, 2, ...), set by the insert trigger.';
COMMENT ON COLUMN aml_case_audit.prev_hash IS 'row_hash of the row before in the chain (empty for the first).';
COMMENT ON COLUMN aml_case_audit.row_hash IS 'SHA-256 (hex) of prev_hash and this row''s fields; see aml_case_audit_hash.';

CREATE FUNCTION aml_case_audit_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'aml_case_audit is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER aml_case_audit_no_change BEFORE UPDATE OR DELETE ON aml_case_audit
    FOR EACH ROW EXECUTE FUNCTION aml_case_audit_append_only();
CREATE TRIGGER aml_case_audit_no_truncate BEFORE TRUNCATE ON aml_case_audit
    FOR EACH STATEMENT EXECUTE FUNCTION aml_case_audit_append_only();

CREATE FUNCTION aml_case_audit_hash(a aml_case_audit) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT encode(sha256(convert_to(concat_ws(chr(31), a.prev_hash, a.chain_pos::text, a.id::text,
        a.case_id::text, extract(epoch FROM a.changed_at)::text, a.changed_by, coalesce(host(a.client_addr), ''),
        a.from_status, a.to_status, a.note), 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION aml_case_audit_hash(aml_case_audit) IS 'Hash of one case audit row chained to prev_hash.';

CREATE FUNCTION aml_case_audit_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    last aml_case_audit;
BEGIN
    IF current_user <> (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'aml_case_audit') THEN
        RAISE EXCEPTION 'case audit rows are written only by set_case_status' USING ERRCODE = '42501';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('dossier.aml_case_audit.chain'));
    NEW.changed_by := session_user;
    NEW.changed_at := transaction_timestamp();
    NEW.client_addr := inet_client_addr();
    SELECT * INTO last FROM aml_case_audit ORDER BY chain_pos DESC LIMIT 1;
    NEW.chain_pos := coalesce(last.chain_pos, 0) + 1;
    NEW.prev_hash := coalesce(last.row_hash, '');
    NEW.row_hash := aml_case_audit_hash(NEW);
    RETURN NEW;
END $$;
CREATE TRIGGER aml_case_audit_chain BEFORE INSERT ON aml_case_audit
    FOR EACH ROW EXECUTE FUNCTION aml_case_audit_chain();

CREATE FUNCTION aml_case_audit_verify() RETURNS TABLE (chain_pos bigint, audit_id bigint, problem text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r aml_case_audit;
    prev text := '';
    pos bigint := 0;
BEGIN
    FOR r IN SELECT * FROM aml_case_audit a ORDER BY a.chain_pos LOOP
        pos := pos + 1;
        IF r.chain_pos <> pos THEN
            RETURN QUERY SELECT pos, r.id, format('row at position %s is missing (next is %s)', pos, r.chain_pos);
            RETURN;
        ELSIF r.prev_hash <> prev THEN
            RETURN QUERY SELECT pos, r.id, 'prev_hash does not match the row before';
            RETURN;
        ELSIF r.row_hash <> aml_case_audit_hash(r) THEN
            RETURN QUERY SELECT pos, r.id, 'row_hash does not match the row''s contents (row altered)';
            RETURN;
        END IF;
        prev := r.row_hash;
    END LOOP;
END $$;
COMMENT ON FUNCTION aml_case_audit_verify() IS 'Checks the case audit hash chain; returns the first break (position, audit row, what), no rows when intact.';

-- A case's status, and an alert's case, change only from the owner's functions.
CREATE FUNCTION aml_cases_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    changed boolean := NEW.status <> 'open';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        changed := NEW.status IS DISTINCT FROM OLD.status;
    END IF;
    IF changed AND current_user <> (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'aml_cases') THEN
        RAISE EXCEPTION 'a case''s status changes only through set_case_status' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aml_cases_status_guard BEFORE INSERT OR UPDATE ON aml_cases
    FOR EACH ROW EXECUTE FUNCTION aml_cases_status_guard();

CREATE FUNCTION aml_alerts_case_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.case_id IS DISTINCT FROM OLD.case_id
       AND current_user <> (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'aml_alerts') THEN
        RAISE EXCEPTION 'an alert''s case is set only when the alert is raised' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aml_alerts_case_guard BEFORE UPDATE ON aml_alerts
    FOR EACH ROW EXECUTE FUNCTION aml_alerts_case_guard();

-- The entry identity and scope of a sanctions alert, and its case (opened when missing). Runs as
-- the owner: the writer inserts alerts but never cases.
CREATE FUNCTION aml_case_for_alert(a aml_alerts) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ekey text;
    src text;
    ext text;
    eid bigint;
    ename text;
    etype text;
    ckey text;
    cid bigint;
BEGIN
    SELECT l.source, e.ext_id, e.id, e.name, e.entry_type INTO src, ext, eid, ename, etype
    FROM sanctions_entries e JOIN sanctions_lists l ON l.id = e.list_id WHERE e.id = a.matched_entry_id;
    IF FOUND THEN
        ekey := src || ':' || ext;
    ELSE -- the entry's version is gone: the identity the loader wrote at the end of the key
        ekey := nullif(substring(a.dedup_key FROM '[^|]*$'), '');
        src := nullif(split_part(ekey, ':', 1), '');
        ext := nullif(substring(ekey FROM position(':' IN ekey) + 1), '');
    END IF;
    IF ekey IS NULL THEN
        RETURN NULL;
    END IF;
    ckey := ekey || '@' || CASE WHEN a.company_id IS NOT NULL THEN 'company:' || a.company_id
                                ELSE 'document:' || a.document_id END;
    INSERT INTO aml_cases (case_key, entry_key, list_source, entry_ext_id, entry_id, entry_name, entry_type,
                           company_id, document_id, created_at)
    VALUES (ckey, ekey, src, ext, eid, coalesce(ename, a.matched_name), etype, a.company_id,
            CASE WHEN a.company_id IS NULL THEN a.document_id END, least(a.created_at, now()))
    ON CONFLICT (case_key) DO NOTHING;
    SELECT id INTO cid FROM aml_cases WHERE case_key = ckey;
    RETURN cid;
END $$;
COMMENT ON FUNCTION aml_case_for_alert(aml_alerts) IS 'The case of a sanctions alert (list entry and company, or document without company), opened when missing.';
REVOKE ALL ON FUNCTION aml_case_for_alert(aml_alerts) FROM PUBLIC;

-- Files each new sanctions alert into its case; runs as the owner (the writer cannot call
-- aml_case_for_alert itself).
CREATE FUNCTION aml_alerts_case() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    NEW.case_id := NULL;
    IF NEW.kind <> 'sanctions_match' THEN
        RETURN NEW;
    END IF;
    NEW.case_id := aml_case_for_alert(NEW);
    -- a document mentions an entry once per case: a second alert is the same mention seen again
    IF NEW.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM aml_alerts x
            WHERE x.case_id = NEW.case_id AND x.document_id = NEW.document_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aml_alerts_case BEFORE INSERT ON aml_alerts
    FOR EACH ROW EXECUTE FUNCTION aml_alerts_case();

-- The writer reads cases, their trail and the state machine, and writes none of them.
GRANT SELECT ON aml_cases, aml_case_audit, case_status_transitions TO dossier_writer;
GRANT SELECT ON case_status_transitions TO dossier_reader;

-- The one way to change a case's status.
CREATE FUNCTION set_case_status(p_case_id bigint, p_status text, p_note text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_status text;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('open', 'under_review', 'escalated', 'dismissed', 'confirmed') THEN
        RAISE EXCEPTION 'unknown case status %', p_status USING ERRCODE = '22023',
            HINT = 'valid statuses: open, under_review, escalated, dismissed, confirmed';
    END IF;
    IF p_note IS NULL OR length(btrim(p_note)) = 0 THEN
        RAISE EXCEPTION 'a note is required to change a case status' USING ERRCODE = '22023';
    END IF;
    SELECT status INTO old_status FROM aml_cases WHERE id = p_case_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no case %', p_case_id USING ERRCODE = 'P0002';
    END IF;
    IF old_status = p_status THEN
        RAISE EXCEPTION 'case % is already %', p_case_id, p_status USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM case_status_transitions t WHERE t.from_status = old_status AND t.to_status = p_status) THEN
        RAISE EXCEPTION 'case % cannot go from % to %', p_case_id, old_status, p_status USING ERRCODE = '22023',
            HINT = coalesce('from ' || old_status || ': ' || (SELECT string_agg(to_status, ', ' ORDER BY to_status)
                FROM case_status_transitions WHERE from_status = old_status), old_status || ' is final');
    END IF;
    UPDATE aml_cases SET status = p_status, updated_at = now() WHERE id = p_case_id;
    INSERT INTO aml_case_audit (case_id, from_status, to_status, note) VALUES (p_case_id, old_status, p_status, p_note);
END $$;
COMMENT ON FUNCTION set_case_status(bigint, text, text) IS 'Changes a case''s review status along case_status_transitions and writes the chained audit row (who, when, from, to, note).';
REVOKE ALL ON FUNCTION set_case_status(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION set_case_status(bigint, text, text) TO dossier_reviewer;
REVOKE ALL ON FUNCTION aml_case_audit_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION aml_case_audit_verify() TO dossier_reader, dossier_writer;

-- An alert held by a case is decided on its case.
CREATE OR REPLACE FUNCTION set_alert_status(p_alert_id bigint, p_status text, p_note text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_status text;
    held_by bigint;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('open', 'under_review', 'escalated', 'dismissed', 'confirmed') THEN
        RAISE EXCEPTION 'unknown alert status %', p_status USING ERRCODE = '22023',
            HINT = 'valid statuses: open, under_review, escalated, dismissed, confirmed';
    END IF;
    IF p_note IS NULL OR length(btrim(p_note)) = 0 THEN
        RAISE EXCEPTION 'a note is required to change an alert status' USING ERRCODE = '22023';
    END IF;
    SELECT status, case_id INTO old_status, held_by FROM aml_alerts WHERE id = p_alert_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no alert %', p_alert_id USING ERRCODE = 'P0002';
    END IF;
    IF held_by IS NOT NULL THEN
        RAISE EXCEPTION 'alert % is a mention of case %, whose status is its review status', p_alert_id, held_by
            USING ERRCODE = '22023', HINT = format('SELECT set_case_status(%s, %L, ''...'')', held_by, p_status);
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

-- Existing sanctions alerts into cases, oldest first; each case takes the most advanced status of
-- its alerts, written as its first audit row.
DO $$
DECLARE
    a aml_alerts;
BEGIN
    FOR a IN SELECT * FROM aml_alerts WHERE kind = 'sanctions_match' AND case_id IS NULL ORDER BY id LOOP
        UPDATE aml_alerts SET case_id = aml_case_for_alert(a) WHERE id = a.id;
    END LOOP;
END $$;
WITH carried AS (
    SELECT c.id, (array_agg(a.status ORDER BY array_position(
               ARRAY['confirmed', 'escalated', 'under_review', 'open', 'dismissed'], a.status)))[1] AS status,
           string_agg(a.id::text, ', ' ORDER BY a.id) AS alerts
    FROM aml_cases c JOIN aml_alerts a ON a.case_id = c.id
    GROUP BY c.id
), changed AS (
    UPDATE aml_cases c SET status = carried.status FROM carried
    WHERE c.id = carried.id AND carried.status <> 'open'
    RETURNING c.id, carried.status, carried.alerts
)
INSERT INTO aml_case_audit (case_id, from_status, to_status, note)
SELECT id, 'open', status, 'status carried over from its alerts (' || alerts || ') when cases were introduced'
FROM changed ORDER BY id;

-- Review views ------------------------------------------------------------------------------

CREATE VIEW review_cases AS
SELECT c.id AS case_id, c.status, c.list_source, c.entry_ext_id, c.entry_name, c.entry_type,
       e.programs AS entry_programs, co.name AS company, co.cik, c.document_id, d.name AS document,
       m.mentions, m.documents, m.best_score, m.first_seen, m.last_seen, c.created_at, c.updated_at
FROM aml_cases c
LEFT JOIN sanctions_entries e ON e.id = c.entry_id
LEFT JOIN companies co ON co.id = c.company_id
LEFT JOIN documents d ON d.id = c.document_id
LEFT JOIN LATERAL (SELECT count(*) AS mentions, count(DISTINCT a.document_id) AS documents, max(a.score) AS best_score,
                          min(a.created_at) AS first_seen, max(a.created_at) AS last_seen
                   FROM aml_alerts a WHERE a.case_id = c.id) m ON true;
COMMENT ON VIEW review_cases IS 'Every sanctions case (list entry and company, or document without company) with its status and how often it is mentioned.';
COMMENT ON COLUMN review_cases.case_id IS 'Case identifier (pass it to set_case_status).';
COMMENT ON COLUMN review_cases.status IS 'Review status: open, under_review, escalated, dismissed, confirmed.';
COMMENT ON COLUMN review_cases.list_source IS 'List of the entry.';
COMMENT ON COLUMN review_cases.entry_ext_id IS 'Identifier of the entry on its list.';
COMMENT ON COLUMN review_cases.entry_name IS 'Primary name of the entry.';
COMMENT ON COLUMN review_cases.entry_type IS 'individual, entity, vessel or aircraft.';
COMMENT ON COLUMN review_cases.entry_programs IS 'Sanctions programmes of the entry (NULL once its list version is deleted).';
COMMENT ON COLUMN review_cases.company IS 'Company whose documents mention the entry.';
COMMENT ON COLUMN review_cases.cik IS 'Its SEC CIK.';
COMMENT ON COLUMN review_cases.document_id IS 'The document of a case without company.';
COMMENT ON COLUMN review_cases.document IS 'Its file name.';
COMMENT ON COLUMN review_cases.mentions IS 'Alerts (mentions) the case holds.';
COMMENT ON COLUMN review_cases.documents IS 'Documents mentioning the entry.';
COMMENT ON COLUMN review_cases.best_score IS 'Best match score among the mentions.';
COMMENT ON COLUMN review_cases.first_seen IS 'When the first mention was raised.';
COMMENT ON COLUMN review_cases.last_seen IS 'When the latest mention was raised.';
COMMENT ON COLUMN review_cases.created_at IS 'When the case was opened.';
COMMENT ON COLUMN review_cases.updated_at IS 'Last status change.';

CREATE VIEW review_open_cases AS
SELECT c.id AS case_id, c.status, c.list_source, c.entry_ext_id, c.entry_name, c.entry_type,
       co.name AS company, co.cik, a.id AS alert_id, a.document_id, d.name AS document, a.page, a.chunk_seq,
       a.quote, a.subject AS found_text, a.score, a.matched_name, a.list_version, a.source_extractor,
       a.created_at AS mention_created_at, c.created_at, c.updated_at
FROM aml_cases c
JOIN aml_alerts a ON a.case_id = c.id
JOIN documents d ON d.id = a.document_id
LEFT JOIN companies co ON co.id = c.company_id
WHERE c.status IN ('open', 'under_review', 'escalated');
COMMENT ON VIEW review_open_cases IS 'Sanctions cases still to decide (open, under review, escalated), one row per mention.';
COMMENT ON COLUMN review_open_cases.case_id IS 'Case identifier (pass it to set_case_status).';
COMMENT ON COLUMN review_open_cases.status IS 'Case review status.';
COMMENT ON COLUMN review_open_cases.list_source IS 'List of the entry.';
COMMENT ON COLUMN review_open_cases.entry_ext_id IS 'Identifier of the entry on its list.';
COMMENT ON COLUMN review_open_cases.entry_name IS 'Primary name of the entry.';
COMMENT ON COLUMN review_open_cases.entry_type IS 'individual, entity, vessel or aircraft.';
COMMENT ON COLUMN review_open_cases.company IS 'Company concerned (NULL for a document without company).';
COMMENT ON COLUMN review_open_cases.cik IS 'Its SEC CIK.';
COMMENT ON COLUMN review_open_cases.alert_id IS 'The mention (alert); review_alert_context gives its score parts and the entry''s remarks.';
COMMENT ON COLUMN review_open_cases.document_id IS 'Document of the mention.';
COMMENT ON COLUMN review_open_cases.document IS 'Its file name.';
COMMENT ON COLUMN review_open_cases.page IS 'Page of the quote.';
COMMENT ON COLUMN review_open_cases.chunk_seq IS 'Chunk of the quote.';
COMMENT ON COLUMN review_open_cases.quote IS 'Sentence of the document holding the name.';
COMMENT ON COLUMN review_open_cases.found_text IS 'The name as the document writes it.';
COMMENT ON COLUMN review_open_cases.score IS 'Match score 0..1.';
COMMENT ON COLUMN review_open_cases.matched_name IS 'Listed name matched (primary or alias).';
COMMENT ON COLUMN review_open_cases.list_version IS 'Version label of the list matched.';
COMMENT ON COLUMN review_open_cases.source_extractor IS 'screening (a document run) or rescreen (a new list version).';
COMMENT ON COLUMN review_open_cases.mention_created_at IS 'When the mention was raised.';
COMMENT ON COLUMN review_open_cases.created_at IS 'When the case was opened.';
COMMENT ON COLUMN review_open_cases.updated_at IS 'Last status change of the case.';

CREATE VIEW review_case_history AS
SELECT au.id AS audit_id, au.case_id, c.entry_name, c.list_source, c.entry_ext_id, co.name AS company,
       au.from_status, au.to_status, au.note, au.changed_by, au.changed_at, au.client_addr
FROM aml_case_audit au
JOIN aml_cases c ON c.id = au.case_id
LEFT JOIN companies co ON co.id = c.company_id;
COMMENT ON VIEW review_case_history IS 'Every case status change: who, when, from where, from and to which status, and why.';
COMMENT ON COLUMN review_case_history.audit_id IS 'Audit row identifier.';
COMMENT ON COLUMN review_case_history.case_id IS 'Case changed.';
COMMENT ON COLUMN review_case_history.entry_name IS 'Primary name of the case''s entry.';
COMMENT ON COLUMN review_case_history.list_source IS 'List of the entry.';
COMMENT ON COLUMN review_case_history.entry_ext_id IS 'Identifier of the entry on its list.';
COMMENT ON COLUMN review_case_history.company IS 'Company of the case.';
COMMENT ON COLUMN review_case_history.from_status IS 'Status before.';
COMMENT ON COLUMN review_case_history.to_status IS 'Status after.';
COMMENT ON COLUMN review_case_history.note IS 'Reviewer''s note.';
COMMENT ON COLUMN review_case_history.changed_by IS 'Database user who made the change.';
COMMENT ON COLUMN review_case_history.changed_at IS 'When.';
COMMENT ON COLUMN review_case_history.client_addr IS 'Client address (NULL over a Unix socket).';

-- The alert views show a held alert with its case's status (columns appended, old ones kept).
CREATE OR REPLACE VIEW review_alert_context AS
SELECT a.id AS alert_id, coalesce(c.status, a.status) AS status, a.subject AS found_text, a.score,
       (a.evidence ->> 'jw')::numeric AS score_jw,
       (a.evidence ->> 'token_set')::numeric AS score_token_set,
       (a.evidence ->> 'threshold')::numeric AS threshold,
       a.evidence ->> 'entity_kind' AS found_kind,
       a.matched_name, n.is_alias AS matched_is_alias, n.alias_quality AS matched_alias_quality,
       l.source AS list_source, COALESCE(l.version, a.list_version) AS list_version,
       l.published AS list_published, l.loaded_at AS list_loaded_at, l.active AS list_active,
       e.ext_id AS entry_ext_id, e.entry_type, e.name AS entry_name, e.programs AS entry_programs,
       e.remarks AS entry_remarks,
       a.quote, a.page, a.chunk_seq, d.id AS document_id, d.name AS document, co.name AS company, co.cik,
       a.created_at, a.case_id
FROM aml_alerts a
JOIN documents d ON d.id = a.document_id
LEFT JOIN aml_cases c ON c.id = a.case_id
LEFT JOIN companies co ON co.id = a.company_id
LEFT JOIN sanctions_lists l ON l.id = a.list_id
LEFT JOIN sanctions_entries e ON e.id = a.matched_entry_id
LEFT JOIN LATERAL (SELECT sn.is_alias, sn.alias_quality FROM sanctions_names sn
                   WHERE sn.entry_id = a.matched_entry_id AND sn.name = a.matched_name
                   ORDER BY sn.is_alias, sn.id LIMIT 1) n ON true
WHERE a.kind = 'sanctions_match';
COMMENT ON COLUMN review_alert_context.alert_id IS 'Alert identifier: one mention of its case.';
COMMENT ON COLUMN review_alert_context.status IS 'Review status of the alert''s case (of the alert itself when it has no case).';
COMMENT ON COLUMN review_alert_context.case_id IS 'Case holding the alert (pass it to set_case_status).';

CREATE OR REPLACE VIEW review_open_alerts AS
SELECT a.id AS alert_id, a.kind, coalesce(c.status, a.status) AS status, a.subject, a.score, a.matched_name,
       a.list_version, co.name AS company, co.cik, d.id AS document_id, d.name AS document, a.page, a.chunk_seq,
       a.quote, a.evidence, a.source_extractor, a.run_id, a.created_at, coalesce(c.updated_at, a.updated_at) AS updated_at,
       a.case_id
FROM aml_alerts a
JOIN documents d ON d.id = a.document_id
LEFT JOIN aml_cases c ON c.id = a.case_id
LEFT JOIN companies co ON co.id = a.company_id
WHERE coalesce(c.status, a.status) IN ('open', 'under_review', 'escalated');
COMMENT ON COLUMN review_open_alerts.alert_id IS 'Alert identifier (pass it to set_alert_status, or its case_id to set_case_status).';
COMMENT ON COLUMN review_open_alerts.status IS 'Current review status (a sanctions alert''s is its case''s).';
COMMENT ON COLUMN review_open_alerts.updated_at IS 'Last status change (of the case for a sanctions alert).';
COMMENT ON COLUMN review_open_alerts.case_id IS 'Case holding a sanctions alert (pass it to set_case_status); NULL for other kinds.';

GRANT SELECT ON review_cases, review_open_cases, review_case_history TO dossier_reader;
