-- Key material every instance shares (ports/key-store.ts): the signing keys of the identity
-- assertion, the Web Push VAPID key pair. material is sealed (AES-256-GCM under a key derived from
-- the gateway's secret, core/sealed-box.ts); at most one current (not retired) key per purpose.

CREATE TABLE gateway_keys (
  purpose    text        NOT NULL,
  kid        text        NOT NULL,
  material   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (purpose, kid)
);

CREATE UNIQUE INDEX gateway_keys_one_current ON gateway_keys (purpose) WHERE retired_at IS NULL;
