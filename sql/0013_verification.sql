-- 0013_verification.sql - verification status of facts: every fact carries "reported" (XBRL,
-- tagged by the filer), "verified" (a statement's printed arithmetic or a second printing of
-- the same value confirms it), "unverified" (no check reached it) or "conflict" (the printed
-- parts disagree), with the check that decided it (extract/verify.c). company_metrics prefers
-- a verified value and shows its status; credit_ratios and review_credit say which inputs are
-- not verified and flag values outside documented bounds (a margin above 100%, negative total
-- assets, a current ratio above 100 or below 0) instead of showing them as numbers.
-- New view columns are appended at the end; existing facts are marked by their extractor.

ALTER TABLE facts
    ADD COLUMN verification text CHECK (verification IN ('reported', 'verified', 'unverified', 'conflict')),
    ADD COLUMN verification_check text;
COMMENT ON COLUMN facts.verification IS 'reported (XBRL), verified (the statement''s arithmetic or a second printing confirms it), unverified (no check reached it) or conflict (the printed parts disagree); NULL only for facts loaded before verification existed.';
COMMENT ON COLUMN facts.verification_check IS 'The check that decided the status: balance_sheet, gross_profit, current_subtotals, cash_flow_end_cash, net_income_two_statements, same_value_twice, xbrl, scale_not_stated, model, none, or not_checked for a table fact loaded before verification existed.';

UPDATE facts SET verification = CASE WHEN source_extractor IN ('ixbrl', 'xbrl') THEN 'reported' ELSE 'unverified' END,
                 verification_check = CASE WHEN source_extractor IN ('ixbrl', 'xbrl') THEN 'xbrl'
                                           WHEN source_extractor = 'model' THEN 'model'
                                           ELSE 'not_checked' END
WHERE verification IS NULL;

CREATE OR REPLACE VIEW company_metrics AS
WITH base AS (
    SELECT f.id AS fact_id, f.document_id, f.company_id,
           CASE WHEN f.company_id IS NULL THEN f.document_id END AS scope_document_id,
           f.metric, f.value, f.unit, f.period_start, f.period_end, f.source_extractor, f.concept, f.page,
           f.chunk_seq, f.quote, f.verification, f.verification_check,
           CASE WHEN f.verification IN ('verified', 'reported') THEN 0
                WHEN f.verification = 'conflict' THEN 2
                ELSE 1 END AS verification_rank,
           CASE WHEN f.source_extractor IN ('ixbrl', 'xbrl') THEN 1
                WHEN f.source_extractor IN ('pdf_table', 'html_table') THEN 2
                WHEN f.source_extractor = 'model' THEN 3
                ELSE 4 END AS source_rank,
           d.filing_date, d.loaded_at
    FROM facts f
    JOIN documents d ON d.id = f.document_id
    WHERE f.metric IS NOT NULL AND f.dimensions = '' AND f.value IS NOT NULL AND f.period_end IS NOT NULL
),
fy AS (
    SELECT company_id, scope_document_id,
           mode() WITHIN GROUP (ORDER BY CASE WHEN extract(day FROM period_end) <= 7
                                              THEN (extract(month FROM period_end)::integer + 10) % 12 + 1
                                              ELSE extract(month FROM period_end)::integer END) AS fy_end_month
    FROM base
    WHERE period_start IS NOT NULL AND period_end - period_start + 1 BETWEEN 350 AND 380
    GROUP BY company_id, scope_document_id
),
classified AS (
    SELECT b.*, COALESCE(fy.fy_end_month, 12) AS fy_end_month,
           fiscal_period_label(b.period_start, b.period_end, COALESCE(fy.fy_end_month, 12)) AS fiscal_period
    FROM base b
    LEFT JOIN fy ON fy.company_id IS NOT DISTINCT FROM b.company_id
                AND fy.scope_document_id IS NOT DISTINCT FROM b.scope_document_id
),
best AS (
    -- One value per fiscal period and end date: a table's estimate of a 52/53-week year's start
    -- does not make a second period next to the XBRL one.
    SELECT DISTINCT ON (company_id, scope_document_id, metric, fiscal_period, period_end,
                        CASE WHEN fiscal_period = 'other' THEN period_start END) *
    FROM classified
    ORDER BY company_id, scope_document_id, metric, fiscal_period, period_end,
             CASE WHEN fiscal_period = 'other' THEN period_start END, source_rank, verification_rank,
             filing_date DESC NULLS LAST, loaded_at DESC NULLS LAST, document_id DESC, fact_id
)
SELECT b.company_id, b.scope_document_id, b.metric, b.fiscal_period,
       fiscal_year_of(b.period_end, b.fy_end_month) AS fiscal_year, b.fy_end_month,
       b.period_start, b.period_end, b.value, b.unit, b.source_extractor, b.concept, b.document_id, b.fact_id,
       b.page, b.chunk_seq, b.quote, COALESCE(b.verification, 'unverified') AS verification,
       COALESCE(b.verification_check, 'none') AS verification_check
