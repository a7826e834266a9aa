import { describe, expect, it } from 'vitest';
import { configureWithCore } from '../../test/fakes/core-host.ts';
import mamoruPlugin from './index.ts';

const key = 'k'.repeat(32);
const remote = { url: 'https://push.example.jp/_sekisho/push/api', apiKey: key };

describe('plugin identity and isEnabled', () => {
  it('is MAMORU (alias PUSH), replacing the password', () => {
    expect(mamoruPlugin).toMatchObject({ name: 'MAMORU', aliases: ['PUSH'], passwordless: true });
  });

  it.each([
    ['no sections: the local service, on by default', true, {}],
    ['push.enabled: true', true, { push: { enabled: true } }],
    ['push.enabled: false, local', false, { push: { enabled: false } }],
    [
      'push.enabled: false, remote',
      true,
      { push: { enabled: false }, plugins: { MAMORU: { service: remote } } },
    ],
  ])('%s → enabled: %s', (_label, enabled, config) => {
    const configured = configureWithCore(mamoruPlugin, { publicUrl: 'http://127.0.0.1:8080', ...config });
    expect(configured).toMatchObject({ ok: true, plugins: [{ enabled }] });
  });

  it('refuses an unparseable section at start-up, naming the key, so it is never offered', () => {
    const config = { push: { enabled: false }, plugins: { MAMORU: 42 } };
    const configured = configureWithCore(mamoruPlugin, config);
    expect(configured.ok).toBe(false);
    if (configured.ok) return;
    expect(configured.errors).toHaveLength(1);
    expect(configured.errors[0]).toMatch(/^config: plugins\.MAMORU: /);
  });
});

describe('plugins.MAMORU schema', () => {
  const parse = (value: unknown) => mamoruPlugin.configSchema.safeParse(value);

  it("defaults to the gateway's own push service", () => {
    expect(parse({}).data).toEqual({ service: 'local' });
    expect(parse({ service: 'local' }).data).toEqual({ service: 'local' });
  });

  it('takes a remote service with a default timeout, without the trailing slash', () => {
    expect(parse({ service: { ...remote, url: `${remote.url}/` } }).data).toEqual({
      service: { ...remote, timeoutMs: 5000 },
    });
    const loopback = { url: 'http://127.0.0.1:9300', apiKey: key, timeoutMs: 800 };
    expect(parse({ service: loopback }).data).toEqual({ service: loopback });
  });

  it.each([
    ['an unknown key', { surelyNotAKey: 1 }, []],
    ['another service name', { service: 'mamoru' }, ['service']],
    [
      'plain http to another host',
      { service: { ...remote, url: 'http://push.example.jp' } },
      ['service', 'url'],
    ],
    [
      'plain http to localhost by name',
      { service: { ...remote, url: 'http://localhost:9300' } },
      ['service', 'url'],
    ],
    [
      'credentials in the URL',
      { service: { ...remote, url: 'https://u:p@push.example.jp' } },
      ['service', 'url'],
    ],
    [
      'a query in the URL',
      { service: { ...remote, url: 'https://push.example.jp/?k=1' } },
      ['service', 'url'],
    ],
    ['not a URL', { service: { ...remote, url: 'push.example.jp' } }, ['service', 'url']],
    ['a short API key', { service: { ...remote, apiKey: 'short' } }, ['service', 'apiKey']],
    ['no API key', { service: { url: remote.url } }, ['service', 'apiKey']],
    ['a zero timeout', { service: { ...remote, timeoutMs: 0 } }, ['service', 'timeoutMs']],
    ['an unknown service key', { service: { ...remote, secret: 'x' } }, ['service']],
  ])('rejects %s', (_label, value, path) => {
    const result = parse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });

  it('explains what service may be, without echoing the key', () => {
    expect(parse({ service: 'mamoru' }).error?.issues[0]?.message).toBe(
      "must be 'local' or {url, apiKey, timeoutMs}",
    );
    const messages = JSON.stringify(parse({ service: { url: 'ftp://x', apiKey: 'secret-but-short' } }).error);
    expect(messages).not.toContain('secret-but-short');
  });
});
