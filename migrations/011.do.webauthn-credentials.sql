-- Passkeys (WebAuthn credentials): the WebAuthn half of a `credentials` row of method PASSKEY. The
-- credentials row keeps what every authenticator has (name, created, last used) and what the
-- self-service page and the admin console list; this row keeps what the ceremony needs. Deleting
-- the credentials row deletes this one. The public key is not a secret; nothing here is sealed.
-- `sign_count` only grows: a use is recorded by a compare-and-set on it, so a cloned
-- authenticator that answers with a stale counter is refused, on every instance.

CREATE TABLE webauthn_credentials (
  credential_id  text PRIMARY KEY,          -- base64url of the raw credential ID
  credential     text NOT NULL UNIQUE REFERENCES credentials(id) ON DELETE CASCADE,
  user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_handle    text NOT NULL,             -- base64url; what a discoverable credential answers with
  public_key     text NOT NULL,             -- base64url COSE key
  sign_count     bigint NOT NULL,
  transports     text[] NOT NULL,
  backed_up      boolean NOT NULL,          -- synced (multi-device) passkey, backed up now
  multi_device   boolean NOT NULL,          -- may be synced: a backup-eligible credential
  aaguid         text NOT NULL
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);
