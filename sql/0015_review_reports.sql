-- 0015_review_reports.sql - what compliance readers and analyst reports need beyond 0004/0005:
--   * review_metrics: the consolidated metrics of company_metrics with the company, the document,
--     the page and the quote named, readable by dossier_reader (who reads no base table);
--   * company_fiscal_calendar: each company's fiscal calendar as its filings state it in their
--     dei cover facts (CurrentFiscalYearEndDate, DocumentFiscalYearFocus,
--     DocumentFiscalPeriodFocus), so quarters are labelled the way the company names them;
--   * alerts that carry no score (jurisdictions, red flags) hold NULL, never 0.

CREATE VIEW review_metrics AS
SELECT co.name AS company, co.cik, m.metric, m.fiscal_period, m.fiscal_year, m.period_start, m.period_end,
       m.value, m.unit, m.source_extractor, m.concept, d.name AS document, m.page, m.quote, m.company_id,
       m.document_id, m.fact_id
FROM company_metrics m
JOIN documents d ON d.id = m.document_id
LEFT JOIN companies co ON co.id = m.company_id;
COMMENT ON VIEW review_metrics IS 'Consolidated metrics per company and period (company_metrics) with the company, document, page and quote named: reported figures with their provenance.';
COMMENT ON COLUMN review_metrics.company IS 'Company name (NULL when the document names none).';
COMMENT ON COLUMN review_metrics.cik IS 'SEC CIK.';
COMMENT ON COLUMN review_metrics.metric IS 'Canonical metric (revenue, net_income, total_assets, long_term_debt, ...).';
COMMENT ON COLUMN review_metrics.fiscal_period IS 'FY, Q1..Q4, 6M, 9M, other, or instant for balance-sheet values.';
COMMENT ON COLUMN review_metrics.fiscal_year IS 'Fiscal year holding the period end (as company_metrics counts it).';
COMMENT ON COLUMN review_metrics.period_start IS 'Start of the duration; NULL for an instant.';
COMMENT ON COLUMN review_metrics.period_end IS 'End of the duration, or the instant.';
COMMENT ON COLUMN review_metrics.value IS 'Exact value in the unit.';
COMMENT ON COLUMN review_metrics.unit IS 'Unit (USD, USD/shares...).';
COMMENT ON COLUMN review_metrics.source_extractor IS 'ixbrl, xbrl, pdf_table, html_table or model.';
COMMENT ON COLUMN review_metrics.concept IS 'XBRL concept or statement row label.';
COMMENT ON COLUMN review_metrics.document IS 'File name of the document holding the figure.';
COMMENT ON COLUMN review_metrics.page IS 'Page where the figure is shown.';
COMMENT ON COLUMN review_metrics.quote IS 'The figure as the document shows it.';
COMMENT ON COLUMN review_metrics.company_id IS 'Company identifier.';
COMMENT ON COLUMN review_metrics.document_id IS 'Document identifier.';
COMMENT ON COLUMN review_metrics.fact_id IS 'The fact kept (facts.id).';

