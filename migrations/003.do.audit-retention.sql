-- Audit retention. audit_events stays append-only: UPDATE was already refused (001); now DELETE and
-- TRUNCATE are refused too, except for rows older than the retention, removed by
-- purge_audit_events(). The function announces its cutoff in a transaction-local setting that the
-- DELETE trigger checks row by row, and both sides insist on at least 30 days, so even a session
-- that sets the setting by hand cannot remove recent rows.
--
-- SECURITY DEFINER: a deployment may run the gateway as a role with only INSERT and SELECT on
-- audit_events (no DELETE at all); the purge still works because the function runs as the owner
-- (the migrating role). search_path is pinned to the schema the migration ran in.

CREATE FUNCTION audit_events_guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cutoff text := current_setting('sekisho.audit_purge_before', true);
BEGIN
  IF cutoff IS NULL OR cutoff = '' THEN
    RAISE EXCEPTION 'audit_events is append-only: rows leave only through purge_audit_events()';
  END IF;
  IF to_timestamp(cutoff::double precision) > now() - interval '30 days'
     OR OLD.at >= to_timestamp(cutoff::double precision) THEN
    RAISE EXCEPTION 'audit_events is append-only: only rows older than the retention may be purged';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_guard_delete();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Deletes at most max_rows rows older than retention_days (oldest first); returns how many.
-- Callers loop until it returns less than max_rows, so no single statement holds locks for long.
CREATE FUNCTION purge_audit_events(retention_days integer, max_rows integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  cutoff timestamptz;
  deleted integer;
BEGIN
  IF retention_days IS NULL OR retention_days < 30 THEN
    RAISE EXCEPTION 'audit retention must be at least 30 days';
  END IF;
  IF max_rows IS NULL OR max_rows < 1 THEN
    RAISE EXCEPTION 'max_rows must be positive';
  END IF;
  cutoff := now() - make_interval(days => retention_days);
  PERFORM set_config('sekisho.audit_purge_before', extract(epoch FROM cutoff)::text, true);
  DELETE FROM audit_events
   WHERE id IN (SELECT id FROM audit_events WHERE at < cutoff ORDER BY at LIMIT max_rows);
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('sekisho.audit_purge_before', '', true);
  RETURN deleted;
END $$;
