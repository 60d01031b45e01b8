-- 0001_core.sql - dossier's core schema: runs, documents, companies, chunks, facts, SWOT items,
-- entities, sanctions lists, AML alerts with their append-only audit trail, and the work queue.
-- Applied by `dossier db migrate` in one transaction; never edited once released (add 0002+).

CREATE TABLE runs (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('run', 'nightly', 'worker')),
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'ok', 'rejected', 'failed', 'interrupted')),
    host            text NOT NULL,
    pid             integer NOT NULL,
    dossier_version text NOT NULL,
    args            text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    docs_seen       integer NOT NULL DEFAULT 0,
    docs_loaded     integer NOT NULL DEFAULT 0,
    docs_unchanged  integer NOT NULL DEFAULT 0,
    docs_failed     integer NOT NULL DEFAULT 0,
    docs_quarantined integer NOT NULL DEFAULT 0,
    pages           bigint NOT NULL DEFAULT 0,
    chunks          bigint NOT NULL DEFAULT 0,
    facts           bigint NOT NULL DEFAULT 0,
    tokens          bigint NOT NULL DEFAULT 0,
    bytes           bigint NOT NULL DEFAULT 0,
    stage_seconds   jsonb NOT NULL DEFAULT '{}'::jsonb,
    summary         jsonb NOT NULL DEFAULT '{}'::jsonb
);
COMMENT ON TABLE runs IS 'One row per invocation of dossier run/nightly/worker: what it did and how long each stage took.';
COMMENT ON COLUMN runs.id IS 'Run identifier, referenced by every row the run wrote.';
COMMENT ON COLUMN runs.kind IS 'Which command started the run: run, nightly or worker.';
COMMENT ON COLUMN runs.status IS 'running while in progress; ok, rejected (finished with failed documents), failed (aborted) or interrupted (found dead later).';
COMMENT ON COLUMN runs.host IS 'Host name of the machine that ran it.';
COMMENT ON COLUMN runs.pid IS 'Process id of the coordinating process.';
COMMENT ON COLUMN runs.dossier_version IS 'Version of the dossier binary.';
COMMENT ON COLUMN runs.args IS 'Command line, for the record.';
COMMENT ON COLUMN runs.started_at IS 'When the run started.';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished; NULL while running or if it died.';
COMMENT ON COLUMN runs.docs_seen IS 'Inputs discovered by this run.';
COMMENT ON COLUMN runs.docs_loaded IS 'Documents fully loaded by this run.';
COMMENT ON COLUMN runs.docs_unchanged IS 'Inputs whose bytes were already loaded (same SHA-256): nothing done.';
COMMENT ON COLUMN runs.docs_failed IS 'Documents that failed in this run (will be retried while attempts remain).';
COMMENT ON COLUMN runs.docs_quarantined IS 'Documents parked as quarantined by this run after their last attempt.';
COMMENT ON COLUMN runs.pages IS 'Pages parsed.';
COMMENT ON COLUMN runs.chunks IS 'Chunks loaded.';
COMMENT ON COLUMN runs.facts IS 'Facts loaded.';
COMMENT ON COLUMN runs.tokens IS 'Model tokens in the loaded chunks.';
COMMENT ON COLUMN runs.bytes IS 'Input bytes processed.';
COMMENT ON COLUMN runs.stage_seconds IS 'Wall seconds per stage: {"detect":..,"parse":..,"chunk":..,"extract":..,"load":..}.';
COMMENT ON COLUMN runs.summary IS 'Other run figures (throughput, errors by code) as JSON.';