CREATE VIEW company_fiscal_calendar AS
WITH dei AS (
    SELECT f.document_id, f.company_id,
           CASE WHEN f.company_id IS NULL THEN f.document_id END AS scope_document_id,
           max(f.value_text) FILTER (WHERE f.concept = 'dei:CurrentFiscalYearEndDate') AS fy_end,
           max(f.value_text) FILTER (WHERE f.concept = 'dei:DocumentFiscalYearFocus') AS fy_focus,
           max(f.value_text) FILTER (WHERE f.concept = 'dei:DocumentFiscalPeriodFocus') AS fp_focus
    FROM facts f
    WHERE f.concept IN ('dei:CurrentFiscalYearEndDate', 'dei:DocumentFiscalYearFocus', 'dei:DocumentFiscalPeriodFocus')
      AND f.dimensions = ''
    GROUP BY f.document_id, f.company_id
),
parsed AS (
    SELECT x.*, d.period_end,
           -- --MM-DD; a year ending in the first week of a month is a 52/53-week year of the month before
           CASE WHEN x.fy_end ~ '^--[0-9]{2}-[0-9]{2}$' AND substr(x.fy_end, 3, 2)::int BETWEEN 1 AND 12 THEN
                CASE WHEN substr(x.fy_end, 6, 2)::int <= 7 THEN (substr(x.fy_end, 3, 2)::int + 10) % 12 + 1
                     ELSE substr(x.fy_end, 3, 2)::int END
                -- else from the period focus: the quarter ending at the period end
                WHEN x.fp_focus IN ('Q1', 'Q2', 'Q3', 'FY') AND d.period_end IS NOT NULL THEN
                ((CASE WHEN extract(day FROM d.period_end) <= 7 THEN (extract(month FROM d.period_end)::int + 10) % 12 + 1
                       ELSE extract(month FROM d.period_end)::int END
                  + CASE x.fp_focus WHEN 'Q1' THEN 9 WHEN 'Q2' THEN 6 WHEN 'Q3' THEN 3 ELSE 0 END - 1) % 12) + 1
           END AS fy_end_month,
           CASE WHEN x.fy_focus ~ '^[0-9]{4}$' THEN x.fy_focus::int END AS fiscal_year_focus
    FROM dei x JOIN documents d ON d.id = x.document_id
),
closing AS (
    SELECT p.*,
           -- the calendar year in which the fiscal year holding the period end closes
           CASE WHEN p.period_end IS NULL OR p.fy_end_month IS NULL THEN NULL
                ELSE extract(year FROM p.period_end - 7)::int
                     + CASE WHEN CASE WHEN extract(day FROM p.period_end) <= 7
                                      THEN (extract(month FROM p.period_end)::int + 10) % 12 + 1
                                      ELSE extract(month FROM p.period_end)::int END > p.fy_end_month THEN 1 ELSE 0 END
           END AS closing_year
    FROM parsed p
)
SELECT DISTINCT ON (company_id, scope_document_id)
       company_id, scope_document_id, fy_end_month,
       coalesce(fiscal_year_focus - closing_year, CASE WHEN fy_end_month <= 5 THEN -1 ELSE 0 END) AS fiscal_year_offset,
       fiscal_year_focus, fp_focus AS fiscal_period_focus, period_end, document_id
FROM closing
WHERE fy_end_month IS NOT NULL
ORDER BY company_id, scope_document_id, period_end DESC NULLS LAST, document_id DESC;
COMMENT ON VIEW company_fiscal_calendar IS 'Fiscal calendar of each company as its latest filing states it in dei cover facts: the month its fiscal year ends and how it names a fiscal year (closing calendar year + fiscal_year_offset).';
COMMENT ON COLUMN company_fiscal_calendar.company_id IS 'Reporting company; NULL when unknown (see scope_document_id).';
COMMENT ON COLUMN company_fiscal_calendar.scope_document_id IS 'For a document without a company: that document.';
COMMENT ON COLUMN company_fiscal_calendar.fy_end_month IS 'Month the fiscal year ends (dei:CurrentFiscalYearEndDate; a year ending in the first 7 days of a month counts as ending in the month before), else derived from dei:DocumentFiscalPeriodFocus and the period end.';
COMMENT ON COLUMN company_fiscal_calendar.fiscal_year_offset IS 'Fiscal year name = calendar year in which the fiscal year closes + this (0 for most companies, -1 for a year ending in January named after the year it began).';
COMMENT ON COLUMN company_fiscal_calendar.fiscal_year_focus IS 'dei:DocumentFiscalYearFocus of that filing.';
COMMENT ON COLUMN company_fiscal_calendar.fiscal_period_focus IS 'dei:DocumentFiscalPeriodFocus of that filing (FY, Q1, Q2, Q3).';
COMMENT ON COLUMN company_fiscal_calendar.period_end IS 'Period end of that filing.';
COMMENT ON COLUMN company_fiscal_calendar.document_id IS 'The filing the calendar is read from.';

-- Scores exist for sanctions matches only.
UPDATE aml_alerts SET score = NULL WHERE kind IN ('high_risk_jurisdiction', 'red_flag') AND score = 0;
COMMENT ON COLUMN review_open_alerts.score IS 'Match score 0..1 for sanctions matches; NULL for alerts without a score (jurisdictions, red flags).';

GRANT SELECT ON review_metrics, company_fiscal_calendar TO dossier_reader;
GRANT SELECT ON company_fiscal_calendar TO dossier_writer;
