import { createHash, createPrivateKey, sign } from 'node:crypto';

/** A resident credential as the DevTools protocol's `WebAuthn.getCredentials` gives it (base64). */
export interface VirtualCredential {
  readonly credentialId: string;
  readonly privateKey: string;
  readonly rpId?: string;
  readonly userHandle?: string;
  readonly signCount: number;
}

/** What the authenticator data's flags say. */
export interface AssertionFlags {
  readonly userVerified: boolean;
  readonly signCount: number;
  readonly origin: string;
  readonly rpId: string;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const fromB64 = (text: string) => Buffer.from(text, 'base64');

/**
 * An assertion signed with a passkey taken out of Chromium's virtual authenticator, built by hand
 * (WebAuthn §6.1 authenticator data, §7.2 signature over authData ‖ SHA-256(clientDataJSON)) so a
 * test can send what no honest browser would: no user verification, another origin.
 */
export function signAssertion(credential: VirtualCredential, challenge: string, flags: AssertionFlags) {
  const clientData = Buffer.from(
    JSON.stringify({ type: 'webauthn.get', challenge, origin: flags.origin, crossOrigin: false }),
  );
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(flags.signCount);
  const bits = 0x01 | (flags.userVerified ? 0x04 : 0);
  const authData = Buffer.concat([
    createHash('sha256').update(flags.rpId).digest(),
    Buffer.from([bits]),
    counter,
  ]);
  const key = createPrivateKey({ key: fromB64(credential.privateKey), format: 'der', type: 'pkcs8' });
  const signed = Buffer.concat([authData, createHash('sha256').update(clientData).digest()]);
  // Chromium's virtual authenticator makes Ed25519 keys when offered EdDSA first, else P-256.
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', signed, key);
  const id = b64url(fromB64(credential.credentialId));
  return {
    id,
    rawId: id,
    type: 'public-key',
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
    response: {
      clientDataJSON: b64url(clientData),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      ...(credential.userHandle ? { userHandle: b64url(fromB64(credential.userHandle)) } : {}),
    },
  };
}
