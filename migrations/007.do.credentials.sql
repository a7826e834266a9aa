-- A user's own authenticators (docs/plugins.md, "Credentials"): one row per credential of any
-- method that keeps one in the auth DB (TOTP secrets now, passkeys next). `data` is the method's
-- own JSON, secrets in it sealed by the gateway (AES-256-GCM). Recovery codes are kept as keyed
-- hashes only, each used once. Activation links let a help desk hand a user without a second
-- factor the right to enrol their first one: only a code's keyed hash is kept, single use.
-- Every timestamp comes from the gateway's clock (a parameter), never now(), so fake clocks work.

CREATE TABLE credentials (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  method        text NOT NULL,
  name          text NOT NULL,
  data          jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz
);
CREATE INDEX credentials_user_method ON credentials (user_id, method);

CREATE TABLE recovery_codes (
  user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash   text NOT NULL,
  created_at  timestamptz NOT NULL,
  used_at     timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE factor_activations (
  code_hash   text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_by  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX factor_activations_user ON factor_activations (user_id);
