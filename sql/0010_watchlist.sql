-- 0010_watchlist.sql - the shared request rate limit for polite fetching (every process on every
-- host counts against one window per remote service), the EDGAR filings found for the watchlist,
-- with the link from an amendment to the filing it amends, and the history of a company's
-- filings per form and period.

CREATE TABLE fetch_rate_limits (
    host_key     text PRIMARY KEY,
    slots        timestamptz[] NOT NULL DEFAULT '{}',
    paused_until timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE fetch_rate_limits IS 'Sliding-window request limit shared by every fetching process: one row per remote service, updated in one statement per request under its row lock.';
COMMENT ON COLUMN fetch_rate_limits.host_key IS 'The service counted: sec.gov for www.sec.gov, data.sec.gov and every other SEC host together; the host name otherwise.';
COMMENT ON COLUMN fetch_rate_limits.slots IS 'Start times granted to the last requests (at most the limit of them), oldest first; a new one starts no earlier than one window after the one that many places back.';
COMMENT ON COLUMN fetch_rate_limits.paused_until IS 'No request starts before this (set from Retry-After or a throttle page); NULL when never paused.';
COMMENT ON COLUMN fetch_rate_limits.updated_at IS 'When a slot was last granted or a pause set.';

CREATE TABLE filings (
    accession        text PRIMARY KEY CHECK (accession ~ '^[0-9]{10}-[0-9]{2}-[0-9]{6}$'),
    cik              bigint NOT NULL,
    company          text,
    form             text NOT NULL,
    filing_date      date NOT NULL,
    report_date      date,
    primary_document text,
    url              text,
    amends_accession text REFERENCES filings (accession),
    status           text NOT NULL DEFAULT 'discovered'
                     CHECK (status IN ('discovered', 'fetched', 'skipped', 'failed')),
    error_message    text,
    document_id      bigint REFERENCES documents (id),
    discovered_at    timestamptz NOT NULL DEFAULT now(),
    fetched_at       timestamptz
);
CREATE INDEX filings_cik ON filings (cik, form, report_date);
CREATE INDEX filings_amends ON filings (amends_accession);
COMMENT ON TABLE filings IS 'EDGAR filings found by watchlist discovery, one row per accession: what was found, and whether its primary document was fetched; an accession recorded here is never fetched twice.';
COMMENT ON COLUMN filings.accession IS 'EDGAR accession number (0000320193-24-000123).';
COMMENT ON COLUMN filings.cik IS 'SEC CIK of the filer.';
COMMENT ON COLUMN filings.company IS 'Filer name as EDGAR gives it.';
COMMENT ON COLUMN filings.form IS 'Form type (10-K, 10-K/A, 10-Q, 8-K, 20-F, 6-K...).';
COMMENT ON COLUMN filings.filing_date IS 'Date the filing was accepted by EDGAR.';
COMMENT ON COLUMN filings.report_date IS 'Period of report (end of the period the filing covers); NULL when EDGAR gives none.';
COMMENT ON COLUMN filings.primary_document IS 'File name of the primary document within the filing.';
COMMENT ON COLUMN filings.url IS 'URL the primary document is fetched from.';
COMMENT ON COLUMN filings.amends_accession IS 'The filing this one amends or restates: the latest earlier filing of the same company, base form and period; NULL for an original.';
COMMENT ON COLUMN filings.status IS 'discovered (waiting), fetched (its document enqueued), skipped (form or date not wanted), failed (fetch failed; error_message says why).';
COMMENT ON COLUMN filings.error_message IS 'Why the fetch failed; NULL otherwise.';
COMMENT ON COLUMN filings.document_id IS 'The document its primary document became; NULL until fetched.';
COMMENT ON COLUMN filings.discovered_at IS 'When discovery first recorded it.';
COMMENT ON COLUMN filings.fetched_at IS 'When its primary document was fetched.';

-- Amendments: a filing supersedes the earlier filings of the same company, base form and period
-- (10-K/A over 10-K); the latest one is current, the others stay as history.
CREATE VIEW filing_history AS
SELECT f.accession, f.cik, f.company, f.form, regexp_replace(f.form, '/A$', '') AS base_form, f.report_date,
       f.filing_date, f.amends_accession, f.document_id,
       row_number() OVER (PARTITION BY f.cik, regexp_replace(f.form, '/A$', ''), f.report_date
                          ORDER BY f.filing_date DESC, f.accession DESC) AS filing_rank
FROM filings f;
COMMENT ON VIEW filing_history IS 'Every filing with its place among the filings of the same company, base form and period: filing_rank 1 is the latest (an amendment over what it amends); the others are kept as history. Views choosing among values of equal verification status order by filing_date DESC, which this rank follows.';
COMMENT ON COLUMN filing_history.accession IS 'EDGAR accession number.';
COMMENT ON COLUMN filing_history.cik IS 'SEC CIK of the filer.';
COMMENT ON COLUMN filing_history.company IS 'Filer name.';
COMMENT ON COLUMN filing_history.form IS 'Form type as filed.';
COMMENT ON COLUMN filing_history.base_form IS 'Form type without the amendment suffix /A.';
COMMENT ON COLUMN filing_history.report_date IS 'Period of report.';
COMMENT ON COLUMN filing_history.filing_date IS 'Date filed.';
COMMENT ON COLUMN filing_history.amends_accession IS 'The filing this one amends, NULL for an original.';
COMMENT ON COLUMN filing_history.document_id IS 'Its primary document, once fetched.';
COMMENT ON COLUMN filing_history.filing_rank IS '1 for the latest filing of the company, base form and period; 2, 3... for those it superseded.';