CREATE TABLE companies (
    id          bigserial PRIMARY KEY,
    cik         text UNIQUE CHECK (cik ~ '^[0-9]{1,10}$'),
    name        text NOT NULL,
    name_key    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX companies_name_key_nocik ON companies (name_key) WHERE cik IS NULL;
COMMENT ON TABLE companies IS 'Reporting companies, identified by SEC CIK when known, else by normalised name.';
COMMENT ON COLUMN companies.id IS 'Company identifier.';
COMMENT ON COLUMN companies.cik IS 'SEC Central Index Key without leading zeros; NULL when unknown.';
COMMENT ON COLUMN companies.name IS 'Company name as first seen.';
COMMENT ON COLUMN companies.name_key IS 'Lower-case name without punctuation, for matching documents without a CIK.';
COMMENT ON COLUMN companies.created_at IS 'When the company was first seen.';

CREATE TABLE documents (
    id            bigserial PRIMARY KEY,
    sha256        text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    source        text NOT NULL,
    name          text NOT NULL,
    kind          text NOT NULL DEFAULT 'unknown'
                  CHECK (kind IN ('unknown', 'pdf', 'html', 'ixbrl', 'xbrl', 'edgar', 'text')),
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'processing', 'loaded', 'failed', 'quarantined')),
    error_code    text,
    error_message text,
    attempts      integer NOT NULL DEFAULT 0,
    bytes         bigint NOT NULL,
    pages         integer,
    company_id    bigint REFERENCES companies (id),
    title         text,
    author        text,
    form_type     text,
    period_end    date,
    fiscal_year   integer,
    accession     text,
    filing_date   date,
    meta          jsonb NOT NULL DEFAULT '{}'::jsonb,
    first_run_id  bigint REFERENCES runs (id),
    loaded_run_id bigint REFERENCES runs (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    loaded_at     timestamptz
);
CREATE INDEX documents_status ON documents (status);
CREATE INDEX documents_company ON documents (company_id);
COMMENT ON TABLE documents IS 'Every input document, identified by the SHA-256 of its bytes: the same bytes twice are one document.';
COMMENT ON COLUMN documents.id IS 'Document identifier.';
COMMENT ON COLUMN documents.sha256 IS 'Hex SHA-256 of the document bytes; the identity of the document.';
COMMENT ON COLUMN documents.source IS 'Path or URL it was first read from (later sightings are in document_sources).';
COMMENT ON COLUMN documents.name IS 'File name.';
COMMENT ON COLUMN documents.kind IS 'Detected format: pdf, html, ixbrl, xbrl, edgar, text or unknown.';
COMMENT ON COLUMN documents.status IS 'queued, processing, loaded, failed (will be retried) or quarantined (given up after max attempts).';
COMMENT ON COLUMN documents.error_code IS 'Last error code (EMPTY, ENCRYPTED, DAMAGED, NO_TEXT, FORMAT, PARSE, TOO_LARGE, ...); NULL when loaded.';
COMMENT ON COLUMN documents.error_message IS 'Last error in words, naming the document and the offending part.';
COMMENT ON COLUMN documents.attempts IS 'Processing attempts so far.';
COMMENT ON COLUMN documents.bytes IS 'Size of the document in bytes.';
COMMENT ON COLUMN documents.pages IS 'Page count (PDF) or NULL.';
COMMENT ON COLUMN documents.company_id IS 'Reporting company, when the document names one.';
COMMENT ON COLUMN documents.title IS 'Title from the document metadata.';
COMMENT ON COLUMN documents.author IS 'Author from the document metadata.';
COMMENT ON COLUMN documents.form_type IS 'SEC form type (10-K, 10-Q, 8-K, 20-F...) when known.';
COMMENT ON COLUMN documents.period_end IS 'Period of report (dei:DocumentPeriodEndDate or EDGAR header).';
COMMENT ON COLUMN documents.fiscal_year IS 'Fiscal year focus when known.';
COMMENT ON COLUMN documents.accession IS 'EDGAR accession number when known.';
COMMENT ON COLUMN documents.filing_date IS 'EDGAR filing date when known.';
COMMENT ON COLUMN documents.meta IS 'Other metadata (producer, dates, removed headers/footers, parser notes) as JSON.';
COMMENT ON COLUMN documents.first_run_id IS 'Run that first saw the document.';
COMMENT ON COLUMN documents.loaded_run_id IS 'Run that loaded its current rows.';
COMMENT ON COLUMN documents.created_at IS 'When the document was first seen.';
COMMENT ON COLUMN documents.updated_at IS 'Last status change.';
COMMENT ON COLUMN documents.loaded_at IS 'When its rows were loaded.';

