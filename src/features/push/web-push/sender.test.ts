import webpush from 'web-push';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../../adapters/memory/memory-store.ts';
import { parseEndpointPrefix, type EndpointPrefix } from '../../../domain/push/push-endpoints.ts';
import { FakeClock } from '../../../ports/clock.ts';
import { startConnectProxy, type ConnectProxy } from '../../../../test/fakes/connect-proxy.ts';
import { startFakePushService, type FakePushService } from '../../../../test/fakes/web-push-server.ts';
import { WebPushSender } from './sender.ts';

/**
 * The configured proxy carries every push but those to hosts NO_PROXY names, in curl's forms. The
 * proxy sends every tunnel to the fake push service, so names that resolve nowhere work through it;
 * sent directly, they fail to resolve, and the proxy has seen nothing.
 */
describe('WebPushSender through a proxy, with NO_PROXY', () => {
  let pushService: FakePushService;
  let proxy: ConnectProxy;
  let port: number;

  beforeAll(async () => {
    pushService = await startFakePushService();
    port = Number(new URL(pushService.origin).port);
    proxy = await startConnectProxy({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await proxy?.close();
    await pushService?.close();
  });
  beforeEach(() => {
    // undici reads the lower-case name first, as curl does: neither comes from the machine here.
    vi.stubEnv('no_proxy', undefined);
    vi.stubEnv('NO_PROXY', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Sends one push to `host` (the fake push service's port); true when the proxy carried it. */
  async function viaProxy(host: string): Promise<boolean> {
    const subscriber = pushService.subscribe();
    const endpoint = subscriber.endpoint.replace('127.0.0.1', host);
    const sender = new WebPushSender(
      {
        subject: 'mailto:ops@example.jp',
        keys: webpush.generateVAPIDKeys(),
        allowed: [prefixOf(endpoint)],
        timeoutMs: 5000,
        proxy: proxy.url,
      },
      new MemoryStore(new FakeClock()),
      new FakeClock(),
    );
    const before = proxy.tunnels.length;
    try {
      await sender.send({ ...subscriber, endpoint, deviceId: 'dev_1', locale: 'ja' }, { type: 'test' }, 60);
    } finally {
      await sender.close();
    }
    return proxy.tunnels.slice(before).includes(`${host}:${port}`);
  }

  it('uses the proxy when NO_PROXY is unset or empty', async () => {
    expect(await viaProxy('127.0.0.1')).toBe(true);
    vi.stubEnv('NO_PROXY', '');
    expect(await viaProxy('127.0.0.1')).toBe(true);
  });

  it('delivers directly to an address NO_PROXY names', async () => {
    vi.stubEnv('NO_PROXY', 'intranet.example, 127.0.0.1');
    const before = pushService.received.length;
    expect(await viaProxy('127.0.0.1')).toBe(false);
    expect(pushService.received.length).toBe(before + 1);
  });

  const cases: [noProxy: string, host: string, proxied: boolean][] = [
    ['*', 'push.sekisho.test', false],
    ['push.sekisho.test', 'push.sekisho.test', false],
    ['PUSH.Sekisho.TEST', 'push.sekisho.test', false],
    ['sekisho.test', 'push.sekisho.test', false],
    ['.sekisho.test', 'push.sekisho.test', false],
    ['*.sekisho.test', 'push.sekisho.test', false],
    ['sekisho.test', 'notsekisho.test', true],
    ['other.test,sekisho.test', 'push.sekisho.test', false],
    ['push.sekisho.test:{port}', 'push.sekisho.test', false],
    ['push.sekisho.test:1', 'push.sekisho.test', true],
    ['example.com', 'push.sekisho.test', true],
  ];
  it.each(cases)('NO_PROXY=%s, a push to %s: through the proxy %s', async (noProxy, host, proxied) => {
    vi.stubEnv('NO_PROXY', noProxy.replace('{port}', String(port)));
    expect(await viaProxy(host)).toBe(proxied);
  });

  it('reads no_proxy before NO_PROXY', async () => {
    vi.stubEnv('no_proxy', 'sekisho.test');
    vi.stubEnv('NO_PROXY', 'example.com');
    expect(await viaProxy('push.sekisho.test')).toBe(false);
  });
});

function prefixOf(endpoint: string): EndpointPrefix {
  const parsed = parseEndpointPrefix(new URL('/', endpoint).href);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.prefix;
}
