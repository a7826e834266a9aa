import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SealedBox } from '../../ports/sealed-box.ts';

/**
 * Secrets at rest (TOTP seeds, signing keys, VAPID keys) sealed with AES-256-GCM under a key
 * derived from the gateway's `secret` by HKDF-SHA256, one key per `purpose`, so a key for one use
 * never opens another's data. The purpose is also bound as additional data. Format:
 * `v1.<iv>.<ciphertext>.<tag>`, each part base64url; a changed `secret` cannot open old boxes
 * (the operator re-enrols or restores the old secret). `open` throws `SealedBoxError` for a box
 * this key did not seal or that was altered.
 */
export class SealedBoxError extends Error {
  readonly code = 'SEKISHO_ERR_SEALED_BOX';
}

const VERSION = 'v1';

export function sealedBox(secret: string, purpose: string): SealedBox {
  const key = Buffer.from(hkdfSync('sha256', secret, 'sekisho-sealed-box', purpose, 32));
  const aad = Buffer.from(purpose, 'utf8');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, body, cipher.getAuthTag()].map(encode).join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || body === undefined || !tag)
        throw new SealedBoxError('not a sealed box of this version');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
          .setAAD(aad)
          .setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SealedBoxError('sealed box does not open with this secret (altered, or another secret)');
      }
    },
  };
}

function encode(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}