CREATE TABLE document_sources (
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    source      text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, source)
);
COMMENT ON TABLE document_sources IS 'Every path or URL where a document''s bytes were seen.';
COMMENT ON COLUMN document_sources.document_id IS 'The document.';
COMMENT ON COLUMN document_sources.source IS 'Path or URL.';
COMMENT ON COLUMN document_sources.first_seen IS 'First time these bytes were seen there.';
COMMENT ON COLUMN document_sources.last_seen IS 'Latest time these bytes were seen there.';

CREATE TABLE chunks (
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq         integer NOT NULL CHECK (seq >= 0),
    section     text NOT NULL DEFAULT '',
    page_first  integer,
    page_last   integer,
    char_start  bigint NOT NULL,
    char_end    bigint NOT NULL,
    token_count integer NOT NULL,
    is_table    boolean NOT NULL DEFAULT false,
    text        text NOT NULL,
    run_id      bigint REFERENCES runs (id),
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    PRIMARY KEY (document_id, seq),
    CHECK (char_end >= char_start)
);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
COMMENT ON TABLE chunks IS 'Structure-aware pieces of a document''s text, sized in model tokens; what the model reads and what facts cite.';
COMMENT ON COLUMN chunks.document_id IS 'The document.';
COMMENT ON COLUMN chunks.seq IS 'Position of the chunk in the document, from 0.';
COMMENT ON COLUMN chunks.section IS 'Section path, e.g. "Item 7 > Liquidity and Capital Resources".';
COMMENT ON COLUMN chunks.page_first IS 'First page (1-based) the chunk covers; NULL for formats without pages.';
COMMENT ON COLUMN chunks.page_last IS 'Last page the chunk covers.';
COMMENT ON COLUMN chunks.char_start IS 'Offset (in characters) of the chunk in the document''s extracted text.';
COMMENT ON COLUMN chunks.char_end IS 'End offset (exclusive) in the document''s extracted text.';
COMMENT ON COLUMN chunks.token_count IS 'Model tokens in the chunk text (the configured tokenizer).';
COMMENT ON COLUMN chunks.is_table IS 'True when the chunk holds (part of) a table.';
COMMENT ON COLUMN chunks.text IS 'Chunk text.';
COMMENT ON COLUMN chunks.run_id IS 'Run that loaded the chunk.';
COMMENT ON COLUMN chunks.tsv IS 'English full-text search vector of the text (generated).';

