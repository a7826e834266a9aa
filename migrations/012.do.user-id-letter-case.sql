-- User IDs are one ID in any letter case at login (docs/login-page.md): a login finds the user by
-- lower(id), and a new ID that differs from a stored one only in letter case is refused. The index
-- serves that lookup; it is unique unless IDs stored earlier already clash, in which case those
-- users can log in only by typing their ID exactly and an admin should rename or remove one.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM users GROUP BY lower(id) HAVING count(*) > 1) THEN
    RAISE WARNING 'sekisho: user IDs that differ only in letter case exist; see docs/login-page.md';
    CREATE INDEX users_id_folded ON users (lower(id));
  ELSE
    CREATE UNIQUE INDEX users_id_folded ON users (lower(id));
  END IF;
END
$$;
