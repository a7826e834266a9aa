import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';

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

/** The signing half of a passkey: its key, its ID and the user handle it was registered with. */
export interface PasskeyKey {
  readonly key: KeyObject;
  readonly credentialId: Buffer;
  readonly userHandle: Buffer | null;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const fromB64 = (text: string) => Buffer.from(text, 'base64');

/** The client data the browser writes for a ceremony (WebAuthn §5.8.1), as the bytes it hashes. */
export function clientDataOf(
  type: 'webauthn.create' | 'webauthn.get',
  challenge: string,
  origin: string,
): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

/** A credential as the page hands it on from `navigator.credentials`, in its JSON form. */
export function credentialJson<R>(credentialId: Buffer, response: R) {
  const id = b64url(credentialId);
  return {
    id,
    rawId: id,
    type: 'public-key',
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
    response,
  };
}

/**
 * An assertion built by hand (WebAuthn §6.1 authenticator data, §7.2 signature over
 * authData ‖ SHA-256(clientDataJSON)), so a test can send what no honest browser would: no user
 * verification, another origin.
 */
export function assertionOf(passkey: PasskeyKey, challenge: string, flags: AssertionFlags) {
  const clientData = clientDataOf('webauthn.get', challenge, flags.origin);
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(flags.signCount);
  const bits = 0x01 | (flags.userVerified ? 0x04 : 0);
  const authData = Buffer.concat([
    createHash('sha256').update(flags.rpId).digest(),
    Buffer.from([bits]),
    counter,
  ]);
  const signed = Buffer.concat([authData, createHash('sha256').update(clientData).digest()]);
  const { key, userHandle } = passkey;
  // Ed25519 signs the message itself; P-256 (what Chromium's virtual authenticator makes unless
  // offered EdDSA first) signs its SHA-256.
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', signed, key);
  return credentialJson(passkey.credentialId, {
    clientDataJSON: b64url(clientData),
    authenticatorData: b64url(authData),
    signature: b64url(signature),
    ...(userHandle ? { userHandle: b64url(userHandle) } : {}),
  });
}

/** An assertion signed with a passkey taken out of Chromium's virtual authenticator. */
export function signAssertion(credential: VirtualCredential, challenge: string, flags: AssertionFlags) {
  const key = createPrivateKey({ key: fromB64(credential.privateKey), format: 'der', type: 'pkcs8' });
  const userHandle = credential.userHandle ? fromB64(credential.userHandle) : null;
  return assertionOf({ key, credentialId: fromB64(credential.credentialId), userHandle }, challenge, flags);
}
