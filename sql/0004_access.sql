-- 0004_access.sql - compliance access: roles, the review views they read, and the one audited
-- way to change an alert's status.
--   dossier_writer   the pipeline: reads and writes the pipeline tables
--   dossier_reader   reads the review views only (no base tables)
--   dossier_reviewer a reader who may also change an alert's status, only through
--                    set_alert_status(), which writes the audit row (who, when, from, to, note)
-- Roles are cluster-wide, so they are created only when missing. Login users are granted one
-- of these roles by the DBA (GRANT dossier_reviewer TO alice).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_writer') THEN
        CREATE ROLE dossier_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_reader') THEN
        CREATE ROLE dossier_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dossier_reviewer') THEN
        CREATE ROLE dossier_reviewer NOLOGIN IN ROLE dossier_reader;
    END IF;
END $$;

-- Nobody but the owner and the roles below touches anything by default.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO dossier_writer, dossier_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON runs, companies, documents, document_sources, chunks, facts,
    swot_items, entities, sanctions_lists, sanctions_entries, sanctions_names, aml_alerts, work_queue
    TO dossier_writer;
GRANT SELECT, INSERT ON aml_alert_audit TO dossier_writer;
GRANT SELECT ON schema_migrations TO dossier_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO dossier_writer;

-- Review views -------------------------------------------------------------------------------

CREATE VIEW review_open_alerts AS
SELECT a.id AS alert_id, a.kind, a.status, a.subject, a.score, a.matched_name, a.list_version,
       co.name AS company, co.cik, d.id AS document_id, d.name AS document, a.page, a.chunk_seq,
       a.quote, a.evidence, a.source_extractor, a.run_id, a.created_at, a.updated_at
FROM aml_alerts a
JOIN documents d ON d.id = a.document_id
LEFT JOIN companies co ON co.id = a.company_id
WHERE a.status IN ('open', 'under_review', 'escalated');
COMMENT ON VIEW review_open_alerts IS 'AML alerts still to be decided (open, under review, escalated), with their evidence.';
COMMENT ON COLUMN review_open_alerts.alert_id IS 'Alert identifier (pass it to set_alert_status).';
COMMENT ON COLUMN review_open_alerts.kind IS 'sanctions_match, high_risk_jurisdiction or red_flag.';
COMMENT ON COLUMN review_open_alerts.status IS 'Current review status.';
COMMENT ON COLUMN review_open_alerts.subject IS 'Name, jurisdiction or phrase found in the document.';
COMMENT ON COLUMN review_open_alerts.score IS 'Match score 0..1 for sanctions matches.';
COMMENT ON COLUMN review_open_alerts.matched_name IS 'Listed name matched.';
COMMENT ON COLUMN review_open_alerts.list_version IS 'Sanctions list version matched.';
COMMENT ON COLUMN review_open_alerts.company IS 'Company concerned.';
COMMENT ON COLUMN review_open_alerts.cik IS 'Its SEC CIK.';
COMMENT ON COLUMN review_open_alerts.document_id IS 'Document holding the evidence.';
COMMENT ON COLUMN review_open_alerts.document IS 'Its file name.';
COMMENT ON COLUMN review_open_alerts.page IS 'Page of the evidence.';
COMMENT ON COLUMN review_open_alerts.chunk_seq IS 'Chunk of the evidence.';
COMMENT ON COLUMN review_open_alerts.quote IS 'Sentence holding the subject.';
COMMENT ON COLUMN review_open_alerts.evidence IS 'Scores and rule details as JSON.';
COMMENT ON COLUMN review_open_alerts.source_extractor IS 'Extractor that raised it.';
COMMENT ON COLUMN review_open_alerts.run_id IS 'Run that raised it.';
COMMENT ON COLUMN review_open_alerts.created_at IS 'When it was raised.';
COMMENT ON COLUMN review_open_alerts.updated_at IS 'Last status change.';

CREATE VIEW review_alert_history AS
SELECT au.id AS audit_id, au.alert_id, a.kind, a.subject, au.from_status, au.to_status, au.note,
       au.changed_by, au.changed_at, au.client_addr
FROM aml_alert_audit au JOIN aml_alerts a ON a.id = au.alert_id;
COMMENT ON VIEW review_alert_history IS 'Every alert status change: who, when, from where, from and to which status, and why.';
COMMENT ON COLUMN review_alert_history.audit_id IS 'Audit row identifier.';
COMMENT ON COLUMN review_alert_history.alert_id IS 'Alert changed.';
COMMENT ON COLUMN review_alert_history.kind IS 'Alert kind.';
COMMENT ON COLUMN review_alert_history.subject IS 'Alert subject.';
COMMENT ON COLUMN review_alert_history.from_status IS 'Status before.';
COMMENT ON COLUMN review_alert_history.to_status IS 'Status after.';
COMMENT ON COLUMN review_alert_history.note IS 'Reviewer''s note.';
COMMENT ON COLUMN review_alert_history.changed_by IS 'Database user who made the change.';
COMMENT ON COLUMN review_alert_history.changed_at IS 'When.';
COMMENT ON COLUMN review_alert_history.client_addr IS 'Client address (NULL over a Unix socket).';

CREATE VIEW review_document_status AS
SELECT d.id AS document_id, d.name, d.source, d.kind, d.status, d.error_code, d.error_message,
       d.attempts, d.pages, co.name AS company, co.cik, d.form_type, d.period_end, d.filing_date,
       (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) AS chunks,
       (SELECT count(*) FROM facts f WHERE f.document_id = d.id) AS facts,
       d.created_at, d.loaded_at, d.updated_at
