-- 0020_edgar_daily_index.sql - the second discovery path and exhibits: the days of EDGAR's daily
-- form index already read (so a day is read once), how each filing was found, and the exhibits
-- fetched with a filing, each linked to its filing and to the document it became.

CREATE TABLE edgar_index_days (
    day        date PRIMARY KEY,
    status     text NOT NULL CHECK (status IN ('read', 'absent')),
    entries    integer NOT NULL DEFAULT 0,
    matched    integer NOT NULL DEFAULT 0,
    read_by    text,
    read_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE edgar_index_days IS 'Days of EDGAR''s daily form index looked at by watchlist discovery: a day read is not read again; an absent day (no index: a weekend, a holiday, not yet published) is tried again while it is within watchlist.daily_index_days.';
COMMENT ON COLUMN edgar_index_days.day IS 'The day of the index (form.YYYYMMDD.idx).';
COMMENT ON COLUMN edgar_index_days.status IS 'read (fetched and parsed; its watched filings recorded) or absent (the SEC answered 404 or 403).';
COMMENT ON COLUMN edgar_index_days.entries IS 'Filings listed in the index.';
COMMENT ON COLUMN edgar_index_days.matched IS 'Of them, filings of watched companies in wanted forms.';
COMMENT ON COLUMN edgar_index_days.read_by IS 'Process (worker id or host, and pid) that read it.';
COMMENT ON COLUMN edgar_index_days.read_at IS 'When it was last looked at.';

ALTER TABLE filings ADD COLUMN found_by text CHECK (found_by IN ('submissions', 'daily_index'));
COMMENT ON COLUMN filings.found_by IS 'The discovery path that recorded the filing first: submissions (the company''s submissions JSON) or daily_index (EDGAR''s daily form index); NULL for filings recorded before migration 0020.';

CREATE TABLE filing_documents (
    accession     text NOT NULL REFERENCES filings (accession),
    document      text NOT NULL,
    type          text NOT NULL,
    description   text,
    url           text NOT NULL,
    status        text NOT NULL DEFAULT 'discovered' CHECK (status IN ('discovered', 'fetched', 'failed')),
    error_message text,
    document_id   bigint REFERENCES documents (id),
    fetched_at    timestamptz,
    PRIMARY KEY (accession, document)
);
CREATE INDEX filing_documents_document ON filing_documents (document_id);
COMMENT ON TABLE filing_documents IS 'Exhibits of watchlist filings fetched as documents of their own (watchlist.exhibits), one row per filing and file.';
COMMENT ON COLUMN filing_documents.accession IS 'The filing the exhibit belongs to.';
COMMENT ON COLUMN filing_documents.document IS 'File name within the filing.';
COMMENT ON COLUMN filing_documents.type IS 'Exhibit type from the filing index (EX-99.1, EX-10.2, EX-21.1...).';
COMMENT ON COLUMN filing_documents.description IS 'Description from the filing index; NULL when none.';
COMMENT ON COLUMN filing_documents.url IS 'URL the exhibit is fetched from.';
COMMENT ON COLUMN filing_documents.status IS 'discovered (waiting), fetched (enqueued as document_id), failed (error_message says why).';
COMMENT ON COLUMN filing_documents.error_message IS 'Why the fetch failed; NULL otherwise.';
COMMENT ON COLUMN filing_documents.document_id IS 'The document the exhibit became; NULL until fetched.';
COMMENT ON COLUMN filing_documents.fetched_at IS 'When it was fetched.';
