import { describe, expect, it } from 'vitest';
import type { AuthMethod, PluginUser, PluginView, StartResult } from '../../src/plugin-api.ts';
import { loadWithCore } from '../../test/fakes/core-host.ts';
import { SoftwareAuthenticator } from '../../test/fakes/software-authenticator.ts';
import { runPluginContract } from '../../test/contracts/plugin-contract.ts';
import passkeyPlugin from './index.ts';

const ORIGIN = 'http://localhost:8080';
const USER: PluginUser = { id: 'taro', displayName: '山田 太郎', phone: null, email: null, groups: [] };
const client = { ip: '192.0.2.1', userAgent: 'vitest', locale: 'ja' as const };

/** The plugin through the core's host, with one passkey of the user registered through its own enrolment. */
async function withPasskey() {
  const loaded = await loadWithCore(passkeyPlugin, { publicUrl: ORIGIN });
  const device = new SoftwareAuthenticator(ORIGIN);
  const credentials = loaded.method.credentials;
  const page = await credentials?.beginEnrolment?.(USER, client);
  const response = device.register(JSON.parse(String(page?.data.options)));
  const enrolled = await credentials?.finishEnrolment?.({
    user: USER,
    client,
    answer: { response: JSON.stringify(response) },
  });
  expect(enrolled?.kind).toBe('enrolled');
  return { loaded, device };
}

const challengeOf = (view: PluginView) =>
  (JSON.parse(String(view.data.options)) as { challenge: string }).challenge;

runPluginContract('PASSKEY', async () => {
  const { loaded, device } = await withPasskey();
  let shown: StartResult | null = null;
  const method: AuthMethod = {
    ...loaded.method,
    start: async (request) => (shown = await loaded.method.start(request)),
  };
  return {
    plugin: passkeyPlugin,
    method,
    request: { user: USER, flowId: 'contract-flow', client },
    async rightAnswer() {
      if (shown?.kind !== 'started') throw new Error('no challenge shown');
      return { response: JSON.stringify(device.assert(challengeOf(shown.view))) };
    },
    wrongAnswer: { response: JSON.stringify({ id: 'nope', response: {} }) },
    dispose: loaded.dispose,
  };
});

describe('PASSKEY through the core host', () => {
  it('signs in with no ID: the passkey names its user, proves hwk or swk, and is recorded as used', async () => {
    const { loaded, device } = await withPasskey();
    const route = loaded.method.routes?.find((r) => r.path === 'passkey/options');
    const options = await route?.handle({ params: {}, query: {}, body: undefined, headers: {}, client });
    const { challenge } = (options as { json: { challenge: string; allowCredentials: unknown[] } }).json;
    const answer = { response: JSON.stringify(device.assert(challenge)) };
    const result = await loaded.method.discovery?.finish({ client, target: '/', answer });
    // The software device reports neither backup flag: a device-bound key.
    expect(result).toEqual({ kind: 'ok', userId: 'taro', amr: ['hwk', 'user'] });
    expect((await loaded.method.credentials?.list(USER, 'en'))?.[0]).toMatchObject({
      name: 'パスキー',
      detail: 'this device only',
      lastUsedAt: loaded.clock.now(),
    });
    expect(await loaded.method.discovery?.finish({ client, target: '/', answer })).toEqual({
      kind: 'wrong',
      messageKey: 'expired',
    });
    await loaded.dispose();
  });

  it('takes a challenge once, for the ceremony it was issued for: a step-up challenge enrols no passkey', async () => {
    const { loaded, device } = await withPasskey();
    const started = await loaded.method.start({ user: USER, flowId: 'f', client, resend: false });
    if (started.kind !== 'started') throw new Error('not started');
    const challenge = challengeOf(started.view);
    const made = new SoftwareAuthenticator(ORIGIN).register({ challenge, user: { id: 'dGFybw' } });
    const enrolled = await loaded.method.credentials?.finishEnrolment?.({
      user: USER,
      client,
      answer: { response: JSON.stringify(made) },
    });
    expect(enrolled).toEqual({ kind: 'dead', messageKey: 'enrolExpired' });
    const late = await loaded.method.verify({
      user: USER,
      flowId: 'f',
      client,
      answer: { response: JSON.stringify(device.assert(challenge)) },
    });
    expect(late.kind).not.toBe('ok');
    expect(await loaded.method.credentials?.list(USER, 'en')).toHaveLength(1);
    await loaded.dispose();
  });

  it('refuses the same device twice, and a passkey of another user in a step-up', async () => {
    const { loaded, device } = await withPasskey();
    const credentials = loaded.method.credentials;
    const again = await credentials?.beginEnrolment?.(USER, client);
    const response = device.register(JSON.parse(String(again?.data.options)));
    const twice = await credentials?.finishEnrolment?.({
      user: USER,
      client,
      answer: { response: JSON.stringify(response) },
    });
    expect(twice).toMatchObject({ kind: 'wrong', messageKey: 'alreadyRegistered' });

    const jiro = { ...USER, id: 'jiro' };
    const other = new SoftwareAuthenticator(ORIGIN);
    const page = await credentials?.beginEnrolment?.(jiro, client);
    const made = other.register(JSON.parse(String(page?.data.options)));
    await credentials?.finishEnrolment?.({ user: jiro, client, answer: { response: JSON.stringify(made) } });
    const started = await loaded.method.start({ user: USER, flowId: 'f', client, resend: false });
    if (started.kind !== 'started') throw new Error('not started');
    const verdict = await loaded.method.verify({
      user: USER,
      flowId: 'f',
      client,
      answer: { response: JSON.stringify(other.assert(challengeOf(started.view))) },
    });
    expect(verdict.kind).not.toBe('ok');
    expect(loaded.audits.map((a) => `${a.event}:${String(a.detail?.reason ?? '')}`)).toContain(
      'PASSKEY.check:other-users-credential',
    );
    await loaded.dispose();
  });
});