FROM best b;
COMMENT ON VIEW company_metrics IS 'One value per company, canonical metric and fiscal period (FY, Q1..Q4, 6M, 9M, instant, with its end date): the consolidated fact (no dimensions), from XBRL (ixbrl, xbrl) before statement tables (pdf_table, html_table) before the model, a verified value before an unverified one before a conflict, then from the latest filing.';
COMMENT ON COLUMN company_metrics.verification IS 'Status of the fact kept: reported (XBRL), verified, unverified or conflict (see facts.verification).';
COMMENT ON COLUMN company_metrics.verification_check IS 'Check that decided the status (facts.verification_check).';

CREATE OR REPLACE VIEW credit_ratios AS
WITH periods AS (
    SELECT company_id, scope_document_id, fiscal_period, fiscal_year, period_end,
           COALESCE(max(period_start) FILTER (WHERE metric = 'revenue'), max(period_start)) AS period_start
    FROM company_metrics
    WHERE fiscal_period IN ('FY', 'Q1', 'Q2', 'Q3', 'Q4')
    GROUP BY company_id, scope_document_id, fiscal_period, fiscal_year, period_end
    UNION
    SELECT DISTINCT i.company_id, i.scope_document_id, 'instant', i.fiscal_year, i.period_end, NULL::date
    FROM company_metrics i
    WHERE i.fiscal_period = 'instant'
      AND NOT EXISTS (SELECT 1 FROM company_metrics d
                      WHERE d.company_id IS NOT DISTINCT FROM i.company_id
                        AND d.scope_document_id IS NOT DISTINCT FROM i.scope_document_id
                        AND d.period_end = i.period_end AND d.fiscal_period IN ('FY', 'Q1', 'Q2', 'Q3', 'Q4'))
),
inputs AS (
    SELECT p.company_id, p.scope_document_id, p.fiscal_period, p.fiscal_year, p.period_start, p.period_end,
           max(m.value) FILTER (WHERE m.metric = 'revenue' AND m.fiscal_period = p.fiscal_period) AS revenue,
           max(m.value) FILTER (WHERE m.metric = 'cost_of_revenue' AND m.fiscal_period = p.fiscal_period)
               AS cost_of_revenue,
           max(m.value) FILTER (WHERE m.metric = 'gross_profit' AND m.fiscal_period = p.fiscal_period) AS gross_profit,
           max(m.value) FILTER (WHERE m.metric = 'operating_income' AND m.fiscal_period = p.fiscal_period)
               AS operating_income,
           max(m.value) FILTER (WHERE m.metric = 'net_income' AND m.fiscal_period = p.fiscal_period) AS net_income,
           max(m.value) FILTER (WHERE m.metric = 'interest_expense' AND m.fiscal_period = p.fiscal_period)
               AS interest_expense,
           max(m.value) FILTER (WHERE m.metric = 'depreciation_amortization' AND m.fiscal_period = p.fiscal_period)
               AS depreciation_amortization,
           max(m.value) FILTER (WHERE m.metric = 'operating_cash_flow' AND m.fiscal_period = p.fiscal_period)
               AS operating_cash_flow,
           max(m.value) FILTER (WHERE m.metric = 'current_assets' AND m.fiscal_period = 'instant') AS current_assets,
           max(m.value) FILTER (WHERE m.metric = 'current_liabilities' AND m.fiscal_period = 'instant')
               AS current_liabilities,
           max(m.value) FILTER (WHERE m.metric = 'total_assets' AND m.fiscal_period = 'instant') AS total_assets,
           max(m.value) FILTER (WHERE m.metric = 'total_liabilities' AND m.fiscal_period = 'instant') AS total_liabilities,
           max(m.value) FILTER (WHERE m.metric = 'equity' AND m.fiscal_period = 'instant') AS equity,
           max(m.value) FILTER (WHERE m.metric = 'cash' AND m.fiscal_period = 'instant') AS cash,
           max(m.value) FILTER (WHERE m.metric = 'short_term_debt' AND m.fiscal_period = 'instant') AS short_term_debt,
           max(m.value) FILTER (WHERE m.metric = 'short_term_borrowings' AND m.fiscal_period = 'instant')
               AS short_term_borrowings,
           max(m.value) FILTER (WHERE m.metric = 'current_portion_long_term_debt' AND m.fiscal_period = 'instant')
               AS current_portion_long_term_debt,
           max(m.value) FILTER (WHERE m.metric = 'long_term_debt' AND m.fiscal_period = 'instant') AS long_term_debt,
           array_agg(DISTINCT m.metric ORDER BY m.metric)
               FILTER (WHERE m.verification NOT IN ('verified', 'reported')
                         AND (m.fiscal_period = p.fiscal_period OR m.fiscal_period = 'instant')) AS unverified_inputs,
           bool_or(m.verification = 'conflict')
               FILTER (WHERE m.fiscal_period = p.fiscal_period OR m.fiscal_period = 'instant') AS any_conflict,
           bool_and(m.verification = 'reported')
               FILTER (WHERE m.fiscal_period = p.fiscal_period OR m.fiscal_period = 'instant') AS all_reported
    FROM periods p
    JOIN company_metrics m ON m.company_id IS NOT DISTINCT FROM p.company_id
                          AND m.scope_document_id IS NOT DISTINCT FROM p.scope_document_id
                          AND m.period_end = p.period_end
    GROUP BY p.company_id, p.scope_document_id, p.fiscal_period, p.fiscal_year, p.period_start, p.period_end
),
derived AS (
    SELECT i.*,
           CASE WHEN i.short_term_debt IS NULL AND i.short_term_borrowings IS NULL
                     AND i.current_portion_long_term_debt IS NULL AND i.long_term_debt IS NULL THEN NULL
                ELSE COALESCE(i.short_term_debt,
                              COALESCE(i.short_term_borrowings, 0) + COALESCE(i.current_portion_long_term_debt, 0))
                     + COALESCE(i.long_term_debt, 0)
           END AS total_debt,
           i.operating_income + abs(i.depreciation_amortization) AS ebitda,
           COALESCE(i.gross_profit, i.revenue - abs(i.cost_of_revenue)) AS gross_profit_used
    FROM inputs i
),
ratios AS (
    SELECT d.*,
           round(d.total_debt / NULLIF(d.equity, 0), 6) AS debt_to_equity_raw,
           round(d.total_debt / NULLIF(d.ebitda, 0), 6) AS debt_to_ebitda_raw,
           round(d.operating_income / NULLIF(abs(d.interest_expense), 0), 6) AS interest_coverage_raw,
           round(d.current_assets / NULLIF(d.current_liabilities, 0), 6) AS current_ratio_raw,
           round(d.gross_profit_used / NULLIF(d.revenue, 0), 6) AS gross_margin_raw,
           round(d.operating_income / NULLIF(d.revenue, 0), 6) AS operating_margin_raw,
           round(d.net_income / NULLIF(d.revenue, 0), 6) AS net_margin_raw
    FROM derived d
),
bounded AS (
    -- Values outside the documented bounds (README, "For credit analysts") are flagged and
    -- not shown as numbers.
    SELECT r.*,
           array_remove(ARRAY[
               CASE WHEN r.gross_margin_raw > 1 THEN 'gross_margin_above_100pct' END,
               CASE WHEN r.operating_margin_raw > 1 THEN 'operating_margin_above_100pct' END,
               CASE WHEN r.net_margin_raw > 1 THEN 'net_margin_above_100pct' END,
               CASE WHEN r.total_assets < 0 THEN 'negative_total_assets' END,
               CASE WHEN r.current_ratio_raw > 100 THEN 'current_ratio_above_100' END,
               CASE WHEN r.current_ratio_raw < 0 THEN 'negative_current_ratio' END
           ], NULL) AS flags
    FROM ratios r
)
SELECT d.company_id, d.scope_document_id, d.fiscal_period, d.fiscal_year, d.period_start, d.period_end,
       d.revenue, d.cost_of_revenue, d.gross_profit, d.operating_income, d.net_income, d.interest_expense,
       d.depreciation_amortization, d.operating_cash_flow, d.current_assets, d.current_liabilities,
       CASE WHEN d.total_assets < 0 THEN NULL ELSE d.total_assets END AS total_assets,
       d.total_liabilities, d.equity, d.cash, d.short_term_debt, d.short_term_borrowings,
       d.current_portion_long_term_debt, d.long_term_debt, d.total_debt, d.ebitda,
       d.debt_to_equity_raw AS debt_to_equity,
       d.debt_to_ebitda_raw AS debt_to_ebitda,
       d.interest_coverage_raw AS interest_coverage,
       CASE WHEN d.current_ratio_raw > 100 OR d.current_ratio_raw < 0 THEN NULL ELSE d.current_ratio_raw END
           AS current_ratio,
       CASE WHEN d.gross_margin_raw > 1 THEN NULL ELSE d.gross_margin_raw END AS gross_margin,
       CASE WHEN d.operating_margin_raw > 1 THEN NULL ELSE d.operating_margin_raw END AS operating_margin,
       CASE WHEN d.net_margin_raw > 1 THEN NULL ELSE d.net_margin_raw END AS net_margin,
       py.revenue AS revenue_prior_year,
       round((d.revenue - py.revenue) / NULLIF(abs(py.revenue), 0), 6) AS revenue_yoy_growth,
       CASE WHEN d.any_conflict THEN 'conflict'
            WHEN d.unverified_inputs IS NOT NULL THEN 'unverified'
            WHEN d.all_reported THEN 'reported'
            ELSE 'verified' END AS verification,
       COALESCE(d.unverified_inputs, ARRAY[]::text[]) AS unverified_inputs,
       d.flags
