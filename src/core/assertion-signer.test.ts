import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../ports/clock.ts';
import { configuredAssertionKey } from './assertion-keys.ts';
import { AssertionSigner, type AssertedIdentity } from './assertion-signer.ts';

const start = Date.UTC(2026, 11, 4, 9, 0, 0);
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

function identity(userId: string): AssertedIdentity {
  return {
    userId,
    groups: ['keiri'],
    proven: ['PASSWORD', 'SMSOTP'],
    authenticatedAt: start,
    amr: undefined,
  };
}

async function signer(clock: FakeClock, spread: () => number): Promise<AssertionSigner> {
  const started = await AssertionSigner.start({
    issuer: 'https://sekisho.example',
    lifetimeSeconds: 60,
    clock,
    log: pino({ level: 'silent' }),
    loadKeys: configuredAssertionKey(pem),
    spread,
  });
  started.stop();
  return started;
}

function issuedAt(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    iat: number;
  };
  return payload.iat * 1000;
}

/** A fixed sequence in [0, 1): the same spread on every run. */
function sequence(): () => number {
  let state = 7;
  return () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
}

describe('AssertionSigner renews a token in use before it is due', () => {
  it('the request that finds it in its renewal window takes it, and its successor is signed meanwhile', async () => {
    const clock = new FakeClock(start);
    const assertions = await signer(clock, () => 0.5);
    const taro = identity('taro');
    const first = await assertions.assertion(taro, 'bk01');
    // Renewal from a quarter of the lifetime plus half of three quarters of the next: 20.625 s.
    clock.advance(20_624);
    expect(assertions.cached(taro, 'bk01')).toBe(first);
    expect(await assertions.assertion(taro, 'bk01')).toBe(first);
    await assertions.signed();
    expect(assertions.cached(taro, 'bk01')).toBe(first);
    clock.advance(1);
    expect(assertions.cached(taro, 'bk01')).toBe(first);
    await assertions.signed();
    const second = await assertions.assertion(taro, 'bk01');
    expect(second).not.toBe(first);
    expect(issuedAt(second)).toBe(start + 20_000);
    // The successor serves until half its own lifetime: no request waits at the first one's end.
    clock.advance(30_000 - 20_625);
    expect(assertions.cached(taro, 'bk01')).toBe(second);
  });

  it('tokens signed in the same second are signed again spread over the second quarter of their lifetime, none found due', async () => {
    const clock = new FakeClock(start);
    const assertions = await signer(clock, sequence());
    const sessions = Array.from({ length: 1000 }, (_, i) => identity(`user${i}`));
    const tokens = await Promise.all(sessions.map((s) => assertions.assertion(s, 'bk01')));
    const renewedAt: number[] = [];
    for (let second = 1; second <= 30; second++) {
      clock.advance(1000);
      // Every session makes a request each second; none may find its token gone.
      for (const s of sessions) expect(assertions.cached(s, 'bk01')).toBeTypeOf('string');
      await assertions.signed();
      sessions.forEach((s, i) => {
        const token = assertions.cached(s, 'bk01') ?? '';
        if (token !== tokens[i]) {
          renewedAt.push(second);
          tokens[i] = token;
        }
      });
    }
    expect(renewedAt).toHaveLength(1000);
    expect(Math.min(...renewedAt)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...renewedAt)).toBeLessThanOrEqual(27);
    const perSecond = new Map<number, number>();
    for (const second of renewedAt) perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    // 1,000 over ~11 s: ~90 a second, never the whole thousand at once.
    expect(Math.max(...perSecond.values())).toBeLessThan(200);
  });
});
