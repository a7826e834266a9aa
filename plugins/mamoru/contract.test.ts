import { afterEach, describe, expect, it } from 'vitest';
import mamoruPlugin from './index.ts';
import { TEST_USER } from '../../test/fakes/mamoru-harness.ts';
import { loadWithCore } from '../../test/fakes/core-host.ts';
import { startFakeMamoru } from '../../test/fakes/mamoru-server.ts';
import type { FakeMamoru } from '../../test/fakes/mamoru-server.ts';
import { runPluginContract } from '../../test/contracts/plugin-contract.ts';

const client = { ip: '192.0.2.1', userAgent: 'vitest', locale: 'ja' as const };

let fakes: FakeMamoru[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

/** A gateway config whose MAMORU method talks to `fake` over HTTP. */
function remoteConfig(fake: FakeMamoru) {
  const service = { url: fake.url, apiKey: fake.apiKey, timeoutMs: 2000 };
  return { publicUrl: 'http://127.0.0.1:8080', plugins: { MAMORU: { service } } };
}

runPluginContract('MAMORU', async () => {
  const fake = await startFakeMamoru();
  const loaded = await loadWithCore(mamoruPlugin, remoteConfig(fake));
  fake.useClock(loaded.clock);
  const request = { user: TEST_USER, flowId: 'contract-flow', client };
  // The browser receives a push's tokens once, on the first poll after the approval, and keeps
  // them in the page; so does this stand-in, per transaction. A second push gets fresh tokens,
  // so "shows the same one again" still fails if start pushed again.
  const received = new Map<string, Record<string, string>>();
  return {
    plugin: mamoruPlugin,
    method: loaded.method,
    request,
    async rightAnswer() {
      const tx = fake.latest(TEST_USER.id);
      const kept = received.get(tx.id);
      if (kept !== undefined) return kept;
      fake.approve(tx.id);
      const polled = await loaded.method.poll?.(request);
      if (polled?.kind !== 'ready') throw new Error(`no tokens: ${JSON.stringify(polled)}`);
      received.set(tx.id, { ...polled.fields });
      return { ...polled.fields };
    },
    wrongAnswer: { push_token1: 'A'.repeat(43), push_token2: 'B'.repeat(43) },
    dispose: async () => {
      await loaded.dispose();
      await fake.close();
    },
  };
});

describe('MAMORU in the core plugin host', () => {
  it('logs in end to end over HTTP: start, approve on the phone, poll, post the tokens', async () => {
    const fake = await startFakeMamoru();
    fakes.push(fake);
    const loaded = await loadWithCore(mamoruPlugin, remoteConfig(fake));
    fake.useClock(loaded.clock);
    const request = { user: TEST_USER, flowId: 'f', client, target: '/bk02/report?id=1' };
    const started = await loaded.method.start({ ...request, resend: false });
    expect(started).toMatchObject({ kind: 'started', view: { template: 'plugins/mamoru/views/wait' } });
    expect(await loaded.method.poll?.(request)).toEqual({ kind: 'pending' });
    const tx = fake.latest('taro');
    expect(tx).toMatchObject({
      path: '/bk02/report?id=1',
      ip: '192.0.2.1',
      userAgent: 'vitest',
      decoy: false,
    });
    fake.approve(tx.id);
    const ready = await loaded.method.poll?.(request);
    expect(ready?.kind).toBe('ready');
    const answer = ready?.kind === 'ready' ? ready.fields : {};
    expect(await loaded.method.verify({ ...request, answer })).toEqual({ kind: 'ok' });
    expect(fake.requests.every((r) => r.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
    expect(loaded.audits.map((a) => `${a.event}:${a.outcome}`)).toEqual([
      'MAMORU.start:success',
      'MAMORU.check:success',
    ]);
    await loaded.dispose();
  });

  it("refuses to start with service 'local' when the gateway runs no push service", async () => {
    await expect(loadWithCore(mamoruPlugin, { publicUrl: 'http://127.0.0.1:8080' })).rejects.toThrow(
      /plugins\.MAMORU\.service/,
    );
  });

  it('is not offered with the local service switched off, and is with a remote one', async () => {
    const off = { publicUrl: 'http://127.0.0.1:8080', push: { enabled: false } };
    await expect(loadWithCore(mamoruPlugin, off)).rejects.toThrow(/did not enable/);
    const fake = await startFakeMamoru();
    fakes.push(fake);
    const loaded = await loadWithCore(mamoruPlugin, { ...remoteConfig(fake), push: { enabled: false } });
    await loaded.dispose();
  });

  it('has its config errors reported with the key path', async () => {
    const service = { url: 'http://push.example.jp', apiKey: 'k'.repeat(32) };
    const config = { publicUrl: 'http://127.0.0.1:8080', plugins: { MAMORU: { service } } };
    await expect(loadWithCore(mamoruPlugin, config)).rejects.toThrow('config: plugins.MAMORU.service.url:');
  });
});
