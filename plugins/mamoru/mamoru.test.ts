import { afterEach, describe, expect, it } from 'vitest';
import type { PluginUser, PushClient, StartResult, VerifyResult } from '../../src/plugin-api.ts';
import { buildMamoru, DECOY_USER, TEST_USER } from '../../test/fakes/mamoru-harness.ts';
import type { MamoruHarness, MamoruHarnessOptions } from '../../test/fakes/mamoru-harness.ts';

// One harness per test, over HTTP to the fake service unless a test asks for the local mode.
let h: MamoruHarness;
const build = async (options?: MamoruHarnessOptions) => (h = await buildMamoru(options));
afterEach(async () => h?.close());

function pageData(result: StartResult | VerifyResult): Record<string, unknown> {
  if (result.kind !== 'started' && result.kind !== 'refused' && result.kind !== 'wrong')
    throw new Error(`expected a page, got ${JSON.stringify(result)}`);
  expect(result.view.template).toBe('plugins/mamoru/views/wait');
  return result.view.data as Record<string, unknown>;
}

const JIRO: PluginUser = { ...TEST_USER, id: 'jiro', displayName: '鈴木 次郎' };
const NO_TOKENS = { push_token1: '', push_token2: '' };

describe('MAMORU start', () => {
  it('pushes to the user and shows the number to pick and the time left', async () => {
    await build();
    const data = pageData(await h.start());
    const tx = h.fake.latest('taro');
    expect(data).toEqual({
      number: tx.number,
      expiresAt: h.clock.now() + 60_000,
      secondsLeft: 60,
      tokenFields: ['push_token1', 'push_token2'],
    });
    expect(String(data.number)).toMatch(/^[1-9][0-9]$/);
    expect(h.fake.requests[0]?.body).toEqual({
      user_id: 'taro',
      ip: '192.0.2.10',
      user_agent: 'vitest',
      path: '/',
      decoy: false,
    });
    expect(h.audits).toEqual([
      expect.objectContaining({ event: 'start', outcome: 'success', userId: 'taro' }),
    ]);
  });

  it('tells the phone which page the login is for', async () => {
    await build();
    await h.start({ target: '/bk02/keiri/?month=4' });
    expect(h.fake.latest('taro').path).toBe('/bk02/keiri/?month=4');
  });

  it('shows the live push again on a reload, without pushing again', async () => {
    await build();
    const first = pageData(await h.start());
    h.clock.advance(20_000);
    const again = pageData(await h.start());
    expect(again).toMatchObject({ number: first.number, expiresAt: first.expiresAt, secondsLeft: 40 });
    expect(h.fake.count('start')).toBe(1);
  });

  it('pushes again when asked to resend; the earlier push no longer logs this flow in', async () => {
    await build();
    await h.start();
    const old = h.fake.latest('taro');
    const resent = pageData(await h.start({ resend: true }));
    const fresh = h.fake.latest('taro');
    expect(fresh.id).not.toBe(old.id);
    expect(resent).toMatchObject({ number: fresh.number, notice: 'resent' });
    // The phone approves the old request; its tokens reach an attacker somehow: still refused.
    h.fake.approve(old.id);
    const polled = await h.fake.client.poll(old.id);
    const tokens = polled.kind === 'state' ? polled.tokens : undefined;
    expect(tokens).toBeDefined();
    expect(await h.poll()).toEqual({ kind: 'pending' });
    const answer = { push_token1: tokens?.token1 ?? '', push_token2: tokens?.token2 ?? '' };
    expect(await h.verify(answer)).toEqual({ kind: 'dead', messageKey: 'verifyFailed' });
  });

  it('pushes a fresh one when the live push has expired', async () => {
    await build();
    await h.start();
    h.clock.advance(60_000);
    const data = pageData(await h.start());
    expect(data.secondsLeft).toBe(60);
    expect(data.notice).toBeUndefined();
    expect(h.fake.count('start')).toBe(2);
  });

  it('pushes again for another ID typed in the same browser flow', async () => {
    await build();
    await h.start();
    await h.start({ user: JIRO });
    expect(h.fake.transactions.map((t) => t.userId)).toEqual(['taro', 'jiro']);
  });

  it('says the phone is busy past the push-bombing cap, and audits it', async () => {
    await build({ fake: { maxPendingPerUser: 3 } });
    for (let i = 0; i < 3; i += 1) expect((await h.start({ resend: true })).kind).toBe('started');
    expect(await h.start({ resend: true })).toEqual({ kind: 'problem', messageKey: 'busy', retry: true });
    expect(h.audits.at(-1)).toMatchObject({ event: 'start', outcome: 'failure', detail: { reason: 'busy' } });
  });

  it('shows no number when the service does not match numbers', async () => {
    await build({ fake: { numberMatching: false } });
    expect(pageData(await h.start()).number).toBeNull();
  });
});

