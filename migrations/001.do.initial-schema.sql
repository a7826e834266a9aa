-- Users, groups, access rules with history, audit events and the change feed that
-- running gateways poll to apply rule and user changes without a restart.

CREATE TABLE users (
  id              text PRIMARY KEY,
  display_name    text NOT NULL DEFAULT '',
  password_hash   text,
  phone           text,
  email           text,
  locked          boolean NOT NULL DEFAULT false,
  failed_count    integer NOT NULL DEFAULT 0,
  lockout_until   timestamptz,
  last_failure_at timestamptz,
  last_login_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_phone_e164 CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$')
);

CREATE TABLE groups (
  name       text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_name text NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
  PRIMARY KEY (user_id, group_name)
);

-- The current rule set: one row per (host, prefix). '' means every host.
CREATE TABLE access_rules (
  host        text NOT NULL DEFAULT '',
  prefix      text NOT NULL,
  line        text NOT NULL,
  version     bigint NOT NULL,
  changed_by  text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host, prefix)
);

-- Every change to a rule, kept for audit and rollback. line is NULL for a deletion.
CREATE TABLE access_rule_history (
  version     bigserial PRIMARY KEY,
  host        text NOT NULL DEFAULT '',
  prefix      text NOT NULL,
  line        text,
  changed_by  text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  event       text NOT NULL,
  outcome     text NOT NULL,
  user_id     text,
  actor       text,
  ip          text,
  user_agent  text,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_user ON audit_events (user_id, at);

-- Append-only: the application may insert audit rows, never rewrite them.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- The change feed: gateways remember the last seq they applied and poll for newer rows.
CREATE TABLE change_events (
  seq      bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  kind     text NOT NULL,       -- 'rules' | 'user'
  subject  text                 -- the user ID for 'user'
);
