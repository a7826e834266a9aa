import { describe, expect, it } from 'vitest';
import { SealedBoxError, sealedBox } from './sealed-box.ts';

const secret = 'a-secret-of-at-least-32-characters-0123456789';

describe('sealedBox: secrets at rest under a key derived from the gateway secret', () => {
  it('opens what it sealed, and seals the same text differently each time', () => {
    const box = sealedBox(secret, 'totp');
    const one = box.seal('JBSWY3DPEHPK3PXP');
    const two = box.seal('JBSWY3DPEHPK3PXP');
    expect(one).not.toBe(two);
    expect(one).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(one)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(two)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('a box of one purpose does not open under another, nor under another secret', () => {
    const sealed = sealedBox(secret, 'totp').seal('seed');
    expect(() => sealedBox(secret, 'jwt-keys').open(sealed)).toThrow(SealedBoxError);
    expect(() => sealedBox(`${secret}x`, 'totp').open(sealed)).toThrow(SealedBoxError);
  });

  it('refuses an altered box and a malformed one', () => {
    const box = sealedBox(secret, 'totp');
    const [v, iv, body, tag] = box.seal('seed').split('.');
    const flipped = Buffer.from(body ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open([v, iv, flipped.toString('base64url'), tag].join('.'))).toThrow(SealedBoxError);
    expect(() => box.open('v0.a.b.c')).toThrow(SealedBoxError);
    expect(() => box.open('garbage')).toThrow(SealedBoxError);
  });
});