FROM bounded d
LEFT JOIN LATERAL (
    SELECT m.value AS revenue
    FROM company_metrics m
    WHERE m.company_id IS NOT DISTINCT FROM d.company_id
      AND m.scope_document_id IS NOT DISTINCT FROM d.scope_document_id
      AND m.metric = 'revenue' AND d.fiscal_period <> 'instant' AND m.fiscal_period = d.fiscal_period
      AND m.period_end BETWEEN d.period_end - 380 AND d.period_end - 350
    ORDER BY abs((d.period_end - m.period_end) - 365), m.period_end DESC
    LIMIT 1
) py ON true;
COMMENT ON COLUMN credit_ratios.total_assets IS 'Total assets at period end; NULL (flag negative_total_assets) when negative.';
COMMENT ON COLUMN credit_ratios.current_ratio IS 'current_assets / current_liabilities; NULL (flagged) above 100 or below 0.';
COMMENT ON COLUMN credit_ratios.gross_margin IS 'Gross profit (as reported, else revenue - |cost of revenue|) / revenue; NULL (flagged) above 1.';
COMMENT ON COLUMN credit_ratios.operating_margin IS 'operating_income / revenue; NULL (flagged) above 1.';
COMMENT ON COLUMN credit_ratios.net_margin IS 'net_income / revenue; NULL (flagged) above 1.';
COMMENT ON COLUMN credit_ratios.verification IS 'conflict when an input of the period is a conflict, unverified when one is unverified, reported when all come from XBRL, else verified.';
COMMENT ON COLUMN credit_ratios.unverified_inputs IS 'Metrics of the period (and its balance-sheet date) whose value is not verified or reported; empty when none.';
COMMENT ON COLUMN credit_ratios.flags IS 'Values outside the documented bounds, not shown as numbers: gross_margin_above_100pct, operating_margin_above_100pct, net_margin_above_100pct, negative_total_assets, current_ratio_above_100, negative_current_ratio.';

CREATE OR REPLACE VIEW review_credit AS
SELECT co.name AS company, co.cik, r.fiscal_year, r.fiscal_period, r.period_start, r.period_end,
       r.revenue, r.revenue_yoy_growth, r.gross_margin, r.operating_margin, r.net_margin,
       r.ebitda, r.total_debt, r.debt_to_equity, r.debt_to_ebitda, r.interest_coverage,
       r.current_ratio, r.company_id, r.verification, r.unverified_inputs, r.flags
FROM credit_ratios r JOIN companies co ON co.id = r.company_id;
COMMENT ON COLUMN review_credit.verification IS 'Verification of the period''s inputs: verified, reported, unverified or conflict (credit_ratios.verification).';
COMMENT ON COLUMN review_credit.unverified_inputs IS 'Metrics whose value is not verified or reported.';
COMMENT ON COLUMN review_credit.flags IS 'Ratios or values outside the documented bounds, shown NULL above.';
