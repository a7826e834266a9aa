import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKaraden } from '../../test/fakes/karaden-server.ts';
import type { FakeKaraden } from '../../test/fakes/karaden-server.ts';
import { createKaradenProvider } from './providers/karaden.ts';
import type { KaradenSettings } from './providers/karaden.ts';
import type { SmsProvider } from './providers/types.ts';

describe('Karaden provider', () => {
  let fake: FakeKaraden;
  let provider: SmsProvider;
  const settingsFor = (f: FakeKaraden, extra: Partial<KaradenSettings> = {}): KaradenSettings => ({
    baseUrl: f.baseUrl,
    tenantId: f.tenantId,
    serviceId: f.serviceId,
    token: f.token,
    version: '2024-03-01',
    timeoutMs: 2000,
    ...extra,
  });

  beforeEach(async () => {
    fake = await startFakeKaraden();
    provider = createKaradenProvider(settingsFor(fake));
  });

  afterEach(async () => {
    await provider.close?.();
    await fake.close();
  });

  it('speaks the Karaden wire format (version 2024-03-01) and returns the message id', async () => {
    const outcome = await provider.send({ to: '+819012345678', body: 'こんにちは #123456' });
    expect(fake.received).toHaveLength(1);
    const [{ message, headers }] = fake.received as [(typeof fake.received)[number]];
    expect(outcome).toEqual({ ok: true, messageId: message.id });
    expect(message).toMatchObject({ to: '09012345678', body: 'こんにちは #123456', service_id: 1 });
    expect(headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(headers['karaden-version']).toBe('2024-03-01');
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(headers['user-agent']).toBe('sekisho/0.1');
    expect(headers.accept).toBe('application/json');
  });

  it('refuses a number Karaden cannot reach without calling it', async () => {
    expect(await provider.send({ to: '+14155550100', body: 'x' })).toEqual({
      ok: false,
      reason: 'invalid-number',
    });
    expect(await provider.send({ to: '+81312345678', body: 'x' })).toEqual({
      ok: false,
      reason: 'invalid-number',
    });
    expect(fake.requestCount()).toBe(0);
  });

  it('sends 660 characters but refuses 661 without calling', async () => {
    expect((await provider.send({ to: '+818012345678', body: '関'.repeat(660) })).ok).toBe(true);
    expect(await provider.send({ to: '+818012345678', body: '関'.repeat(661) })).toEqual({
      ok: false,
      reason: 'rejected',
    });
    expect(fake.requestCount()).toBe(1);
  });

  it('maps a wrong token to unauthorized, keeping the error code', async () => {
    await provider.close?.();
    provider = createKaradenProvider(settingsFor(fake, { token: 'wrong' }));
    const outcome = await provider.send({ to: '+819012345678', body: 'x' });
    expect(outcome).toEqual({ ok: false, reason: 'unauthorized', status: 401, code: 'unauthentication' });
  });

  it('maps a wrong API version to rejected', async () => {
    await provider.close?.();
    provider = createKaradenProvider(settingsFor(fake, { version: '2023-01-01' }));
    const outcome = await provider.send({ to: '+819012345678', body: 'x' });
    expect(outcome).toEqual({ ok: false, reason: 'rejected', status: 400, code: 'invalid_version' });
  });

  it.each([
    ['server-error', { ok: false, reason: 'server-error', status: 500, code: 'unknown' }],
    ['rate-limited', { ok: false, reason: 'rate-limited', status: 429, code: 'too_many_requests' }],
    ['validation', { ok: false, reason: 'rejected', status: 422, code: 'validation_error' }],
    ['garbage', { ok: false, reason: 'bad-response', status: 200 }],
  ] as const)('maps the fault %s', async (fault, expected) => {
    fake.failNext(fault);
    expect(await provider.send({ to: '+819012345678', body: 'x' })).toEqual(expected);
    expect(fake.received).toHaveLength(0);
  });

  it('gives up after timeoutMs when Karaden never answers', async () => {
    await provider.close?.();
    provider = createKaradenProvider(settingsFor(fake, { timeoutMs: 150 }));
    fake.failNext('hang');
    const started = Date.now();
    expect(await provider.send({ to: '+819012345678', body: 'x' })).toEqual({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a refused connection as network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await provider.close?.();
    provider = createKaradenProvider(settingsFor(fake, { baseUrl: `http://127.0.0.1:${port}/api` }));
    expect(await provider.send({ to: '+819012345678', body: 'x' })).toEqual({ ok: false, reason: 'network' });
  });
});
