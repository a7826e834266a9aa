import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../test/fakes/plugin-context.ts';
import { startFakeMamoru } from '../../test/fakes/mamoru-server.ts';
import type { FakeMamoru, FakeMamoruFault } from '../../test/fakes/mamoru-server.ts';
import type { PluginLogger } from '../../src/plugin-api.ts';
import { createRemotePushClient } from './remote-client.ts';
import type { RemotePushClient } from './remote-client.ts';
import { buildMamoru } from '../../test/fakes/mamoru-harness.ts';
import type { MamoruHarness } from '../../test/fakes/mamoru-harness.ts';

let fake: FakeMamoru;
let client: RemotePushClient;
let logs: LogLine[];

const startRequest = { userId: 'taro', ip: '192.0.2.10', userAgent: 'vitest', path: '/bk02/', decoy: false };

async function connect(overrides: { apiKey?: string; timeoutMs?: number } = {}): Promise<void> {
  fake = await startFakeMamoru();
  logs = [];
  const log: PluginLogger = {
    info: (fields, message) => void logs.push({ level: 'info', fields, message }),
    warn: (fields, message) => void logs.push({ level: 'warn', fields, message }),
    error: (fields, message) => void logs.push({ level: 'error', fields, message }),
  };
  const settings = { url: fake.url, apiKey: fake.apiKey, timeoutMs: 2000, ...overrides };
  client = createRemotePushClient(settings, log);
}

afterEach(async () => {
  await client?.close();
  await fake?.close();
});

describe('the remote push client on the wire', () => {
  it('speaks docs/push.md §5: paths under the base URL, Bearer key, snake_case JSON', async () => {
    await connect();
    const started = await client.start(startRequest);
    expect(started).toMatchObject({ kind: 'started', transactionId: expect.stringMatching(/^ptx_/) });
    if (started.kind !== 'started') return;
    expect(await client.poll(started.transactionId)).toEqual({ kind: 'state', state: 'pending' });
    fake.approve(started.transactionId);
    const polled = await client.poll(started.transactionId);
    if (polled.kind !== 'state' || polled.tokens === undefined) throw new Error('no tokens');
    const verify = { transactionId: started.transactionId, userId: 'taro', ...polled.tokens };
    expect(await client.verify(verify)).toBe(true);
    expect(await client.verify(verify)).toBe(false);

    expect(fake.requests.map((r) => r.call)).toEqual(['start', 'poll', 'poll', 'verify', 'verify']);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
    expect(fake.requests[0]?.body).toEqual({
      user_id: 'taro',
      ip: '192.0.2.10',
      user_agent: 'vitest',
      path: '/bk02/',
      decoy: false,
    });
    expect(fake.requests[1]?.body).toEqual({ transaction_id: started.transactionId });
    expect(fake.requests[3]?.body).toEqual({
      transaction_id: started.transactionId,
      user_id: 'taro',
      token1: polled.tokens.token1,
      token2: polled.tokens.token2,
    });
    // A refused verify (1401) is an answer, not a failure: nothing to warn about.
    expect(logs).toEqual([]);
  });

  it('reads 1429 on start as busy', async () => {
    await connect();
    for (let i = 0; i < 3; i += 1) expect((await client.start(startRequest)).kind).toBe('started');
    expect(await client.start(startRequest)).toEqual({ kind: 'busy' });
  });
});

