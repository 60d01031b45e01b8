-- 0003_credit_views.sql - credit views: the canonical metrics of each company and period (the
-- consolidated value, one per metric and period, XBRL preferred over statement tables), and the
-- standard credit ratios per company and fiscal period. A ratio is NULL, never a division
-- error, where an input is missing or a denominator is zero. Fiscal periods are classified as
-- extract/metrics.c does (ds_fiscal_period_classify).
--
-- Facts of a document whose company is unknown are kept apart per document: such rows have
-- company_id NULL and scope_document_id set.

CREATE FUNCTION fiscal_period_label(p_start date, p_end date, p_fy_end_month integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN p_end IS NULL OR p_start > p_end THEN NULL
    WHEN p_start IS NULL THEN 'instant'
    WHEN x.days BETWEEN 350 AND 380 THEN 'FY'
    WHEN x.days BETWEEN 84 AND 98 THEN (ARRAY['Q4', 'Q1', 'Q2', 'Q3'])[((x.m - x.fy + 12) % 12) / 3 + 1]
    WHEN x.days BETWEEN 175 AND 190 THEN '6M'
    WHEN x.days BETWEEN 266 AND 280 THEN '9M'
    ELSE 'other'
END
FROM (SELECT p_end - p_start + 1 AS days,
             CASE WHEN extract(day FROM p_end) <= 7 THEN (extract(month FROM p_end)::integer + 10) % 12 + 1
                  ELSE extract(month FROM p_end)::integer END AS m,
             CASE WHEN p_fy_end_month BETWEEN 1 AND 12 THEN p_fy_end_month ELSE 12 END AS fy) x
$$;
COMMENT ON FUNCTION fiscal_period_label(date, date, integer) IS
    'Fiscal period of a fact''s dates: instant (no start), FY (350-380 days), Q1..Q4 (84-98 days, numbered from the fiscal year end month), 6M, 9M or other; a period ending in the first 7 days of a month counts as ending in the month before (52/53-week years). Same rules as ds_fiscal_period_classify.';

CREATE FUNCTION fiscal_year_of(p_end date, p_fy_end_month integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN x.m <= x.fy THEN x.y ELSE x.y + 1 END - CASE WHEN x.fy <= 5 THEN 1 ELSE 0 END
FROM (SELECT CASE WHEN extract(day FROM p_end) <= 7 THEN (extract(month FROM p_end)::integer + 10) % 12 + 1
                  ELSE extract(month FROM p_end)::integer END AS m,
             CASE WHEN extract(day FROM p_end) <= 7 AND extract(month FROM p_end) = 1
                  THEN extract(year FROM p_end)::integer - 1 ELSE extract(year FROM p_end)::integer END AS y,
             CASE WHEN p_fy_end_month BETWEEN 1 AND 12 THEN p_fy_end_month ELSE 12 END AS fy) x
$$;
COMMENT ON FUNCTION fiscal_year_of(date, integer) IS
    'Fiscal year holding a period end: the calendar year in which that fiscal year closes, or the year before when fiscal years end in January to May (the year ending February 1, 2025 is fiscal 2024), given the fiscal year end month.';

CREATE VIEW company_metrics AS
WITH base AS (
    SELECT f.id AS fact_id, f.document_id, f.company_id,
           CASE WHEN f.company_id IS NULL THEN f.document_id END AS scope_document_id,
           f.metric, f.value, f.unit, f.period_start, f.period_end, f.source_extractor, f.concept, f.page,
           f.chunk_seq, f.quote,
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
             CASE WHEN fiscal_period = 'other' THEN period_start END, source_rank,
             filing_date DESC NULLS LAST, loaded_at DESC NULLS LAST, document_id DESC, fact_id
)
SELECT b.company_id, b.scope_document_id, b.metric, b.fiscal_period,
       fiscal_year_of(b.period_end, b.fy_end_month) AS fiscal_year, b.fy_end_month,
       b.period_start, b.period_end, b.value, b.unit, b.source_extractor, b.concept, b.document_id, b.fact_id,
       b.page, b.chunk_seq, b.quote
FROM best b;
COMMENT ON VIEW company_metrics IS 'One value per company, canonical metric and fiscal period (FY, Q1..Q4, 6M, 9M, instant, with its end date): the consolidated fact (no dimensions), from XBRL (ixbrl, xbrl) before statement tables (pdf_table, html_table) before the model, then from the latest filing.';
COMMENT ON COLUMN company_metrics.company_id IS 'Reporting company; NULL when the document names none (see scope_document_id).';
COMMENT ON COLUMN company_metrics.scope_document_id IS 'For facts without a company: the document they are grouped by; NULL when company_id is set.';
COMMENT ON COLUMN company_metrics.metric IS 'Canonical metric (revenue, operating_income, total_assets, long_term_debt, ...).';
COMMENT ON COLUMN company_metrics.fiscal_period IS 'FY, Q1..Q4, 6M, 9M, other, or instant for balance-sheet values.';
COMMENT ON COLUMN company_metrics.fiscal_year IS 'Fiscal year holding the period end (named by the calendar year it closes in, the year before for years ending January to May).';
COMMENT ON COLUMN company_metrics.fy_end_month IS 'Fiscal year end month of the company, the commonest month among its year-long periods (12 when it has none).';
COMMENT ON COLUMN company_metrics.period_start IS 'Start of the duration; NULL for an instant.';
COMMENT ON COLUMN company_metrics.period_end IS 'End of the duration, or the instant.';
COMMENT ON COLUMN company_metrics.value IS 'Exact value in the unit, sign and scale applied.';
COMMENT ON COLUMN company_metrics.unit IS 'Unit of the value (USD, USD/shares...), NULL when the document did not state one.';
COMMENT ON COLUMN company_metrics.source_extractor IS 'Extractor of the fact kept: ixbrl, xbrl, pdf_table, html_table, model.';
COMMENT ON COLUMN company_metrics.concept IS 'Concept (us-gaap:Revenues) or table row label of the fact kept.';
COMMENT ON COLUMN company_metrics.document_id IS 'Document of the fact kept.';
COMMENT ON COLUMN company_metrics.fact_id IS 'The fact kept (facts.id).';
COMMENT ON COLUMN company_metrics.page IS 'Page where the fact is shown.';
COMMENT ON COLUMN company_metrics.chunk_seq IS 'Chunk holding the fact''s text.';
COMMENT ON COLUMN company_metrics.quote IS 'Text of the fact as shown (a statement row for table facts).';

CREATE VIEW credit_ratios AS
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
           max(m.value) FILTER (WHERE m.metric = 'long_term_debt' AND m.fiscal_period = 'instant') AS long_term_debt
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
)
SELECT d.company_id, d.scope_document_id, d.fiscal_period, d.fiscal_year, d.period_start, d.period_end,
       d.revenue, d.cost_of_revenue, d.gross_profit, d.operating_income, d.net_income, d.interest_expense,
       d.depreciation_amortization, d.operating_cash_flow, d.current_assets, d.current_liabilities, d.total_assets,
       d.total_liabilities, d.equity, d.cash, d.short_term_debt, d.short_term_borrowings,
       d.current_portion_long_term_debt, d.long_term_debt, d.total_debt, d.ebitda,
       round(d.total_debt / NULLIF(d.equity, 0), 6) AS debt_to_equity,
       round(d.total_debt / NULLIF(d.ebitda, 0), 6) AS debt_to_ebitda,
       round(d.operating_income / NULLIF(abs(d.interest_expense), 0), 6) AS interest_coverage,
       round(d.current_assets / NULLIF(d.current_liabilities, 0), 6) AS current_ratio,
       round(d.gross_profit_used / NULLIF(d.revenue, 0), 6) AS gross_margin,
       round(d.operating_income / NULLIF(d.revenue, 0), 6) AS operating_margin,
       round(d.net_income / NULLIF(d.revenue, 0), 6) AS net_margin,
       py.revenue AS revenue_prior_year,
       round((d.revenue - py.revenue) / NULLIF(abs(py.revenue), 0), 6) AS revenue_yoy_growth
FROM derived d
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
COMMENT ON VIEW credit_ratios IS 'Standard credit ratios per company and fiscal period (FY, Q1..Q4, or a balance-sheet date without a period), from company_metrics; a ratio is NULL where an input is missing or its denominator is zero. Ratios are rounded to 6 decimals.';
COMMENT ON COLUMN credit_ratios.company_id IS 'Reporting company; NULL when unknown (see scope_document_id).';
COMMENT ON COLUMN credit_ratios.scope_document_id IS 'For facts without a company: the document they come from; NULL when company_id is set.';
COMMENT ON COLUMN credit_ratios.fiscal_period IS 'FY, Q1..Q4, or instant for a balance-sheet date with no period ending on it.';
COMMENT ON COLUMN credit_ratios.fiscal_year IS 'Fiscal year holding the period end.';
COMMENT ON COLUMN credit_ratios.period_start IS 'Start of the period (that of the revenue figure when there is one); NULL for an instant row.';
COMMENT ON COLUMN credit_ratios.period_end IS 'End of the period; balance-sheet values are those at this date.';
COMMENT ON COLUMN credit_ratios.revenue IS 'Revenue of the period.';
COMMENT ON COLUMN credit_ratios.cost_of_revenue IS 'Cost of revenue of the period (sign as reported).';
COMMENT ON COLUMN credit_ratios.gross_profit IS 'Gross profit of the period as reported.';
COMMENT ON COLUMN credit_ratios.operating_income IS 'Operating income (loss) of the period.';
COMMENT ON COLUMN credit_ratios.net_income IS 'Net income (loss) of the period.';
COMMENT ON COLUMN credit_ratios.interest_expense IS 'Interest expense of the period (sign as reported; ratios use its absolute value).';
COMMENT ON COLUMN credit_ratios.depreciation_amortization IS 'Depreciation and amortization of the period (ratios use its absolute value).';
COMMENT ON COLUMN credit_ratios.operating_cash_flow IS 'Net cash from operating activities of the period.';
COMMENT ON COLUMN credit_ratios.current_assets IS 'Total current assets at period end.';
COMMENT ON COLUMN credit_ratios.current_liabilities IS 'Total current liabilities at period end.';
COMMENT ON COLUMN credit_ratios.total_assets IS 'Total assets at period end.';
COMMENT ON COLUMN credit_ratios.total_liabilities IS 'Total liabilities at period end.';
COMMENT ON COLUMN credit_ratios.equity IS 'Stockholders'' equity at period end.';
COMMENT ON COLUMN credit_ratios.cash IS 'Cash and cash equivalents at period end.';
COMMENT ON COLUMN credit_ratios.short_term_debt IS 'All current debt as one reported figure (us-gaap:DebtCurrent), at period end.';
COMMENT ON COLUMN credit_ratios.short_term_borrowings IS 'Short-term borrowings and commercial paper at period end.';
COMMENT ON COLUMN credit_ratios.current_portion_long_term_debt IS 'Current portion of long-term debt at period end.';
COMMENT ON COLUMN credit_ratios.long_term_debt IS 'Long-term debt (non-current) at period end.';
COMMENT ON COLUMN credit_ratios.total_debt IS 'Current debt (short_term_debt, else short_term_borrowings + current_portion_long_term_debt) + long_term_debt; NULL when none of them is known.';
COMMENT ON COLUMN credit_ratios.ebitda IS 'Operating income + |depreciation and amortization|; NULL when either is missing.';
COMMENT ON COLUMN credit_ratios.debt_to_equity IS 'total_debt / equity.';
COMMENT ON COLUMN credit_ratios.debt_to_ebitda IS 'total_debt / ebitda (a year-long period gives the usual ratio; a quarter gives quarterly EBITDA).';
COMMENT ON COLUMN credit_ratios.interest_coverage IS 'operating_income / |interest_expense|.';
COMMENT ON COLUMN credit_ratios.current_ratio IS 'current_assets / current_liabilities.';
COMMENT ON COLUMN credit_ratios.gross_margin IS 'Gross profit (as reported, else revenue - |cost of revenue|) / revenue.';
COMMENT ON COLUMN credit_ratios.operating_margin IS 'operating_income / revenue.';
COMMENT ON COLUMN credit_ratios.net_margin IS 'net_income / revenue.';
COMMENT ON COLUMN credit_ratios.revenue_prior_year IS 'Revenue of the same fiscal period (FY, or the same quarter) ending 350-380 days earlier.';
COMMENT ON COLUMN credit_ratios.revenue_yoy_growth IS '(revenue - revenue_prior_year) / |revenue_prior_year|.';
