import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

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
      this.rpIdHash(),
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
    const id = this.credentialId.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge).toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
    };
  }

  /** The answer to `navigator.credentials.get()` for this challenge. */
  assert(challenge: string) {
    const clientData = this.clientData('webauthn.get', challenge);
    const authData = Buffer.concat([this.rpIdHash(), Buffer.from([0x05]), Buffer.alloc(4)]);
    const signature = sign(
      null,
      Buffer.concat([authData, createHash('sha256').update(clientData).digest()]),
      this.key,
    );
    const id = this.credentialId.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(this.userHandle ? { userHandle: this.userHandle.toString('base64url') } : {}),
      },
    };
  }

  private rpIdHash(): Buffer {
    return createHash('sha256').update(this.rpId).digest();
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }
}
