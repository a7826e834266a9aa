import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from './load.ts';
import type { Config } from './schema.ts';
import { configSchema, smsProviders } from './schema.ts';

function load(overrides: unknown): Config {
  const result = loadConfig({ env: {}, overrides });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

describe('configSchema', () => {
  it.each([[true], [false], [2], [['10.0.0.0/8', '::1', 'loopback', '192.168.1.1/32']]])(
    'accepts trustProxy %j',
    (trustProxy) => {
      expect(configSchema.safeParse({ trustProxy }).success).toBe(true);
    },
  );

  it.each([['yes'], [-1], [[]], [['10.0.0.0/33']], [['10.0.0.1/8/1']], [['example.com']]])(
    'rejects trustProxy %j',
    (trustProxy) => {
      expect(configSchema.safeParse({ trustProxy }).success).toBe(false);
    },
  );

  it('requires a sentinel group name with sentinels', () => {
    const result = configSchema.safeParse({ redis: { sentinels: [{ host: 'h', port: 26379 }] } });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['redis.sentinelName']);
  });

  it('rejects bad identifiers, header names and cookie names', () => {
    const result = configSchema.safeParse({
      database: { schema: 'Public; drop' },
      identityHeaders: { user: 'X Remote User' },
      session: { cookieName: 'sid;' },
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'database.schema',
      'session.cookieName',
      'identityHeaders.user',
    ]);
  });

  it("refuses a session cookie named like one of the gateway's other cookies", () => {
    for (const cookieName of ['sekisho_lang', 'sekisho_csrf', '__Host-sekisho_flow', 'sekisho_way']) {
      const result = configSchema.safeParse({ session: { cookieName } });
      expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
        "session.cookieName: must not be one of the gateway's other cookies (sekisho_csrf, sekisho_flow, sekisho_lang, sekisho_way)",
      ]);
    }
    expect(configSchema.safeParse({ session: { cookieName: 'intra_sid' } }).success).toBe(true);
  });
});

describe('smsProviders', () => {
  it('normalises a single provider or a failover list to an array', () => {
    expect(smsProviders(load({}))).toEqual(['sandbox']);
    expect(smsProviders({ sms: { provider: ['sandbox', 'karaden'] } })).toEqual(['sandbox', 'karaden']);
  });
});

describe('redactConfig', () => {
  const config = load({
    secret: 'x'.repeat(40),
    database: { url: 'postgres://sekisho:dbpass@db:5432/sekisho' },
    redis: { url: 'rediss://:redispass@cache:6380' },
    backends: { bk01: { url: 'http://user:bkpass@h:9201/bk01' } },
    sms: {
      provider: 'karaden',
      callbackSecret: 'c'.repeat(20),
      karaden: { tenantId: crypto.randomUUID(), serviceId: 3, token: 'tok-abcdef' },
    },
    plugins: { webhook: { url: 'http://hook', apiKey: 'plugin-key', nested: [{ password: 'pw' }] } },
    push: { apiKeys: ['push-api-key-0123456789-0123456789-xyz'] },
  });

  it('replaces secrets and strips URL passwords', () => {
    const redacted = redactConfig(config);
    expect(redacted.secret).toBe('[redacted]');
    expect(redacted.sms.karaden?.token).toBe('[redacted]');
    expect(redacted.sms.callbackSecret).toBe('[redacted]');
    expect(redacted.database.url).toBe('postgres://sekisho@db:5432/sekisho');
    expect(redacted.redis.url).toBe('rediss://cache:6380');
    expect(redacted.backends.bk01?.url).toBe('http://user@h:9201/bk01');
    expect(redacted.plugins.webhook).toEqual({
      url: 'http://hook',
      apiKey: '[redacted]',
      nested: [{ password: '[redacted]' }],
    });
    const text = JSON.stringify(redacted);
    expect(redacted.push.apiKeys).toEqual(['[redacted]']);
    for (const secret of [
      'dbpass',
      'redispass',
      'bkpass',
      'tok-abcdef',
      'plugin-key',
      'x'.repeat(40),
      'push-api-key-0123456789-0123456789-xyz',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('leaves the frozen original untouched', () => {
    redactConfig(config);
    expect(config.sms.karaden?.token).toBe('tok-abcdef');
    expect(Object.isFrozen(config)).toBe(true);
  });
});
