import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryReport } from '../../test/fakes/karaden-server.ts';
import { buildSmsOtp, codeIn } from '../../test/fakes/smsotp-harness.ts';
import type { Harness, HarnessOptions } from '../../test/fakes/smsotp-harness.ts';
import { createSandboxProvider, SANDBOX_CAPACITY } from './providers/sandbox.ts';

// One harness per test; close() is idempotent, so a test may also close it early.
let h: Harness;
const build = async (options?: HarnessOptions) => (h = await buildSmsOtp(options));
afterEach(async () => h?.close());

const SECRET = 'callback-secret-0123456789';

describe('POST sms/callback/:secret (Karaden delivery results)', () => {
  const callback = (body: unknown, secret = SECRET) =>
    h.route('POST', 'sms/callback/:secret', { params: { secret }, body });

  async function sentMessage() {
    await h.start();
    const message = h.karaden?.received[0]?.message;
    if (!message) throw new Error('nothing sent');
    return message;
  }

  it('records a delivery against the send and audits it', async () => {
    await build({ callbackSecret: SECRET });
    const message = await sentMessage();
    expect(await callback(deliveryReport(message))).toEqual({ status: 200, json: { ok: true } });
    const row = h.audits.find((a) => a.event === 'delivery');
    expect(row).toMatchObject({ outcome: 'success', userId: 'taro' });
    expect(row?.detail).toEqual({
      messageId: message.id,
      status: 'done',
      result: 'done',
      sent_result: 'received',
      carrier: 'docomo',
    });
    const stored = JSON.parse((await h.store.read(`SMSOTP:send:${message.id}`)) ?? '{}');
    expect(stored).toMatchObject({ userId: 'taro', provider: 'karaden', sent_result: 'received' });
  });

  it('audits an undelivered message as a failure and an unfinished one as info', async () => {
    await build({ callbackSecret: SECRET });
    const message = await sentMessage();
    await callback(deliveryReport(message, 'unconnected'));
    await callback({ ...message, result: 'processing' });
    expect(h.audits.filter((a) => a.event === 'delivery').map((a) => a.outcome)).toEqual(['failure', 'info']);
  });

  it('answers 404 to a wrong secret, and when no secret is configured', async () => {
    await build({ callbackSecret: SECRET });
    const message = await sentMessage();
    expect((await callback(deliveryReport(message), `${SECRET}x`)).status).toBe(404);
    expect((await callback(deliveryReport(message), '')).status).toBe(404);
    await h.close();
    await build();
    expect((await callback(deliveryReport(await sentMessage()))).status).toBe(404);
    expect(h.audits.some((a) => a.event === 'delivery')).toBe(false);
  });

  it('answers 400 to a body that is not a Karaden message object', async () => {
    await build({ callbackSecret: SECRET });
    const message = await sentMessage();
    for (const body of [
      undefined,
      'text',
      { object: 'error', code: 'x' },
      { ...deliveryReport(message), id: '../x' },
    ]) {
      expect((await callback(body)).status).toBe(400);
    }
    const { status: _status, ...noStatus } = deliveryReport(message);
    expect((await callback(noStatus)).status).toBe(400);
  });

  it('answers 404 to a message id it never sent', async () => {
    await build({ callbackSecret: SECRET });
    const message = await sentMessage();
    expect((await callback(deliveryReport({ ...message, id: randomUUID() }))).status).toBe(404);
  });
});

describe('sandbox inbox routes', () => {
  it('lists what the sandbox sent, newest first, as JSON and as a page', async () => {
    await build({ providers: ['sandbox'], sandboxPage: true });
    await h.start({ flowId: 'a' });
    h.clock.advance(1000);
    await h.start({ flowId: 'b', locale: 'en' });
    const json = await h.route('GET', 'sandbox/sms.json');
    const { messages } = (
      json as { json: { messages: { id: string; to: string; body: string; at: string }[] } }
    ).json;
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ to: '+819012345678', at: new Date(h.clock.now()).toISOString() });
    expect(messages[0]?.body).toMatch(/^Sekisho one-time password/);
    expect(await h.verify(codeIn(messages[1]?.body ?? ''), { flowId: 'a' })).toEqual({ kind: 'ok' });

    const page = await h.route('GET', 'sandbox/sms');
    expect(page).toMatchObject({ status: 200, title: 'SMS サンドボックス' });
    expect('view' in page && page.view.template).toBe('plugins/smsotp/views/sandbox');
  });

  it('is mounted only when sms.sandbox.page says so, and never without the sandbox', async () => {
    for (const options of [
      { providers: ['sandbox'] },
      { providers: ['karaden', 'sandbox'] },
      { providers: ['sandbox'], sandboxPage: false },
      { providers: ['karaden'], sandboxPage: true },
    ] as const) {
      await build(options);
      expect(h.method.routes?.map((r) => r.path)).toEqual(['sms/callback/:secret']);
      await h.close();
    }
  });

  it('keeps only the newest messages', async () => {
    const sandbox = createSandboxProvider({ now: () => 0 });
    for (let i = 0; i < SANDBOX_CAPACITY + 5; i += 1)
      await sandbox.send({ to: '+819012345678', body: `m${i}` });
    expect(sandbox.messages()).toHaveLength(SANDBOX_CAPACITY);
    expect(sandbox.messages()[0]?.body).toBe(`m${SANDBOX_CAPACITY + 4}`);
  });
});
