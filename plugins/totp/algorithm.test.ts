import { describe, expect, it } from 'vitest';
import { codeAt, matchingStep, newSecret, otpauthUri } from './algorithm.ts';

/** RFC 6238 appendix B, SHA1: the seed "12345678901234567890" (ASCII), 8-digit values. */
const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const vectors: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP algorithm', () => {
  it.each(vectors)('gives at %i s the RFC 6238 value (6 digits: its last six)', (seconds, value) => {
    expect(codeAt(seed, seconds * 1000)).toBe(value.slice(-6));
  });

  it('matches a code within one step either side and names its step', () => {
    const t = 1234567890_000;
    const step = Math.floor(t / 30_000);
    expect(matchingStep(seed, codeAt(seed, t), t)).toBe(step);
    expect(matchingStep(seed, codeAt(seed, t - 30_000), t)).toBe(step - 1);
    expect(matchingStep(seed, codeAt(seed, t + 30_000), t)).toBe(step + 1);
    expect(matchingStep(seed, codeAt(seed, t + 60_000), t)).toBeNull();
    expect(matchingStep(seed, codeAt(seed, t - 60_000), t)).toBeNull();
    expect(matchingStep(seed, '12345', t)).toBeNull();
  });

  it('makes 160-bit secrets and the otpauth URI authenticator apps read', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newSecret()).not.toBe(secret);
    expect(otpauthUri('Sekisho', 'taro', secret)).toBe(
      `otpauth://totp/Sekisho:taro?secret=${secret}&issuer=Sekisho&algorithm=SHA1&digits=6&period=30`,
    );
  });
});
