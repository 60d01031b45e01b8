-- 0005_review_credit.sql - compliance and credit readers get the credit and reference views
-- (created by 0002 and 0003), and the review view for credit analysis.

CREATE VIEW review_credit AS
SELECT co.name AS company, co.cik, r.fiscal_year, r.fiscal_period, r.period_start, r.period_end,
       r.revenue, r.revenue_yoy_growth, r.gross_margin, r.operating_margin, r.net_margin,
       r.ebitda, r.total_debt, r.debt_to_equity, r.debt_to_ebitda, r.interest_coverage,
       r.current_ratio, r.company_id
FROM credit_ratios r JOIN companies co ON co.id = r.company_id;
COMMENT ON VIEW review_credit IS 'Credit ratios per company and fiscal period, with the company named: the credit review view.';
COMMENT ON COLUMN review_credit.company IS 'Company name.';
COMMENT ON COLUMN review_credit.cik IS 'SEC CIK.';
COMMENT ON COLUMN review_credit.fiscal_year IS 'Fiscal year.';
COMMENT ON COLUMN review_credit.fiscal_period IS 'FY, Q1..Q4 or instant.';
COMMENT ON COLUMN review_credit.period_start IS 'Start of the period.';
COMMENT ON COLUMN review_credit.period_end IS 'End of the period.';
COMMENT ON COLUMN review_credit.revenue IS 'Revenue of the period.';
COMMENT ON COLUMN review_credit.revenue_yoy_growth IS 'Revenue growth on the same period a year earlier.';
COMMENT ON COLUMN review_credit.gross_margin IS 'Gross profit / revenue.';
COMMENT ON COLUMN review_credit.operating_margin IS 'Operating income / revenue.';
COMMENT ON COLUMN review_credit.net_margin IS 'Net income / revenue.';
COMMENT ON COLUMN review_credit.ebitda IS 'Operating income + depreciation and amortisation.';
COMMENT ON COLUMN review_credit.total_debt IS 'Current plus long-term debt.';
COMMENT ON COLUMN review_credit.debt_to_equity IS 'Total debt / equity.';
COMMENT ON COLUMN review_credit.debt_to_ebitda IS 'Total debt / EBITDA.';
COMMENT ON COLUMN review_credit.interest_coverage IS 'Operating income / interest expense.';
COMMENT ON COLUMN review_credit.current_ratio IS 'Current assets / current liabilities.';
COMMENT ON COLUMN review_credit.company_id IS 'Company identifier.';

GRANT SELECT ON review_credit, credit_ratios, company_metrics, fatf_jurisdictions, fatf_jurisdictions_current
    TO dossier_reader;
GRANT SELECT ON credit_ratios, company_metrics, fatf_jurisdictions, fatf_jurisdictions_current TO dossier_writer;

-- The open-alerts view is read newest first.
CREATE INDEX aml_alerts_open_recent ON aml_alerts (created_at DESC)
    WHERE status IN ('open', 'under_review', 'escalated');