describe('MAMORU poll', () => {
  it('is pending, then ready with the tokens once, then already used', async () => {
    await build();
    await h.start();
    expect(await h.poll()).toEqual({ kind: 'pending' });
    h.fake.approve(h.fake.latest('taro').id);
    const ready = await h.poll();
    expect(ready).toEqual({
      kind: 'ready',
      fields: { push_token1: expect.any(String), push_token2: expect.any(String) },
    });
    expect(await h.poll()).toEqual({ kind: 'dead', messageKey: 'alreadyUsed' });
  });

  it.each([
    ['denied on the phone', 'denied', (h: MamoruHarness) => h.fake.deny(h.fake.latest('taro').id)],
    [
      'a wrong number picked',
      'wrongNumber',
      (h: MamoruHarness) => {
        const tx = h.fake.latest('taro');
        h.fake.approve(tx.id, tx.number === 99 ? 98 : 99);
      },
    ],
    ['not answered in time', 'expired', (h: MamoruHarness) => h.clock.advance(60_000)],
  ])('is dead when %s (%s)', async (_label, messageKey, happen) => {
    await build();
    await h.start();
    happen(h);
    expect(await h.poll()).toEqual({ kind: 'dead', messageKey });
  });

  it('is dead (expired) for a flow with no push, or with another user’s push', async () => {
    await build();
    expect(await h.poll()).toEqual({ kind: 'dead', messageKey: 'expired' });
    await h.start();
    expect(await h.poll({ user: JIRO })).toEqual({ kind: 'dead', messageKey: 'expired' });
    expect(await h.poll({ flowId: 'flow-2' })).toEqual({ kind: 'dead', messageKey: 'expired' });
  });

  it('keeps the page waiting while the service cannot be reached', async () => {
    await build();
    await h.start();
    h.fake.failNext('server-error');
    expect(await h.poll()).toEqual({ kind: 'pending' });
    h.fake.approve(h.fake.latest('taro').id);
    expect((await h.poll()).kind).toBe('ready');
  });
});

describe('MAMORU verify with the tokens', () => {
  it('accepts them once; a replay is dead', async () => {
    await build();
    await h.start();
    const answer = await h.approveAndFetch();
    expect(await h.verify(answer)).toEqual({ kind: 'ok' });
    expect(await h.verify(answer)).toEqual({ kind: 'dead', messageKey: 'expired' });
    expect(h.fake.count('verify')).toBe(1);
    expect(h.audits.filter((a) => a.event === 'check').map((a) => a.outcome)).toEqual(['success', 'failure']);
  });

  it('refuses the tokens of another flow’s push, even for the same user', async () => {
    await build();
    await h.start({ flowId: 'flow-a' });
    await h.start({ flowId: 'flow-b' });
    const [txA] = h.fake.transactions;
    h.fake.approve(txA?.id ?? '');
    const poll = await h.poll({ flowId: 'flow-a' });
    const answer = poll.kind === 'ready' ? poll.fields : {};
    expect(await h.verify(answer, { flowId: 'flow-b' })).toEqual({
      kind: 'dead',
      messageKey: 'verifyFailed',
    });
    // The service was asked about flow B's transaction, not about the one the tokens came from.
    const verifyBody = h.fake.requests.find((r) => r.call === 'verify')?.body;
    expect(verifyBody).toMatchObject({ transaction_id: h.fake.transactions[1]?.id, user_id: 'taro' });
    expect(await h.verify(answer, { flowId: 'flow-a' })).toEqual({ kind: 'ok' });
  });

  it('refuses them for another user on the same flow', async () => {
    await build();
    await h.start();
    const answer = await h.approveAndFetch();
    expect(await h.verify(answer, { user: JIRO })).toMatchObject({ kind: 'dead' });
    expect(h.fake.count('verify')).toBe(0);
  });

  it('refuses wrong tokens and ends the flow', async () => {
    await build();
    await h.start();
    const answer = await h.approveAndFetch();
    const forged = { ...answer, push_token2: 'x'.repeat(43) };
    expect(await h.verify(forged)).toEqual({ kind: 'dead', messageKey: 'verifyFailed' });
    expect(await h.verify(answer)).toEqual({ kind: 'dead', messageKey: 'expired' });
  });

  it('does not send malformed tokens to the service', async () => {
    await build();
    await h.start();
    const answer = { push_token1: 'has space', push_token2: 'y'.repeat(600) };
    expect(await h.verify(answer)).toEqual({ kind: 'dead', messageKey: 'verifyFailed' });
    expect(h.fake.count('verify')).toBe(0);
  });

  it('refuses tokens presented after the token lifetime', async () => {
    await build();
    await h.start();
    const answer = await h.approveAndFetch();
    h.clock.advance(120_001);
    expect(await h.verify(answer)).toEqual({ kind: 'dead', messageKey: 'verifyFailed' });
  });
});