FROM documents d LEFT JOIN companies co ON co.id = d.company_id;
COMMENT ON VIEW review_document_status IS 'Every document with its processing status, error, company and row counts.';
COMMENT ON COLUMN review_document_status.document_id IS 'Document identifier.';
COMMENT ON COLUMN review_document_status.name IS 'File name.';
COMMENT ON COLUMN review_document_status.source IS 'Where it was first read from.';
COMMENT ON COLUMN review_document_status.kind IS 'Detected format.';
COMMENT ON COLUMN review_document_status.status IS 'queued, processing, loaded, failed or quarantined.';
COMMENT ON COLUMN review_document_status.error_code IS 'Last error code.';
COMMENT ON COLUMN review_document_status.error_message IS 'Last error in words.';
COMMENT ON COLUMN review_document_status.attempts IS 'Processing attempts.';
COMMENT ON COLUMN review_document_status.pages IS 'Page count.';
COMMENT ON COLUMN review_document_status.company IS 'Reporting company.';
COMMENT ON COLUMN review_document_status.cik IS 'Its SEC CIK.';
COMMENT ON COLUMN review_document_status.form_type IS 'SEC form type.';
COMMENT ON COLUMN review_document_status.period_end IS 'Period of report.';
COMMENT ON COLUMN review_document_status.filing_date IS 'Filing date.';
COMMENT ON COLUMN review_document_status.chunks IS 'Chunks loaded.';
COMMENT ON COLUMN review_document_status.facts IS 'Facts loaded.';
COMMENT ON COLUMN review_document_status.created_at IS 'First seen.';
COMMENT ON COLUMN review_document_status.loaded_at IS 'When loaded.';
COMMENT ON COLUMN review_document_status.updated_at IS 'Last status change.';

CREATE VIEW review_chunks AS
SELECT c.document_id, d.name AS document, co.name AS company, c.seq, c.section, c.page_first,
       c.page_last, c.char_start, c.char_end, c.text, c.tsv
FROM chunks c JOIN documents d ON d.id = c.document_id LEFT JOIN companies co ON co.id = d.company_id;
COMMENT ON VIEW review_chunks IS 'Chunk text with document and company, for full-text search: WHERE tsv @@ websearch_to_tsquery(''english'', ...).';
COMMENT ON COLUMN review_chunks.document_id IS 'Document.';
COMMENT ON COLUMN review_chunks.document IS 'Its file name.';
COMMENT ON COLUMN review_chunks.company IS 'Reporting company.';
COMMENT ON COLUMN review_chunks.seq IS 'Chunk position in the document.';
COMMENT ON COLUMN review_chunks.section IS 'Section path.';
COMMENT ON COLUMN review_chunks.page_first IS 'First page.';
COMMENT ON COLUMN review_chunks.page_last IS 'Last page.';
COMMENT ON COLUMN review_chunks.char_start IS 'Start offset in the document text.';
COMMENT ON COLUMN review_chunks.char_end IS 'End offset in the document text.';
COMMENT ON COLUMN review_chunks.text IS 'Chunk text.';
COMMENT ON COLUMN review_chunks.tsv IS 'English full-text vector (GIN-indexed on chunks).';

CREATE FUNCTION search_chunks(query text, max_rows integer DEFAULT 50)
RETURNS TABLE (document_id bigint, document text, company text, seq integer, section text,
               page_first integer, page_last integer, rank real, excerpt text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.document_id, d.name, co.name, c.seq, c.section, c.page_first, c.page_last,
           ts_rank(c.tsv, q), ts_headline('english', c.text, q, 'MaxFragments=2, MaxWords=30')
    FROM chunks c JOIN documents d ON d.id = c.document_id
    LEFT JOIN companies co ON co.id = d.company_id,
    websearch_to_tsquery('english', query) q
    WHERE c.tsv @@ q
    ORDER BY ts_rank(c.tsv, q) DESC, c.document_id, c.seq
    LIMIT least(greatest(max_rows, 1), 1000)
$$;
COMMENT ON FUNCTION search_chunks(text, integer) IS 'Full-text search over every chunk (web-search syntax: "exact phrase", OR, -word), best first, with highlighted excerpts.';

-- The one way to change an alert's status: checks the transition, updates the alert and writes
-- the audit row in the same transaction. SECURITY DEFINER: reviewers have no UPDATE on
-- aml_alerts, so they cannot bypass it; session_user (the reviewer) is what the audit records.
CREATE FUNCTION set_alert_status(p_alert_id bigint, p_status text, p_note text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_status text;
BEGIN
    IF p_status NOT IN ('open', 'under_review', 'escalated', 'dismissed', 'confirmed') THEN
        RAISE EXCEPTION 'unknown alert status %', p_status USING ERRCODE = '22023';
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
    UPDATE aml_alerts SET status = p_status, updated_at = now() WHERE id = p_alert_id;
    INSERT INTO aml_alert_audit (alert_id, changed_by, from_status, to_status, note)
    VALUES (p_alert_id, session_user, old_status, p_status, p_note);
END $$;
COMMENT ON FUNCTION set_alert_status(bigint, text, text) IS 'Changes an alert''s review status and writes the audit row (who, when, from, to, note); the only way reviewers can change an alert.';

REVOKE ALL ON FUNCTION set_alert_status(bigint, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION search_chunks(text, integer) FROM PUBLIC;
GRANT SELECT ON review_open_alerts, review_alert_history, review_document_status, review_chunks
    TO dossier_reader;
GRANT EXECUTE ON FUNCTION search_chunks(text, integer) TO dossier_reader;
GRANT EXECUTE ON FUNCTION set_alert_status(bigint, text, text) TO dossier_reviewer, dossier_writer;

-- Indexes the review views need at 100,000 documents.
CREATE INDEX aml_alerts_document ON aml_alerts (document_id);
CREATE INDEX documents_updated ON documents (updated_at DESC);
CREATE INDEX chunks_document ON chunks (document_id);
