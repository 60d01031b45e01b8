-- 0016_review_metrics_verification.sql - review_metrics shows each figure's verification status
-- and the check that decided it (company_metrics.verification, sql/0013_verification.sql), so a
-- reader sees whether a figure was verified, is unverified or conflicts, without base tables.
CREATE OR REPLACE VIEW review_metrics AS
SELECT co.name AS company, co.cik, m.metric, m.fiscal_period, m.fiscal_year, m.period_start, m.period_end,
       m.value, m.unit, m.source_extractor, m.concept, d.name AS document, m.page, m.quote, m.company_id,
       m.document_id, m.fact_id, m.verification, m.verification_check
FROM company_metrics m
JOIN documents d ON d.id = m.document_id
LEFT JOIN companies co ON co.id = m.company_id;
COMMENT ON COLUMN review_metrics.verification IS 'reported (XBRL), verified, unverified or conflict.';
COMMENT ON COLUMN review_metrics.verification_check IS 'Check that decided the status (balance_sheet, gross_profit, ...).';
