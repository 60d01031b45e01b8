-- 0012_document_identity.sql - what a PDF filing says about itself (registrant, CIK, form,
-- period end, fiscal year and quarter), each with the page and the line it was read from, and
-- the name key that joins a PDF to the company of the same filer's iXBRL and EDGAR documents.

-- The key two spellings of one company's name share; the same rule as
-- ds_doc_identity_name_key in extract/doc_identity.c.
CREATE FUNCTION company_match_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
               btrim(regexp_replace(replace(lower(translate(name, '''‘’', '')), '&', ' and '),
                                    '[^a-z0-9\u0080-\U0010FFFF]+', ' ', 'g')),
               '^the ', ''),
               '\mcorporation\M', 'corp', 'g'), '\mcompany\M', 'co', 'g'),
               '\mincorporated\M', 'inc', 'g'), '\mlimited\M', 'ltd', 'g')
$$;
COMMENT ON FUNCTION company_match_key(text) IS 'Name key for joining a document without a CIK to its company: lower case, apostrophes dropped, & as and, punctuation as spaces, a leading "the" dropped, corporation/company/incorporated/limited as corp/co/inc/ltd.';

CREATE INDEX companies_match_key ON companies (company_match_key(name));

CREATE TABLE document_identity (
    document_id     bigint PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    company_name    text,
    company_page    integer,
    company_quote   text,
    cik             text CHECK (cik ~ '^[0-9]{1,10}$'),
    cik_page        integer,
    cik_quote       text,
    form            text,
    sec_form        text,
    form_page       integer,
    form_quote      text,
    period_end      date,
    period_page     integer,
    period_quote    text,
    fiscal_year     integer,
    fiscal_period   text CHECK (fiscal_period IN ('FY', 'Q1', 'Q2', 'Q3', 'Q4')),
    fiscal_page     integer,
    fiscal_quote    text,
    extractor       text NOT NULL DEFAULT 'doc_identity',
    run_id          bigint REFERENCES runs (id)
);
COMMENT ON TABLE document_identity IS 'Identity a PDF filing states about itself (cover page, earnings-release headline, statement headers), each field with the page and line it was read from; one row per PDF document, replaced when the document is reloaded.';
COMMENT ON COLUMN document_identity.document_id IS 'The document.';
COMMENT ON COLUMN document_identity.company_name IS 'Registrant name as printed (the first registrant of a combined filing); NULL when not found.';
COMMENT ON COLUMN document_identity.company_page IS '1-based page the registrant name was read on.';
COMMENT ON COLUMN document_identity.company_quote IS 'The line the registrant name was read from.';
COMMENT ON COLUMN document_identity.cik IS 'SEC CIK when the document prints one, without leading zeros.';
COMMENT ON COLUMN document_identity.cik_page IS '1-based page the CIK was read on.';
COMMENT ON COLUMN document_identity.cik_quote IS 'The line the CIK was read from.';
COMMENT ON COLUMN document_identity.form IS 'Form as the document presents itself: 10-K, 10-Q, 8-K, 20-F, 40-F, earnings release or annual report.';
COMMENT ON COLUMN document_identity.sec_form IS 'The SEC form of its cover page, also when wrapped in an annual report (form annual report, sec_form 10-K); NULL without a cover.';
COMMENT ON COLUMN document_identity.form_page IS '1-based page the form was read on.';
COMMENT ON COLUMN document_identity.form_quote IS 'The line the form was read from (cover form line, annual report title, release headline or banner).';
COMMENT ON COLUMN document_identity.period_end IS 'End of the period the document reports (cover "For the fiscal year ended ...", a release''s "quarter ended ...").';
COMMENT ON COLUMN document_identity.period_page IS '1-based page the period end was read on.';
COMMENT ON COLUMN document_identity.period_quote IS 'The line the period end was read from.';
COMMENT ON COLUMN document_identity.fiscal_year IS 'Fiscal year as the company names it ("second quarter fiscal 2024"); for an annual document without such words, the year its period ends (the year before for a 52/53-week year ending in the first week of January).';
COMMENT ON COLUMN document_identity.fiscal_period IS 'FY for an annual document, Q1..Q4 only where the document names the quarter; NULL otherwise.';
COMMENT ON COLUMN document_identity.fiscal_page IS '1-based page the fiscal year was read on.';
COMMENT ON COLUMN document_identity.fiscal_quote IS 'The line the fiscal year was read from.';
COMMENT ON COLUMN document_identity.extractor IS 'Extractor that read the identity.';
COMMENT ON COLUMN document_identity.run_id IS 'Run that loaded the row.';

GRANT SELECT, INSERT, UPDATE, DELETE ON document_identity TO dossier_writer;
