-- 0018_review_alert_context.sql - what a reviewer needs to decide a sanctions alert, in one view
-- the reviewer (and reader) roles may read without reading the list tables themselves: the list
-- (source, version, publication date, when loaded), the matched entry (its identifier on the
-- list, type, primary name, programmes, remarks), the listed name that matched and whether it
-- is an alias (and its quality), the score with its parts (Jaro-Winkler, token set, the
-- threshold in force), the text found, its quote and page, the document and company.
-- The view runs with its owner's rights, so granting it opens nothing else.

CREATE VIEW review_alert_context AS
SELECT a.id AS alert_id, a.status, a.subject AS found_text, a.score,
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
       a.created_at
FROM aml_alerts a
JOIN documents d ON d.id = a.document_id
LEFT JOIN companies co ON co.id = a.company_id
LEFT JOIN sanctions_lists l ON l.id = a.list_id
LEFT JOIN sanctions_entries e ON e.id = a.matched_entry_id
LEFT JOIN LATERAL (SELECT sn.is_alias, sn.alias_quality FROM sanctions_names sn
                   WHERE sn.entry_id = a.matched_entry_id AND sn.name = a.matched_name
                   ORDER BY sn.is_alias, sn.id LIMIT 1) n ON true
WHERE a.kind = 'sanctions_match';
COMMENT ON VIEW review_alert_context IS 'Each sanctions alert with what a reviewer needs to decide it: list, entry, matched name, score parts, quote, page and document.';
COMMENT ON COLUMN review_alert_context.alert_id IS 'Alert identifier (pass it to set_alert_status).';
COMMENT ON COLUMN review_alert_context.status IS 'Current review status.';
COMMENT ON COLUMN review_alert_context.found_text IS 'The name as the document writes it.';
COMMENT ON COLUMN review_alert_context.score IS 'Match score 0..1: max(token set, mean of token set and Jaro-Winkler).';
COMMENT ON COLUMN review_alert_context.score_jw IS 'Jaro-Winkler part of the score.';
COMMENT ON COLUMN review_alert_context.score_token_set IS 'Token-set part of the score.';
COMMENT ON COLUMN review_alert_context.threshold IS 'screening.threshold in force when the alert was raised.';
COMMENT ON COLUMN review_alert_context.found_kind IS 'What the text read as: person, organization or unknown.';
COMMENT ON COLUMN review_alert_context.matched_name IS 'Listed name matched (primary or alias).';
COMMENT ON COLUMN review_alert_context.matched_is_alias IS 'Whether the matched name is an alias; NULL when the entry is no longer stored.';
COMMENT ON COLUMN review_alert_context.matched_alias_quality IS 'The alias quality the list states (strong, weak), if any.';
COMMENT ON COLUMN review_alert_context.list_source IS 'List matched: ofac_sdn, eu_consolidated, un_consolidated.';
COMMENT ON COLUMN review_alert_context.list_version IS 'Version label of the list matched.';
COMMENT ON COLUMN review_alert_context.list_published IS 'Publication date the list states.';
COMMENT ON COLUMN review_alert_context.list_loaded_at IS 'When that list version was loaded.';
COMMENT ON COLUMN review_alert_context.list_active IS 'Whether that list version is still the one screened against.';
COMMENT ON COLUMN review_alert_context.entry_ext_id IS 'Entry identifier on the list (OFAC ent_num, EU logicalId, UN DATAID).';
COMMENT ON COLUMN review_alert_context.entry_type IS 'individual, entity, vessel or aircraft.';
COMMENT ON COLUMN review_alert_context.entry_name IS 'Primary name of the entry.';
COMMENT ON COLUMN review_alert_context.entry_programs IS 'Sanctions programmes of the entry.';
COMMENT ON COLUMN review_alert_context.entry_remarks IS 'The list''s remarks on the entry.';
COMMENT ON COLUMN review_alert_context.quote IS 'Sentence of the document holding the name.';
COMMENT ON COLUMN review_alert_context.page IS 'Page of the quote.';
COMMENT ON COLUMN review_alert_context.chunk_seq IS 'Chunk of the quote.';
COMMENT ON COLUMN review_alert_context.document_id IS 'Document holding the quote.';
COMMENT ON COLUMN review_alert_context.document IS 'Its file name.';
COMMENT ON COLUMN review_alert_context.company IS 'Company concerned.';
COMMENT ON COLUMN review_alert_context.cik IS 'Its SEC CIK.';
COMMENT ON COLUMN review_alert_context.created_at IS 'When the alert was raised.';
GRANT SELECT ON review_alert_context TO dossier_reader;
