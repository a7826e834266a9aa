-- Push authenticators (docs/push.md): registered devices with their public keys, and the
-- single-use activation codes that register them. Only a code's SHA-256 is kept. Every
-- timestamp comes from the gateway's clock (a parameter), never now(), so fake clocks work.

CREATE TABLE push_devices (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name          text NOT NULL,
  public_key    jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX push_devices_user ON push_devices (user_id);

CREATE TABLE push_activations (
  code_hash   text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_by  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX push_activations_user ON push_activations (user_id);