CREATE TABLE facts (
    id                bigserial PRIMARY KEY,
    document_id       bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    chunk_seq         integer,
    company_id        bigint REFERENCES companies (id),
    concept           text NOT NULL,
    metric            text,
    value             numeric,
    value_text        text,
    unit              text,
    decimals          text,
    period_start      date,
    period_end        date,
    dimensions        text NOT NULL DEFAULT '',
    source_extractor  text NOT NULL,
    extractor_version text NOT NULL DEFAULT '1',
    model             text,
    model_fingerprint text,
    prompt_version    text,
    page              integer,
    quote             text,
    char_start        bigint,
    run_id            bigint REFERENCES runs (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (document_id, chunk_seq) REFERENCES chunks (document_id, seq) ON DELETE CASCADE
);
CREATE INDEX facts_document ON facts (document_id);
CREATE INDEX facts_company_metric ON facts (company_id, metric, period_end) WHERE metric IS NOT NULL;
COMMENT ON TABLE facts IS 'Facts extracted from documents (XBRL, statement tables, model), each with its provenance.';
COMMENT ON COLUMN facts.id IS 'Fact identifier.';
COMMENT ON COLUMN facts.document_id IS 'Document the fact comes from.';
COMMENT ON COLUMN facts.chunk_seq IS 'Chunk (within the document) that holds the fact''s text; NULL for hidden XBRL facts.';
COMMENT ON COLUMN facts.company_id IS 'Reporting company.';
COMMENT ON COLUMN facts.concept IS 'Source concept, e.g. us-gaap:Revenues, or the table row label for statement tables.';
COMMENT ON COLUMN facts.metric IS 'Canonical metric (revenue, net_income, total_assets, ...); NULL when the concept maps to none.';
COMMENT ON COLUMN facts.value IS 'Numeric value in the unit, scale and sign applied; exact.';
COMMENT ON COLUMN facts.value_text IS 'Text value for non-numeric facts.';
COMMENT ON COLUMN facts.unit IS 'Unit: USD, shares, USD/shares, pure...';
COMMENT ON COLUMN facts.decimals IS 'XBRL decimals attribute (precision), e.g. -3 or INF.';
COMMENT ON COLUMN facts.period_start IS 'Start of a duration period; NULL for an instant.';
COMMENT ON COLUMN facts.period_end IS 'End of the duration, or the instant.';
COMMENT ON COLUMN facts.dimensions IS 'XBRL dimensions as "axis=member;..." sorted by axis; empty for the consolidated value.';
COMMENT ON COLUMN facts.source_extractor IS 'Extractor that produced the fact: ixbrl, xbrl, pdf_table, model...';
COMMENT ON COLUMN facts.extractor_version IS 'Version of that extractor''s rules.';
COMMENT ON COLUMN facts.model IS 'Model name when a model produced it.';
COMMENT ON COLUMN facts.model_fingerprint IS 'Checkpoint fingerprint when a model produced it.';
COMMENT ON COLUMN facts.prompt_version IS 'Prompt version when a model produced it.';
COMMENT ON COLUMN facts.page IS 'Page (1-based) where the fact is shown.';
COMMENT ON COLUMN facts.quote IS 'Text as shown in the document.';
COMMENT ON COLUMN facts.char_start IS 'Offset of the quote in the document''s extracted text.';
COMMENT ON COLUMN facts.run_id IS 'Run that loaded the fact.';
COMMENT ON COLUMN facts.created_at IS 'When the fact was loaded.';

CREATE TABLE swot_items (
    id                bigserial PRIMARY KEY,
    document_id       bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    chunk_seq         integer,
    company_id        bigint REFERENCES companies (id),
    category          text NOT NULL CHECK (category IN ('strength', 'weakness', 'opportunity', 'threat')),
    statement         text NOT NULL,
    rule_id           text,
    evidence          jsonb NOT NULL DEFAULT '[]'::jsonb,
    page              integer,
    quote             text,
    source_extractor  text NOT NULL,
    model             text,
    model_fingerprint text,
    prompt_version    text,
    run_id            bigint REFERENCES runs (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (document_id, chunk_seq) REFERENCES chunks (document_id, seq) ON DELETE CASCADE
);
CREATE INDEX swot_items_document ON swot_items (document_id);
CREATE INDEX swot_items_company ON swot_items (company_id);
COMMENT ON TABLE swot_items IS 'SWOT analysis items, from documented rules or the model, each with evidence.';
COMMENT ON COLUMN swot_items.id IS 'Item identifier.';
COMMENT ON COLUMN swot_items.document_id IS 'Document the item was drawn from.';
COMMENT ON COLUMN swot_items.chunk_seq IS 'Chunk holding the quoted evidence.';
COMMENT ON COLUMN swot_items.company_id IS 'Company analysed.';
COMMENT ON COLUMN swot_items.category IS 'strength, weakness, opportunity or threat.';
COMMENT ON COLUMN swot_items.statement IS 'The item in words.';
COMMENT ON COLUMN swot_items.rule_id IS 'Rule that produced it (rules backend), e.g. SWOT-LEV-01.';
COMMENT ON COLUMN swot_items.evidence IS 'Evidence facts and quotes as JSON: [{"fact_id":..}|{"quote":..,"page":..}].';
COMMENT ON COLUMN swot_items.page IS 'Page of the main evidence.';
COMMENT ON COLUMN swot_items.quote IS 'Main evidence quote, found verbatim in the chunk.';
COMMENT ON COLUMN swot_items.source_extractor IS 'rules or model.';
COMMENT ON COLUMN swot_items.model IS 'Model name when a model produced it.';
COMMENT ON COLUMN swot_items.model_fingerprint IS 'Checkpoint fingerprint when a model produced it.';
COMMENT ON COLUMN swot_items.prompt_version IS 'Prompt version when a model produced it.';
COMMENT ON COLUMN swot_items.run_id IS 'Run that loaded the item.';
COMMENT ON COLUMN swot_items.created_at IS 'When the item was loaded.';

CREATE TABLE entities (
    id               bigserial PRIMARY KEY,
    document_id      bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    chunk_seq        integer,
    kind             text NOT NULL CHECK (kind IN ('organization', 'person', 'country', 'jurisdiction', 'red_flag')),
    name             text NOT NULL,
    name_norm        text NOT NULL,
    attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
    page             integer,
    quote            text,
    char_start       bigint,
    source_extractor text NOT NULL,
    run_id           bigint REFERENCES runs (id),
    FOREIGN KEY (document_id, chunk_seq) REFERENCES chunks (document_id, seq) ON DELETE CASCADE
);
CREATE INDEX entities_document ON entities (document_id);
CREATE INDEX entities_name_norm ON entities (name_norm);
COMMENT ON TABLE entities IS 'Names, countries, jurisdictions and red-flag phrases found in documents, with evidence.';
COMMENT ON COLUMN entities.id IS 'Entity mention identifier.';
COMMENT ON COLUMN entities.document_id IS 'Document mentioning it.';
COMMENT ON COLUMN entities.chunk_seq IS 'Chunk holding the mention.';
COMMENT ON COLUMN entities.kind IS 'organization, person, country, jurisdiction or red_flag.';
COMMENT ON COLUMN entities.name IS 'Name or phrase as written.';
COMMENT ON COLUMN entities.name_norm IS 'Normalised form used for screening.';
COMMENT ON COLUMN entities.attributes IS 'Extra data as JSON (legal form, title, FATF list and its date...).';
COMMENT ON COLUMN entities.page IS 'Page of the mention.';
COMMENT ON COLUMN entities.quote IS 'Sentence around the mention.';
COMMENT ON COLUMN entities.char_start IS 'Offset of the mention in the document''s extracted text.';
COMMENT ON COLUMN entities.source_extractor IS 'Extractor that found it.';
COMMENT ON COLUMN entities.run_id IS 'Run that loaded it.';

CREATE TABLE sanctions_lists (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL CHECK (source IN ('ofac_sdn', 'eu_consolidated', 'un_consolidated')),
    version     text NOT NULL,
    published   date,
    file_sha256 text NOT NULL,
    entry_count integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sanctions_lists_active ON sanctions_lists (source) WHERE active;
COMMENT ON TABLE sanctions_lists IS 'Loaded versions of official sanctions lists; one active version per source, replaced atomically.';
COMMENT ON COLUMN sanctions_lists.id IS 'List version identifier.';
COMMENT ON COLUMN sanctions_lists.source IS 'ofac_sdn, eu_consolidated or un_consolidated.';
COMMENT ON COLUMN sanctions_lists.version IS 'Version label (publication date or file id).';
COMMENT ON COLUMN sanctions_lists.published IS 'Publication date stated by the list.';
COMMENT ON COLUMN sanctions_lists.file_sha256 IS 'SHA-256 of the loaded file(s).';
COMMENT ON COLUMN sanctions_lists.entry_count IS 'Entries loaded.';
COMMENT ON COLUMN sanctions_lists.active IS 'True for the version screening uses now.';
COMMENT ON COLUMN sanctions_lists.loaded_at IS 'When it was loaded.';

CREATE TABLE sanctions_entries (
    id          bigserial PRIMARY KEY,
    list_id     bigint NOT NULL REFERENCES sanctions_lists (id) ON DELETE CASCADE,
    ext_id      text NOT NULL,
    entry_type  text NOT NULL,
    name        text NOT NULL,
    programs    text,
    remarks     text,
    attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
    UNIQUE (list_id, ext_id)
);
COMMENT ON TABLE sanctions_entries IS 'Entries of a sanctions list version (persons, entities, vessels, aircraft).';
COMMENT ON COLUMN sanctions_entries.id IS 'Entry identifier.';
COMMENT ON COLUMN sanctions_entries.list_id IS 'List version.';
COMMENT ON COLUMN sanctions_entries.ext_id IS 'Identifier in the list (OFAC ent_num, EU logicalId, UN DATAID).';
COMMENT ON COLUMN sanctions_entries.entry_type IS 'individual, entity, vessel or aircraft.';
COMMENT ON COLUMN sanctions_entries.name IS 'Primary name.';
COMMENT ON COLUMN sanctions_entries.programs IS 'Sanctions programmes.';
COMMENT ON COLUMN sanctions_entries.remarks IS 'Remarks from the list.';
COMMENT ON COLUMN sanctions_entries.attributes IS 'Other fields (dates of birth, nationalities, addresses) as JSON.';

CREATE TABLE sanctions_names (
    id        bigserial PRIMARY KEY,
    entry_id  bigint NOT NULL REFERENCES sanctions_entries (id) ON DELETE CASCADE,
    name      text NOT NULL,
    name_norm text NOT NULL,
    is_alias  boolean NOT NULL DEFAULT false,
    alias_quality text
);
CREATE INDEX sanctions_names_entry ON sanctions_names (entry_id);
COMMENT ON TABLE sanctions_names IS 'Every name of an entry (primary and aliases) with its normalised form, for screening.';
COMMENT ON COLUMN sanctions_names.id IS 'Name identifier.';
COMMENT ON COLUMN sanctions_names.entry_id IS 'Entry it names.';
COMMENT ON COLUMN sanctions_names.name IS 'Name as listed.';
COMMENT ON COLUMN sanctions_names.name_norm IS 'Normalised name (case, punctuation, diacritics, transliteration, legal forms, token order).';
COMMENT ON COLUMN sanctions_names.is_alias IS 'True for an alias (a.k.a., f.k.a.).';
COMMENT ON COLUMN sanctions_names.alias_quality IS 'Alias strength as the list gives it (strong, weak) when stated.';

CREATE TABLE aml_alerts (
    id               bigserial PRIMARY KEY,
    dedup_key        text NOT NULL UNIQUE,
    kind             text NOT NULL CHECK (kind IN ('sanctions_match', 'high_risk_jurisdiction', 'red_flag')),
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'under_review', 'escalated', 'dismissed', 'confirmed')),
    document_id      bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    chunk_seq        integer,
    company_id       bigint REFERENCES companies (id),
    subject          text NOT NULL,
    score            numeric(5, 4),
    list_id          bigint REFERENCES sanctions_lists (id),
    list_version     text,
    matched_entry_id bigint REFERENCES sanctions_entries (id) ON DELETE SET NULL,
    matched_name     text,
    evidence         jsonb NOT NULL DEFAULT '{}'::jsonb,
    page             integer,
    quote            text,
    source_extractor text NOT NULL,
    run_id           bigint REFERENCES runs (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (document_id, chunk_seq) REFERENCES chunks (document_id, seq) ON DELETE CASCADE
);
CREATE INDEX aml_alerts_open ON aml_alerts (status, created_at) WHERE status IN ('open', 'under_review', 'escalated');
CREATE INDEX aml_alerts_company ON aml_alerts (company_id);
COMMENT ON TABLE aml_alerts IS 'AML alerts for compliance review: sanctions matches, high-risk jurisdictions, red-flag language.';
COMMENT ON COLUMN aml_alerts.id IS 'Alert identifier.';
COMMENT ON COLUMN aml_alerts.dedup_key IS 'Stable key (kind, document, subject, matched entry) so re-running never duplicates an alert.';
COMMENT ON COLUMN aml_alerts.kind IS 'sanctions_match, high_risk_jurisdiction or red_flag.';
COMMENT ON COLUMN aml_alerts.status IS 'Review state; changed only through the audited function.';
COMMENT ON COLUMN aml_alerts.document_id IS 'Document holding the evidence.';
COMMENT ON COLUMN aml_alerts.chunk_seq IS 'Chunk holding the evidence.';
COMMENT ON COLUMN aml_alerts.company_id IS 'Company concerned.';
COMMENT ON COLUMN aml_alerts.subject IS 'Name, jurisdiction or phrase found in the document.';
COMMENT ON COLUMN aml_alerts.score IS 'Match score 0..1 (sanctions matches).';
COMMENT ON COLUMN aml_alerts.list_id IS 'Sanctions list version matched.';
COMMENT ON COLUMN aml_alerts.list_version IS 'Version label of that list, kept even if the list is replaced.';
COMMENT ON COLUMN aml_alerts.matched_entry_id IS 'Sanctions entry matched.';
COMMENT ON COLUMN aml_alerts.matched_name IS 'Listed name matched (primary or alias).';
COMMENT ON COLUMN aml_alerts.evidence IS 'Evidence as JSON (scores per measure, FATF list date, rule).';
COMMENT ON COLUMN aml_alerts.page IS 'Page of the evidence.';
COMMENT ON COLUMN aml_alerts.quote IS 'Sentence of the document holding the subject.';
COMMENT ON COLUMN aml_alerts.source_extractor IS 'Extractor that raised it.';
COMMENT ON COLUMN aml_alerts.run_id IS 'Run that raised it.';
COMMENT ON COLUMN aml_alerts.created_at IS 'When it was raised.';
COMMENT ON COLUMN aml_alerts.updated_at IS 'Last status change.';

CREATE TABLE aml_alert_audit (
    id          bigserial PRIMARY KEY,
    alert_id    bigint NOT NULL REFERENCES aml_alerts (id),
    changed_at  timestamptz NOT NULL DEFAULT now(),
    changed_by  text NOT NULL DEFAULT session_user,
    client_addr inet DEFAULT inet_client_addr(),
    from_status text NOT NULL,
    to_status   text NOT NULL,
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX aml_alert_audit_alert ON aml_alert_audit (alert_id);
CREATE FUNCTION aml_alert_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'aml_alert_audit is append-only';
END $$;
CREATE TRIGGER aml_alert_audit_no_change BEFORE UPDATE OR DELETE ON aml_alert_audit
    FOR EACH ROW EXECUTE FUNCTION aml_alert_audit_append_only();
CREATE TRIGGER aml_alert_audit_no_truncate BEFORE TRUNCATE ON aml_alert_audit
    FOR EACH STATEMENT EXECUTE FUNCTION aml_alert_audit_append_only();
COMMENT ON TABLE aml_alert_audit IS 'Append-only trail of alert status changes: who, when, from where, from and to which status, and why.';
COMMENT ON COLUMN aml_alert_audit.id IS 'Audit row identifier.';
COMMENT ON COLUMN aml_alert_audit.alert_id IS 'Alert changed.';
COMMENT ON COLUMN aml_alert_audit.changed_at IS 'When.';
COMMENT ON COLUMN aml_alert_audit.changed_by IS 'Database user who made the change.';
COMMENT ON COLUMN aml_alert_audit.client_addr IS 'Client address of that session (NULL over a Unix socket).';
COMMENT ON COLUMN aml_alert_audit.from_status IS 'Status before.';
COMMENT ON COLUMN aml_alert_audit.to_status IS 'Status after.';
COMMENT ON COLUMN aml_alert_audit.note IS 'Reviewer''s note.';

CREATE TABLE work_queue (
    document_id     bigint PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    path            text NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'leased', 'done', 'quarantined')),
    attempts        integer NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    lease_expires   timestamptz,
    last_error      text,
    run_id          bigint REFERENCES runs (id),
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX work_queue_ready ON work_queue (not_before) WHERE state IN ('pending', 'leased');
COMMENT ON TABLE work_queue IS 'Documents waiting to be processed; claimed with FOR UPDATE SKIP LOCKED and a lease, so any number of workers on any hosts can share it.';
COMMENT ON COLUMN work_queue.document_id IS 'Document to process.';
COMMENT ON COLUMN work_queue.path IS 'Local path of the bytes to process.';
COMMENT ON COLUMN work_queue.state IS 'pending, leased (a worker holds it until lease_expires), done or quarantined.';
COMMENT ON COLUMN work_queue.attempts IS 'Claims so far.';
COMMENT ON COLUMN work_queue.not_before IS 'Earliest time of the next attempt (retry backoff).';
COMMENT ON COLUMN work_queue.lease_owner IS 'host:pid of the worker holding the lease.';
COMMENT ON COLUMN work_queue.lease_expires IS 'When the lease lapses; a lapsed lease is reclaimed by any worker.';
COMMENT ON COLUMN work_queue.last_error IS 'Last error, for the record.';
COMMENT ON COLUMN work_queue.run_id IS 'Run that enqueued it.';
COMMENT ON COLUMN work_queue.enqueued_at IS 'When it was enqueued.';
COMMENT ON COLUMN work_queue.updated_at IS 'Last change.';