describe('MAMORU verify without tokens (the no-JavaScript button)', () => {
  it('shows the page again while the phone has not approved', async () => {
    await build();
    const started = pageData(await h.start());
    h.clock.advance(5000);
    const result = await h.verify(NO_TOKENS);
    expect(result).toMatchObject({ kind: 'refused', messageKey: 'notYet' });
    expect(pageData(result)).toMatchObject({ number: started.number, secondsLeft: 55 });
    expect(await h.verify({})).toMatchObject({ kind: 'refused', messageKey: 'notYet' });
  });

  it('logs in once the phone approved, fetching the tokens itself', async () => {
    await build();
    await h.start();
    h.fake.approve(h.fake.latest('taro').id);
    expect(await h.verify(NO_TOKENS)).toEqual({ kind: 'ok' });
    expect(await h.verify(NO_TOKENS)).toEqual({ kind: 'dead', messageKey: 'expired' });
  });

  it('is dead with the reason when the push is over', async () => {
    await build();
    await h.start();
    h.fake.deny(h.fake.latest('taro').id);
    expect(await h.verify(NO_TOKENS)).toEqual({ kind: 'dead', messageKey: 'denied' });
  });

  it('is dead (already used) when the page already fetched the tokens', async () => {
    await build();
    await h.start();
    await h.approveAndFetch();
    expect(await h.verify(NO_TOKENS)).toEqual({ kind: 'dead', messageKey: 'alreadyUsed' });
  });

  it('asks to try again when the service cannot be reached', async () => {
    await build();
    await h.start();
    h.fake.failNext('garbage');
    expect(await h.verify(NO_TOKENS)).toMatchObject({ kind: 'refused', messageKey: 'unavailable' });
  });
});

describe('MAMORU decoy (unknown or locked ID)', () => {
  it('answers with the same page, contacts no phone and never logs in', async () => {
    await build();
    const real = pageData(await h.start());
    const decoy = pageData(await h.start({ user: DECOY_USER, decoy: true, flowId: 'flow-d' }));
    expect(Object.keys(decoy).sort()).toEqual(Object.keys(real).sort());
    expect(String(decoy.number)).toMatch(/^[1-9][0-9]$/);
    expect(decoy.secondsLeft).toBe(real.secondsLeft);
    expect(h.fake.requests[1]?.body).toMatchObject({ user_id: DECOY_USER.id, decoy: true });

    const tx = h.fake.latest(DECOY_USER.id);
    expect(() => h.fake.approve(tx.id)).toThrow(/decoy/);
    const flow = { user: DECOY_USER, decoy: true, flowId: 'flow-d' };
    expect(await h.poll(flow)).toEqual({ kind: 'pending' });
    expect(await h.verify(NO_TOKENS, flow)).toMatchObject({ kind: 'refused', messageKey: 'notYet' });
    const forged = { push_token1: 'a'.repeat(43), push_token2: 'b'.repeat(43) };
    expect(await h.verify(forged, flow)).toEqual({ kind: 'dead', messageKey: 'verifyFailed' });
  });

  it('expires like a real push nobody answered', async () => {
    await build();
    const flow = { user: DECOY_USER, decoy: true };
    await h.start(flow);
    h.clock.advance(60_000);
    expect(await h.poll(flow)).toEqual({ kind: 'dead', messageKey: 'expired' });
  });

  it('never logs in, even if the push service wrongly approved it', async () => {
    // A service that approves everything: the plugin's own guard must still hold.
    const lying: PushClient = {
      start: async () => ({ kind: 'started', transactionId: 'ptx_lie', number: 42, expiresAt: 9e15 }),
      poll: async () => ({ kind: 'state', state: 'approved', tokens: { token1: 't1', token2: 't2' } }),
      verify: async () => true,
    };
    await build({ mode: 'local', localClient: lying });
    const flow = { user: DECOY_USER, decoy: true };
    await h.start(flow);
    expect(await h.verify({ push_token1: 't1', push_token2: 't2' }, flow)).toMatchObject({ kind: 'dead' });
    await h.start(flow);
    expect(await h.verify(NO_TOKENS, flow)).toMatchObject({ kind: 'dead' });
    // The core must pass decoy on verify too; but a decoy start alone is enough to refuse.
    await h.start(flow);
    expect(await h.verify({ push_token1: 't1', push_token2: 't2' }, { user: DECOY_USER })).toMatchObject({
      kind: 'dead',
    });
  });

  it('does not turn a decoy flow into a real one on reload', async () => {
    await build();
    await h.start({ user: DECOY_USER, decoy: true });
    await h.start({ user: DECOY_USER, decoy: false });
    expect(h.fake.transactions.map((t) => t.decoy)).toEqual([true, false]);
  });
});

describe("MAMORU with service 'local'", () => {
  it('logs in through ctx.services.push, without HTTP', async () => {
    await build({ mode: 'local' });
    await h.start();
    const answer = await h.approveAndFetch();
    expect(await h.verify(answer)).toEqual({ kind: 'ok' });
    expect(h.fake.requests).toHaveLength(0);
  });
});

describe('MAMORU secrets', () => {
  it('never stores, audits or logs the tokens', async () => {
    await build();
    await h.start();
    const answer = await h.approveAndFetch();
    await h.verify({ ...answer, push_token1: 'z'.repeat(43) });
    const internals = h.store as unknown as { values: Map<string, unknown> };
    const everything = JSON.stringify([h.audits, h.logs, [...internals.values]]);
    expect(everything).not.toContain(answer.push_token1);
    expect(everything).not.toContain(answer.push_token2);
    expect(everything).not.toContain(h.fake.apiKey);
  });
});