describe('the remote push client when the service fails', () => {
  it.each<[FakeMamoruFault, string]>([
    ['server-error', 'http-status'],
    ['garbage', 'not-json'],
    ['no-status', 'bad-shape'],
  ])('%s → unavailable / false, with a warn line (%s)', async (fault, reason) => {
    await connect();
    const started = await client.start(startRequest);
    if (started.kind !== 'started') throw new Error('not started');
    for (let i = 0; i < 3; i += 1) fake.failNext(fault);
    expect(await client.start(startRequest)).toEqual({ kind: 'unavailable' });
    expect(await client.poll(started.transactionId)).toEqual({ kind: 'unavailable' });
    const verify = { transactionId: started.transactionId, userId: 'taro', token1: 'a', token2: 'b' };
    expect(await client.verify(verify)).toBe(false);
    expect(logs.map((l) => [l.level, l.fields.call, l.fields.reason])).toEqual([
      ['warn', 'start', reason],
      ['warn', 'poll', reason],
      ['warn', 'verify', reason],
    ]);
  });

  it.each<FakeMamoruFault>(['missing-fields', 'bad-fields'])(
    '%s → unavailable for start and poll',
    async (fault) => {
      await connect();
      const started = await client.start(startRequest);
      if (started.kind !== 'started') throw new Error('not started');
      fake.failNext(fault);
      fake.failNext(fault);
      expect(await client.start(startRequest)).toEqual({ kind: 'unavailable' });
      expect(await client.poll(started.transactionId)).toEqual({ kind: 'unavailable' });
      expect(logs.map((l) => l.fields)).toEqual([
        { call: 'start', reason: 'bad-shape' },
        { call: 'poll', reason: 'bad-shape' },
      ]);
    },
  );

  it.each([
    ['tokens without an approval', { state: 'pending', token1: 'a', token2: 'b' }],
    ['one token alone', { state: 'approved', token1: 'a' }],
    ['a token with a space', { state: 'approved', token1: 'a b', token2: 'c' }],
    ['an unknown state', { state: 'maybe' }],
  ])('poll: %s → unavailable', async (_label, fields) => {
    await connect();
    fake.answerNext({ status: '0000', ...fields });
    expect(await client.poll('ptx_x')).toEqual({ kind: 'unavailable' });
  });

  it.each([
    ['a number out of range', { transaction_id: 'ptx_a', number: 7, expires_at: 1 }],
    ['an odd transaction ID', { transaction_id: 'ptx a/../b', number: 42, expires_at: 1 }],
    ['no expiry', { transaction_id: 'ptx_a', number: 42 }],
  ])('start: %s → unavailable', async (_label, fields) => {
    await connect();
    fake.answerNext({ status: '0000', ...fields });
    expect(await client.start(startRequest)).toEqual({ kind: 'unavailable' });
  });

  it('start: no number (number matching off) is fine; statuses may come with a 4xx', async () => {
    await connect();
    fake.answerNext({ status: '0000', transaction_id: 'ptx_a', number: null, expires_at: 5 });
    expect(await client.start(startRequest)).toEqual({
      kind: 'started',
      transactionId: 'ptx_a',
      number: null,
      expiresAt: 5,
    });
    fake.answerNext({ status: '1429', message: 'busy' }, 429);
    expect(await client.start(startRequest)).toEqual({ kind: 'busy' });
    // A service that says when pushes work again (a Sekisho gateway does): the page can say it too.
    fake.answerNext({ status: '1429', message: 'busy', retry_at: 1_767_226_001_000 });
    expect(await client.start(startRequest)).toEqual({ kind: 'busy', retryAt: 1_767_226_001_000 });
    fake.answerNext({ status: '1429', message: 'busy', retry_at: 'soon' });
    expect(await client.start(startRequest)).toEqual({ kind: 'busy' });
    fake.answerNext({ status: '1401', message: 'refused' }, 401);
    expect(await client.verify({ transactionId: 'ptx_a', userId: 'taro', token1: 'a', token2: 'b' })).toBe(
      false,
    );
    expect(logs).toEqual([]);
    fake.answerNext({ status: '0000', state: 'approved' }, 502);
    expect(await client.poll('ptx_a')).toEqual({ kind: 'unavailable' });
  });

  it('gives up after timeoutMs when the service hangs', async () => {
    await connect({ timeoutMs: 150 });
    fake.failNext('hang');
    expect(await client.start(startRequest)).toEqual({ kind: 'unavailable' });
    expect(logs[0]?.fields).toMatchObject({ call: 'start', reason: 'timeout' });
  });

  it('is unavailable with a bad API key, and never logs the key', async () => {
    await connect({ apiKey: 'not-the-key-not-the-key-not-the-key!' });
    expect(await client.start(startRequest)).toEqual({ kind: 'unavailable' });
    expect(logs[0]?.fields).toEqual({ call: 'start', reason: 'status', status: '1403' });
    expect(JSON.stringify(logs)).not.toContain('not-the-key');
  });

  it('is unavailable when nothing listens', async () => {
    await connect();
    await fake.close();
    expect(await client.start(startRequest)).toEqual({ kind: 'unavailable' });
    expect(logs[0]?.fields).toMatchObject({ call: 'start', reason: 'network' });
  });
});

describe('MAMORU when the remote service fails', () => {
  let h: MamoruHarness;
  afterEach(async () => h?.close());

  it.each<FakeMamoruFault>(['server-error', 'garbage', 'no-status', 'missing-fields', 'bad-fields', 'hang'])(
    '%s on start → problem unavailable, retry',
    async (fault) => {
      h = await buildMamoru({ service: { timeoutMs: 150 } });
      h.fake.failNext(fault);
      expect(await h.start()).toEqual({ kind: 'problem', messageKey: 'unavailable', retry: true });
      expect(h.audits).toEqual([
        expect.objectContaining({
          event: 'start',
          outcome: 'failure',
          detail: expect.objectContaining({ reason: 'unavailable' }),
        }),
      ]);
    },
  );

  it('a bad API key → problem unavailable, and nothing ever logs in', async () => {
    h = await buildMamoru({ service: { apiKey: 'wrong-key-wrong-key-wrong-key-wrong-key' } });
    expect(await h.start()).toEqual({ kind: 'problem', messageKey: 'unavailable', retry: true });
    expect(await h.poll()).toEqual({ kind: 'dead', messageKey: 'expired' });
    expect(await h.verify({ push_token1: 'a', push_token2: 'b' })).toMatchObject({ kind: 'dead' });
  });

  it('a verify that fails on the wire is never ok', async () => {
    h = await buildMamoru();
    await h.start();
    const answer = await h.approveAndFetch();
    h.fake.failNext('server-error');
    expect(await h.verify(answer)).toEqual({ kind: 'dead', messageKey: 'verifyFailed' });
  });
});
