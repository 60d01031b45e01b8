-- 0014_nil_facts.sql - XBRL facts the filer marks nil (xsi:nil="true": the value is stated to
-- be absent) are stored as such, not dropped: is_nil true, value and value_text NULL. The credit
-- views read only facts with a value, so a nil fact never shows as a figure.
ALTER TABLE facts ADD COLUMN is_nil boolean NOT NULL DEFAULT false;
ALTER TABLE facts ADD CONSTRAINT facts_nil_has_no_value CHECK (NOT is_nil OR (value IS NULL AND value_text IS NULL));
COMMENT ON COLUMN facts.is_nil IS 'XBRL nil fact: the filer states there is no value (value and value_text are NULL).';
