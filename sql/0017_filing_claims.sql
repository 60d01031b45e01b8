-- 0017_filing_claims.sql - a filing is claimed before its fetch, so two processes (on one host
-- or several) never fetch the same filing: status 'fetching' with the claimant and the time. A
-- claim older than run.lease_seconds is taken to be abandoned (its process died) and may be
-- claimed again; a failed fetch may be claimed again by a later run.
ALTER TABLE filings DROP CONSTRAINT filings_status_check;
ALTER TABLE filings ADD CONSTRAINT filings_status_check
    CHECK (status IN ('discovered', 'fetching', 'fetched', 'skipped', 'failed'));
ALTER TABLE filings ADD COLUMN claimed_by text;
ALTER TABLE filings ADD COLUMN claimed_at timestamptz;
COMMENT ON COLUMN filings.status IS 'discovered (waiting), fetching (claimed by claimed_by), fetched (its document enqueued), skipped (form or date not wanted), failed (fetch failed; error_message says why).';
COMMENT ON COLUMN filings.claimed_by IS 'Process (host:pid) that claimed the filing for its fetch.';
COMMENT ON COLUMN filings.claimed_at IS 'When it was claimed; a claim older than run.lease_seconds is abandoned.';
