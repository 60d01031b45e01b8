-- 0019_ltm_ratios.sql - last-twelve-months figures and the credit memo's leverage and cover ratios:
--   * company_metrics_ltm: for each flow metric of company_metrics, its last twelve months at every
--     fiscal-year end (the year itself) and at every quarter end with a year to date (Q1, 6M or 9M),
--     the prior fiscal year and the prior year's same year to date: LTM = YTD + prior FY - prior
--     YTD, all three of the same company (or document) and unit. Each row names the facts it was
--     computed from and carries the weakest of their verification statuses;
--   * credit_ratios gains net debt (total debt - cash), LTM EBITDA, net debt / LTM EBITDA and the
--     fixed-charge cover ((LTM EBIT + fixed charges) / fixed charges, fixed charges = LTM interest
--     expense + LTM lease expense where reported, else interest alone), with bounds flags;
--   * review_credit shows them;
--   * facts.anchor: the id of the element that shows an inline XBRL fact in its HTML document,
--     so a report links the figure to its place (#id) as it links a PDF figure to its page.
-- New view columns are appended at the end, so every existing column keeps its place.

ALTER TABLE facts ADD COLUMN anchor text;
COMMENT ON COLUMN facts.anchor IS 'Inline XBRL facts shown in the document: the id attribute of the element that shows the value, a fragment (#id) of the source HTML; NULL for other facts and for facts loaded before anchors were kept.';

CREATE VIEW company_metrics_ltm AS
WITH flow AS (
    SELECT m.company_id, m.scope_document_id, m.metric, m.fiscal_period, m.fiscal_year, m.fy_end_month,
           m.period_start, m.period_end, m.value, m.unit, m.fact_id, m.document_id, m.verification
    FROM company_metrics m
    WHERE m.metric IN ('revenue', 'cost_of_revenue', 'gross_profit', 'operating_income', 'net_income',
                       'depreciation_amortization', 'interest_expense', 'lease_expense', 'operating_cash_flow',
                       'capex')
      AND m.fiscal_period IN ('FY', 'Q1', '6M', '9M')
),
ytd AS (
    -- One prior year and one prior year to date per year to date: the fiscal year before it, the
    -- same span ending about a year earlier.
    SELECT DISTINCT ON (y.company_id, y.scope_document_id, y.metric, y.period_end)
           y.company_id, y.scope_document_id, y.metric, y.fiscal_period AS basis, y.fiscal_year, y.fy_end_month,
           p.period_end + 1 AS period_start, y.period_end, y.value + fy.value - p.value AS value, y.unit,
           y.fact_id AS ytd_fact_id, fy.fact_id AS prior_fy_fact_id, p.fact_id AS prior_ytd_fact_id,
           ARRAY[y.document_id, fy.document_id, p.document_id] AS docs,
           ARRAY[y.verification, fy.verification, p.verification] AS statuses
    FROM flow y
    JOIN flow fy ON fy.company_id IS NOT DISTINCT FROM y.company_id
                AND fy.scope_document_id IS NOT DISTINCT FROM y.scope_document_id
                AND fy.metric = y.metric AND fy.unit IS NOT DISTINCT FROM y.unit
                AND fy.fiscal_period = 'FY' AND fy.fiscal_year = y.fiscal_year - 1
                AND fy.period_end < y.period_end
    JOIN flow p ON p.company_id IS NOT DISTINCT FROM y.company_id
               AND p.scope_document_id IS NOT DISTINCT FROM y.scope_document_id
               AND p.metric = y.metric AND p.unit IS NOT DISTINCT FROM y.unit
               AND p.fiscal_period = y.fiscal_period AND p.fiscal_year = y.fiscal_year - 1
               AND p.period_end BETWEEN y.period_end - 380 AND y.period_end - 350
               AND p.period_end < fy.period_end
    WHERE y.fiscal_period IN ('Q1', '6M', '9M')
    ORDER BY y.company_id, y.scope_document_id, y.metric, y.period_end, fy.period_end DESC, p.period_end DESC
),
parts AS (
    SELECT company_id, scope_document_id, metric, 'FY' AS basis, fiscal_year, fy_end_month, period_start, period_end,
           value, unit, fact_id AS ytd_fact_id, NULL::bigint AS prior_fy_fact_id, NULL::bigint AS prior_ytd_fact_id,
           ARRAY[document_id] AS docs, ARRAY[verification] AS statuses
    FROM flow WHERE fiscal_period = 'FY'
    UNION ALL
    SELECT * FROM ytd
)
SELECT x.company_id, x.scope_document_id, x.metric, x.fiscal_year, x.fy_end_month,
       CASE x.basis WHEN 'Q1' THEN 1 WHEN '6M' THEN 2 WHEN '9M' THEN 3 ELSE 4 END AS fiscal_quarter,
       x.basis, x.period_start, x.period_end, x.value, x.unit,
       x.ytd_fact_id AS fact_id, x.prior_fy_fact_id, x.prior_ytd_fact_id,
       array_remove(ARRAY[x.ytd_fact_id, x.prior_fy_fact_id, x.prior_ytd_fact_id], NULL) AS source_fact_ids,
       ARRAY(SELECT DISTINCT u FROM unnest(x.docs) u ORDER BY u) AS document_ids,
       CASE WHEN 'conflict' = ANY (x.statuses) THEN 'conflict'
            WHEN 'unverified' = ANY (x.statuses) THEN 'unverified'
            WHEN 'verified' = ANY (x.statuses) THEN 'verified'
            ELSE 'reported' END AS verification
FROM parts x;
COMMENT ON VIEW company_metrics_ltm IS 'Last twelve months of each flow metric (revenue, costs, operating and net income, depreciation and amortisation, interest, lease expense, operating cash flow, capex) per company: at a fiscal-year end the year itself, at a quarter end the year to date + the prior fiscal year - the prior year''s same year to date (all three from company_metrics, one company, one unit).';
COMMENT ON COLUMN company_metrics_ltm.company_id IS 'Reporting company; NULL for a document without one (see scope_document_id).';
COMMENT ON COLUMN company_metrics_ltm.scope_document_id IS 'For a document without a company: that document.';
COMMENT ON COLUMN company_metrics_ltm.metric IS 'Canonical flow metric.';
COMMENT ON COLUMN company_metrics_ltm.fiscal_year IS 'Fiscal year holding the period end (company_metrics.fiscal_year).';
COMMENT ON COLUMN company_metrics_ltm.fy_end_month IS 'Month the fiscal year ends, as company_metrics counts it.';
COMMENT ON COLUMN company_metrics_ltm.fiscal_quarter IS 'Fiscal quarter ended at period_end: 1, 2, 3, or 4 at a fiscal-year end.';
COMMENT ON COLUMN company_metrics_ltm.basis IS 'FY (the fiscal year itself) or the year to date it was computed from: Q1, 6M or 9M.';
COMMENT ON COLUMN company_metrics_ltm.period_start IS 'Start of the twelve months: the fiscal year''s start, or the day after the prior year to date ended.';
COMMENT ON COLUMN company_metrics_ltm.period_end IS 'End of the twelve months (a fiscal-year or quarter end).';
COMMENT ON COLUMN company_metrics_ltm.value IS 'LTM value, exact, in the unit.';
COMMENT ON COLUMN company_metrics_ltm.unit IS 'Unit shared by every part (USD...).';
COMMENT ON COLUMN company_metrics_ltm.fact_id IS 'The fiscal year''s fact (basis FY) or the year to date''s fact.';
COMMENT ON COLUMN company_metrics_ltm.prior_fy_fact_id IS 'The prior fiscal year''s fact; NULL for basis FY.';
COMMENT ON COLUMN company_metrics_ltm.prior_ytd_fact_id IS 'The prior year''s same year to date; NULL for basis FY.';
COMMENT ON COLUMN company_metrics_ltm.source_fact_ids IS 'Every fact the value was computed from (facts.id).';
COMMENT ON COLUMN company_metrics_ltm.document_ids IS 'Documents holding those facts.';
COMMENT ON COLUMN company_metrics_ltm.verification IS 'Weakest status of the parts: conflict, else unverified, else verified, else reported (all from XBRL).';

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
derived0 AS (
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
derived AS (
    SELECT d0.*, d0.total_debt - d0.cash AS net_debt,
           l.operating_income AS operating_income_ltm,
           l.operating_income + abs(l.depreciation_amortization) AS ebitda_ltm,
           abs(l.interest_expense) AS interest_expense_ltm, abs(l.lease_expense) AS lease_expense_ltm,
           abs(l.interest_expense) + COALESCE(abs(l.lease_expense), 0) AS fixed_charges,
           CASE WHEN l.interest_expense IS NULL THEN NULL
                WHEN l.lease_expense IS NULL THEN 'interest'
                ELSE 'interest_and_lease' END AS fixed_charges_basis,
           l.ltm_verification, l.ltm_fact_ids
    FROM derived0 d0
    LEFT JOIN LATERAL (
        -- LTM figures at the period end (company_metrics_ltm: the year itself at a fiscal-year end)
        SELECT max(x.value) FILTER (WHERE x.metric = 'operating_income') AS operating_income,
               max(x.value) FILTER (WHERE x.metric = 'depreciation_amortization') AS depreciation_amortization,
               max(x.value) FILTER (WHERE x.metric = 'interest_expense') AS interest_expense,
               max(x.value) FILTER (WHERE x.metric = 'lease_expense') AS lease_expense,
               CASE WHEN bool_or(x.verification = 'conflict') THEN 'conflict'
                    WHEN bool_or(x.verification = 'unverified') THEN 'unverified'
                    WHEN bool_and(x.verification = 'reported') THEN 'reported'
                    WHEN count(*) > 0 THEN 'verified' END AS ltm_verification,
               array_agg(DISTINCT s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL) AS ltm_fact_ids
        FROM company_metrics_ltm x
        LEFT JOIN LATERAL unnest(x.source_fact_ids) AS s(id) ON true
        WHERE x.company_id IS NOT DISTINCT FROM d0.company_id
          AND x.scope_document_id IS NOT DISTINCT FROM d0.scope_document_id
          AND x.period_end = d0.period_end
          AND x.metric IN ('operating_income', 'depreciation_amortization', 'interest_expense', 'lease_expense')
    ) l ON true
),
ratios AS (
    SELECT d.*,
           round(d.total_debt / NULLIF(d.equity, 0), 6) AS debt_to_equity_raw,
           round(d.total_debt / NULLIF(d.ebitda, 0), 6) AS debt_to_ebitda_raw,
           round(d.operating_income / NULLIF(abs(d.interest_expense), 0), 6) AS interest_coverage_raw,
           round(d.current_assets / NULLIF(d.current_liabilities, 0), 6) AS current_ratio_raw,
           round(d.gross_profit_used / NULLIF(d.revenue, 0), 6) AS gross_margin_raw,
           round(d.operating_income / NULLIF(d.revenue, 0), 6) AS operating_margin_raw,
           round(d.net_income / NULLIF(d.revenue, 0), 6) AS net_margin_raw,
           round(d.net_debt / NULLIF(d.ebitda_ltm, 0), 6) AS net_debt_to_ebitda_raw,
           round((d.operating_income_ltm + d.fixed_charges) / NULLIF(d.fixed_charges, 0), 6) AS fixed_charge_cover_raw
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
               CASE WHEN r.current_ratio_raw < 0 THEN 'negative_current_ratio' END,
               CASE WHEN r.net_debt IS NOT NULL AND r.ebitda_ltm <= 0 THEN 'ebitda_ltm_not_positive' END,
               CASE WHEN r.fixed_charge_cover_raw > 1000 THEN 'fixed_charge_cover_above_1000' END
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
       d.flags,
       d.net_debt, d.ebitda_ltm, d.operating_income_ltm, d.interest_expense_ltm, d.lease_expense_ltm,
       d.fixed_charges, d.fixed_charges_basis,
       CASE WHEN d.ebitda_ltm <= 0 THEN NULL ELSE d.net_debt_to_ebitda_raw END AS net_debt_to_ebitda,
       CASE WHEN d.fixed_charge_cover_raw > 1000 THEN NULL ELSE d.fixed_charge_cover_raw END AS fixed_charge_cover,
       d.ltm_verification,
       COALESCE(d.ltm_fact_ids, ARRAY[]::bigint[]) AS ltm_fact_ids
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
COMMENT ON COLUMN credit_ratios.net_debt IS 'total_debt - cash at the period end.';
COMMENT ON COLUMN credit_ratios.ebitda_ltm IS 'LTM operating income + |LTM depreciation and amortisation| at the period end (company_metrics_ltm; the year itself at a fiscal-year end).';
COMMENT ON COLUMN credit_ratios.operating_income_ltm IS 'LTM operating income (EBIT) at the period end.';
COMMENT ON COLUMN credit_ratios.interest_expense_ltm IS '|LTM interest expense| at the period end.';
COMMENT ON COLUMN credit_ratios.lease_expense_ltm IS '|LTM lease (rent) expense| at the period end; NULL where not reported.';
COMMENT ON COLUMN credit_ratios.fixed_charges IS 'interest_expense_ltm + lease_expense_ltm, or interest alone where no lease expense is reported (fixed_charges_basis).';
COMMENT ON COLUMN credit_ratios.fixed_charges_basis IS 'interest_and_lease or interest: what fixed_charges holds; NULL without LTM interest.';
COMMENT ON COLUMN credit_ratios.net_debt_to_ebitda IS 'net_debt / ebitda_ltm; NULL (flag ebitda_ltm_not_positive) when LTM EBITDA is zero or negative. Negative for net cash.';
COMMENT ON COLUMN credit_ratios.fixed_charge_cover IS '(operating_income_ltm + fixed_charges) / fixed_charges; NULL (flagged) above 1000.';
COMMENT ON COLUMN credit_ratios.ltm_verification IS 'Weakest status of the LTM figures used (company_metrics_ltm.verification); NULL without any.';
COMMENT ON COLUMN credit_ratios.ltm_fact_ids IS 'Facts the LTM figures were computed from.';
COMMENT ON COLUMN credit_ratios.flags IS 'Values outside the documented bounds, not shown as numbers: gross_margin_above_100pct, operating_margin_above_100pct, net_margin_above_100pct, negative_total_assets, current_ratio_above_100, negative_current_ratio, ebitda_ltm_not_positive, fixed_charge_cover_above_1000.';

CREATE OR REPLACE VIEW review_credit AS
SELECT co.name AS company, co.cik, r.fiscal_year, r.fiscal_period, r.period_start, r.period_end,
       r.revenue, r.revenue_yoy_growth, r.gross_margin, r.operating_margin, r.net_margin,
       r.ebitda, r.total_debt, r.debt_to_equity, r.debt_to_ebitda, r.interest_coverage,
       r.current_ratio, r.company_id, r.verification, r.unverified_inputs, r.flags,
       r.net_debt, r.ebitda_ltm, r.net_debt_to_ebitda, r.fixed_charge_cover, r.fixed_charges_basis,
       r.ltm_verification
FROM credit_ratios r JOIN companies co ON co.id = r.company_id;
COMMENT ON COLUMN review_credit.net_debt IS 'Total debt - cash at the period end.';
COMMENT ON COLUMN review_credit.ebitda_ltm IS 'EBITDA of the last twelve months to the period end.';
COMMENT ON COLUMN review_credit.net_debt_to_ebitda IS 'Net debt / LTM EBITDA (credit_ratios.net_debt_to_ebitda).';
COMMENT ON COLUMN review_credit.fixed_charge_cover IS '(LTM EBIT + fixed charges) / fixed charges (credit_ratios.fixed_charge_cover).';
COMMENT ON COLUMN review_credit.fixed_charges_basis IS 'interest_and_lease or interest: what the fixed charges hold.';
COMMENT ON COLUMN review_credit.ltm_verification IS 'Weakest verification status of the LTM figures used.';

GRANT SELECT ON company_metrics_ltm TO dossier_reader, dossier_writer;
