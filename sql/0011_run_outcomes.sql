-- 0011_run_outcomes.sql - a run that completed but left work undone is not reported as ok: the
-- status incomplete (URL fetches failed, or documents wait in retry backoff), and the two counts
-- that make it so. Interrupted now also means stopped by SIGINT/SIGTERM (leases released).

ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
    CHECK (status IN ('running', 'ok', 'rejected', 'incomplete', 'failed', 'interrupted'));
ALTER TABLE runs ADD COLUMN fetch_failed integer NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN docs_waiting integer NOT NULL DEFAULT 0;

COMMENT ON COLUMN runs.status IS 'running while in progress; ok, rejected (finished with failed or quarantined documents), incomplete (finished, but URL fetches failed or documents wait for a retry), failed (aborted) or interrupted (stopped by SIGINT/SIGTERM, or found dead later).';
COMMENT ON COLUMN runs.fetch_failed IS 'URL fetches that failed in this run (after their retries).';
COMMENT ON COLUMN runs.docs_waiting IS 'Documents waiting in retry backoff in the queue when the run ended.';
