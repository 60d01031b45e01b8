-- 0002_aml_reference.sql - reference data for AML review: the FATF lists of jurisdictions with
-- strategic AML/CFT deficiencies, as published after a stated FATF plenary. The same rows are
-- compiled into extract/jurisdictions.c (DS_FATF_AS_OF), which marks mentions in documents; a
-- later plenary is added by a new migration inserting rows with its own as_of date, so the
-- history stays and fatf_jurisdictions_current shows the latest.

CREATE TABLE fatf_jurisdictions (
    code  text NOT NULL CHECK (code ~ '^[A-Z]{2}$'),
    name  text NOT NULL,
    list  text NOT NULL CHECK (list IN ('call_for_action', 'increased_monitoring')),
    as_of date NOT NULL,
    PRIMARY KEY (code, list, as_of)
);
COMMENT ON TABLE fatf_jurisdictions IS 'FATF lists of jurisdictions with strategic AML/CFT deficiencies, one row per jurisdiction, list and plenary date.';
COMMENT ON COLUMN fatf_jurisdictions.code IS 'ISO 3166-1 alpha-2 code of the jurisdiction.';
COMMENT ON COLUMN fatf_jurisdictions.name IS 'Name as the FATF statement gives it.';
COMMENT ON COLUMN fatf_jurisdictions.list IS 'call_for_action ("High-Risk Jurisdictions subject to a Call for Action", the black list) or increased_monitoring ("Jurisdictions under Increased Monitoring", the grey list).';
COMMENT ON COLUMN fatf_jurisdictions.as_of IS 'Date of the FATF plenary whose public statements list the jurisdiction.';

-- FATF public statements of 21 February 2025 (plenary of February 2025).
INSERT INTO fatf_jurisdictions (code, name, list, as_of) VALUES
    ('KP', 'Democratic People''s Republic of Korea', 'call_for_action', DATE '2025-02-21'),
    ('IR', 'Iran', 'call_for_action', DATE '2025-02-21'),
    ('MM', 'Myanmar', 'call_for_action', DATE '2025-02-21'),
    ('DZ', 'Algeria', 'increased_monitoring', DATE '2025-02-21'),
    ('AO', 'Angola', 'increased_monitoring', DATE '2025-02-21'),
    ('BG', 'Bulgaria', 'increased_monitoring', DATE '2025-02-21'),
    ('BF', 'Burkina Faso', 'increased_monitoring', DATE '2025-02-21'),
    ('CM', 'Cameroon', 'increased_monitoring', DATE '2025-02-21'),
    ('CI', 'Côte d''Ivoire', 'increased_monitoring', DATE '2025-02-21'),
    ('HR', 'Croatia', 'increased_monitoring', DATE '2025-02-21'),
    ('CD', 'Democratic Republic of the Congo', 'increased_monitoring', DATE '2025-02-21'),
    ('HT', 'Haiti', 'increased_monitoring', DATE '2025-02-21'),
    ('KE', 'Kenya', 'increased_monitoring', DATE '2025-02-21'),
    ('LA', 'Lao PDR', 'increased_monitoring', DATE '2025-02-21'),
    ('LB', 'Lebanon', 'increased_monitoring', DATE '2025-02-21'),
    ('ML', 'Mali', 'increased_monitoring', DATE '2025-02-21'),
    ('MC', 'Monaco', 'increased_monitoring', DATE '2025-02-21'),
    ('MZ', 'Mozambique', 'increased_monitoring', DATE '2025-02-21'),
    ('NA', 'Namibia', 'increased_monitoring', DATE '2025-02-21'),
    ('NP', 'Nepal', 'increased_monitoring', DATE '2025-02-21'),
    ('NG', 'Nigeria', 'increased_monitoring', DATE '2025-02-21'),
    ('ZA', 'South Africa', 'increased_monitoring', DATE '2025-02-21'),
    ('SS', 'South Sudan', 'increased_monitoring', DATE '2025-02-21'),
    ('SY', 'Syria', 'increased_monitoring', DATE '2025-02-21'),
    ('TZ', 'Tanzania', 'increased_monitoring', DATE '2025-02-21'),
    ('VE', 'Venezuela', 'increased_monitoring', DATE '2025-02-21'),
    ('VN', 'Vietnam', 'increased_monitoring', DATE '2025-02-21'),
    ('YE', 'Yemen', 'increased_monitoring', DATE '2025-02-21');

CREATE VIEW fatf_jurisdictions_current AS
SELECT code, name, list, as_of
FROM fatf_jurisdictions
WHERE as_of = (SELECT max(as_of) FROM fatf_jurisdictions);
COMMENT ON VIEW fatf_jurisdictions_current IS 'The FATF lists of the latest plenary loaded.';
COMMENT ON COLUMN fatf_jurisdictions_current.code IS 'ISO 3166-1 alpha-2 code of the jurisdiction.';
COMMENT ON COLUMN fatf_jurisdictions_current.name IS 'Name as the FATF statement gives it.';
COMMENT ON COLUMN fatf_jurisdictions_current.list IS 'call_for_action or increased_monitoring.';
COMMENT ON COLUMN fatf_jurisdictions_current.as_of IS 'Date of the FATF plenary.';

-- Alerts survive the reprocessing of their document. The loader deletes a document's chunks
-- and loads them again in one transaction; a cascading reference from aml_alerts to chunks
-- deleted the alerts with them (losing their review status, or failing once an alert had
-- audit rows). The reference is now checked at commit, when the chunks are back; the loader
-- clears the chunk of an alert whose chunk is gone.
ALTER TABLE aml_alerts DROP CONSTRAINT aml_alerts_document_id_chunk_seq_fkey;
ALTER TABLE aml_alerts ADD CONSTRAINT aml_alerts_chunk_fkey
    FOREIGN KEY (document_id, chunk_seq) REFERENCES chunks (document_id, seq) DEFERRABLE INITIALLY DEFERRED;
