import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTestStore } from '../../test/fakes/redis-test-store.ts';
import { buildSmsOtp, codeIn } from '../../test/fakes/smsotp-harness.ts';
import type { Harness } from '../../test/fakes/smsotp-harness.ts';

// The same flows against real Redis: the Lua challenge script, key deletion and counters. Expiry
// there follows real time, so the clock-driven cases stay in sms-otp.test.ts.
describe('SMSOTP on Redis', () => {
  const redis = redisTestStore('smsotp');
  let h: Harness;

  beforeAll(async () => {
    h = await buildSmsOtp({ otp: { maxAttempts: 3 }, store: (clock) => redis.make(clock) });
    await redis.connect();
  });

  afterAll(async () => {
    await h?.close();
    await redis.dispose();
  });

  it('accepts the code once; a replay is dead', async () => {
    expect((await h.start({ flowId: 'r1' })).kind).toBe('started');
    const code = codeIn(h.lastKaradenBody());
    expect(await h.verify(code, { flowId: 'r1' })).toEqual({ kind: 'ok' });
    expect(await h.verify(code, { flowId: 'r1' })).toMatchObject({ kind: 'dead' });
  });

  it('kills the challenge after maxAttempts wrong codes', async () => {
    await h.start({ flowId: 'r2' });
    const code = codeIn(h.lastKaradenBody());
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await h.verify(wrong, { flowId: 'r2' })).toMatchObject({ kind: 'wrong' });
    expect(await h.verify(wrong, { flowId: 'r2' })).toMatchObject({ kind: 'wrong' });
    expect(await h.verify(wrong, { flowId: 'r2' })).toMatchObject({ kind: 'dead' });
    expect(await h.verify(code, { flowId: 'r2' })).toMatchObject({ kind: 'dead' });
  });

  it('replaces the code on resend after the cooldown', async () => {
    await h.start({ flowId: 'r3' });
    const oldCode = codeIn(h.lastKaradenBody());
    h.clock.advance(30_000);
    expect((await h.start({ flowId: 'r3', resend: true })).kind).toBe('started');
    const newCode = codeIn(h.lastKaradenBody());
    if (oldCode !== newCode)
      expect(await h.verify(oldCode, { flowId: 'r3' })).toMatchObject({ kind: 'wrong' });
    expect(await h.verify(newCode, { flowId: 'r3' })).toEqual({ kind: 'ok' });
  });
});
