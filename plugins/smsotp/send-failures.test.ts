import { afterEach, describe, expect, it } from 'vitest';
import { buildSmsOtp, codeIn, TEST_USER } from '../../test/fakes/smsotp-harness.ts';
import type { Harness, HarnessOptions } from '../../test/fakes/smsotp-harness.ts';

// One harness per test; close() is idempotent, so a test may also close it early.
let h: Harness;
const build = async (options?: HarnessOptions) => (h = await buildSmsOtp(options));
afterEach(async () => h?.close());

const sends = () => h.audits.filter((a) => a.event === 'send');

describe('SMSOTP send failures', () => {
  const sendFailed = { kind: 'problem', messageKey: 'sendFailed', retry: true };

  it.each([
    ['server-error', 'server-error'],
    ['rate-limited', 'rate-limited'],
    ['garbage', 'bad-response'],
    ['hang', 'timeout'],
  ] as const)('fault %s: sendFailed, nothing stored, audited as %s', async (fault, reason) => {
    // Only the hang needs a short provider timeout; the others answer at once, and a short timeout
    // would turn a slow answer on a busy machine into a timeout.
    await build({ karaden: { timeoutMs: fault === 'hang' ? 150 : 10_000 } });
    h.karaden?.failNext(fault);
    expect(await h.start()).toEqual(sendFailed);
    expect(sends()).toEqual([
      expect.objectContaining({ outcome: 'failure', detail: expect.objectContaining({ reason }) }),
    ]);
    expect(await h.verify('123456')).toMatchObject({ kind: 'dead' });
    // Nothing was counted against the cooldown: trying again sends at once.
    expect((await h.start()).kind).toBe('started');
  });

  it('a rejected token: sendFailed and an unauthorized audit row', async () => {
    await build({ karaden: { token: 'not-the-token' } });
    expect(await h.start()).toEqual(sendFailed);
    expect(sends()[0]?.detail).toMatchObject({ provider: 'karaden', reason: 'unauthorized', status: 401 });
    expect(h.logs.some((l) => l.level === 'warn' && JSON.stringify(l).includes('not-the-token'))).toBe(false);
  });

  it('a failed resend keeps the old code working', async () => {
    await build();
    await h.start();
    const code = codeIn(h.lastKaradenBody());
    h.clock.advance(30_000);
    h.karaden?.failNext('server-error');
    expect(await h.start({ resend: true })).toEqual(sendFailed);
    expect(await h.verify(code)).toEqual({ kind: 'ok' });
  });

  it('fails over from Karaden (500) to the sandbox, auditing both', async () => {
    await build({ providers: ['karaden', 'sandbox'], sandboxPage: true });
    h.karaden?.failNext('server-error');
    expect((await h.start()).kind).toBe('started');
    expect(sends().map((a) => [a.outcome, a.detail?.provider])).toEqual([
      ['failure', 'karaden'],
      ['success', 'sandbox'],
    ]);
    const inbox = await h.route('GET', 'sandbox/sms.json');
    const [message] = (inbox as { json: { messages: { body: string }[] } }).json.messages;
    expect(await h.verify(codeIn(message?.body ?? ''))).toEqual({ kind: 'ok' });
  });

  it('refuses a number it cannot send to, without sending', async () => {
    await build({ providers: ['karaden', 'sandbox'] });
    for (const phone of ['+14155550100', '+81312345678']) {
      const result = await h.start({ user: { ...TEST_USER, phone } });
      expect(result).toEqual({ kind: 'problem', messageKey: 'invalidNumber', retry: false });
    }
    expect(h.karaden?.requestCount()).toBe(0);
    expect(sends()[0]).toMatchObject({ outcome: 'failure', detail: { reason: 'invalid-number' } });
  });

  it('tells a user without a phone number to contact the help desk', async () => {
    await build();
    const result = await h.start({ user: { ...TEST_USER, phone: null } });
    expect(result).toEqual({ kind: 'problem', messageKey: 'noPhone', retry: false });
    expect(h.karaden?.requestCount()).toBe(0);
  });
});
