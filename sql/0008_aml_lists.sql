-- 0008_aml_lists.sql - OFAC's consolidated non-SDN list (cons_prim.csv) is a list of its own,
-- loaded beside the SDN list: a fourth source value.
ALTER TABLE sanctions_lists DROP CONSTRAINT IF EXISTS sanctions_lists_source_check;
ALTER TABLE sanctions_lists ADD CONSTRAINT sanctions_lists_source_check
    CHECK (source IN ('ofac_sdn', 'ofac_consolidated', 'eu_consolidated', 'un_consolidated'));
COMMENT ON COLUMN sanctions_lists.source IS
    'ofac_sdn, ofac_consolidated (OFAC non-SDN consolidated list), eu_consolidated or un_consolidated.';
