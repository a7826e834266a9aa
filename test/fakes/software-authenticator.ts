import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { assertionOf, clientDataOf, credentialJson } from '../support/software-passkey.ts';

/**
 * A passkey authenticator in software, speaking the WebAuthn wire format (§6.1 authenticator data,
 * §6.5.4 attestation object with the `none` statement, §7 client data): what a browser and its
 * platform authenticator would post. Ed25519 keys, whose signatures are deterministic, so the same
 * challenge always gets the same answer. Its counter stays 0, as synced passkeys report.
 */
export class SoftwareAuthenticator {
  private readonly key: KeyObject;
  private readonly publicX: Buffer;
  readonly credentialId = randomBytes(16);
  private readonly rpId: string;
  private readonly origin: string;
  private userHandle: Buffer | null = null;

  constructor(origin: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.key = privateKey;
    this.publicX = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    this.origin = origin;
    this.rpId = new URL(origin).hostname;
  }

  /** The answer to `navigator.credentials.create()` for these creation options (JSON). */
  register(options: { challenge: string; user: { id: string } }) {
    const cose = Buffer.concat([
      Buffer.from([0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20]),
      this.publicX,
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    // Flags: user present, user verified, attested credential data.
    const authData = Buffer.concat([
      createHash('sha256').update(this.rpId).digest(),
      Buffer.from([0x45]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLength,
      this.credentialId,
      cose,
    ]);
    const authLength = Buffer.alloc(2);
    authLength.writeUInt16BE(authData.length);
    const attestationObject = Buffer.concat([
      // CBOR {"fmt": "none", "attStmt": {}, "authData": <bytes, 2-byte length follows>}
      Buffer.from('a363666d74646e6f6e656761747453746d74a068617574684461746159', 'hex'),
      authLength,
      authData,
    ]);
    this.userHandle = Buffer.from(options.user.id, 'base64url');
    return credentialJson(this.credentialId, {
      clientDataJSON: clientDataOf('webauthn.create', options.challenge, this.origin).toString('base64url'),
      attestationObject: attestationObject.toString('base64url'),
      transports: ['internal'],
    });
  }

  /** The answer to `navigator.credentials.get()` for this challenge (user verified). */
  assert(challenge: string) {
    const { key, credentialId, userHandle, origin, rpId } = this;
    return assertionOf({ key, credentialId, userHandle }, challenge, {
      origin,
      rpId,
      userVerified: true,
      signCount: 0,
    });
  }
}
