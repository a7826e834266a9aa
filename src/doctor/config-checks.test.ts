import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../config/schema.ts';
import { checkConfig, type ConfigFacts } from './config-checks.ts';
import { PUBLIC_SECRET_DIGESTS, secretDigest } from './public-secrets.ts';

const strongSecret = 'q8V1mZp3Lr7Tn2Ks9Wd4Hy6Bc0Fj5Gx1Nv8Re3Ua7Yt';

/** A production-like config that passes every check; each test breaks one thing. */
function config(overrides: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    publicUrl: 'https://gw.example.co.jp',
    trustProxy: ['10.0.0.10'],
    database: { url: 'postgres://sekisho@db:5432/sekisho' },
    redis: { url: 'redis://redis:6379' },
    secret: strongSecret,
    ...overrides,
  });
}
function facts(overrides: Record<string, unknown> = {}, more: Partial<ConfigFacts> = {}): ConfigFacts {
  return {
    config: config(overrides),
    explicitKeys: new Set(['trustProxy']),
    publicSecretDigests: [],
    ...more,
  };
}
const karaden = {
  provider: 'karaden',
  karaden: { tenantId: '6a8b2c1e-3f4d-4e5a-9b6c-7d8e9f0a1b2c', serviceId: 1, token: 'token' },
  callbackSecret: 'callback-secret-0123',
};
const ids = (f: ConfigFacts) => checkConfig(f).map((finding) => `${finding.severity}:${finding.id}`);

describe('doctor: configuration checks', () => {
  it('a production-like configuration has no findings', () => {
    expect(checkConfig(facts())).toEqual([]);
  });

  it('each finding carries a subject, a message and a fix', () => {
    for (const finding of checkConfig(facts({ publicUrl: 'http://gw', secret: undefined }))) {
      expect(finding.subject).not.toBe('');
      expect(finding.message).not.toBe('');
      expect(finding.fix).not.toBe('');
    }
  });

  it.each([
    ['http publicUrl', { publicUrl: 'http://gw.example.co.jp' }, 'high:public-url-http'],
    ['https without a Secure cookie', { session: { secureCookie: false } }, 'high:cookie-not-secure'],
    ['idle timeout over 30 min', { session: { idleTimeoutSeconds: 1801 } }, 'high:idle-timeout-long'],
    [
      'absolute timeout over 12 h',
      { session: { absoluteTimeoutSeconds: 43_201 } },
      'high:absolute-timeout-long',
    ],
    ['no secret', { secret: undefined }, 'high:secret-missing'],
    ['a placeholder secret', { secret: 'please-change-this-secret-value-now-0123' }, 'high:secret-weak'],
    ['a repetitive secret', { secret: 'abababababababababababababababab' }, 'high:secret-weak'],
    ['a short secret', { secret: 'q8V1mZp3Lr7Tn2Ks9Wd4Hy6Bc0Fj5Gx1' }, 'low:secret-short'],
    ['trustProxy true', { trustProxy: true }, 'medium:trust-proxy-any'],
    ['the demo database', { database: {} }, 'high:database-embedded'],
    ['no Redis', { redis: {} }, 'medium:redis-in-process'],
    [
      'the SMS sandbox on https',
      { sms: { provider: 'sandbox', sandbox: { enabled: true } } },
      'high:sms-sandbox-enabled',
    ],
    [
      'the SMS sandbox as a failover',
      { sms: { ...karaden, provider: ['karaden', 'sandbox'], sandbox: { enabled: true } } },
      'high:sms-sandbox-enabled',
    ],
    ['the SMS sandbox page', { sms: { sandbox: { page: true } } }, 'high:sms-sandbox-page'],
    ['debug logs', { log: { level: 'debug' } }, 'low:log-verbose'],
  ])('%s → %s', (_name, overrides, expected) => {
    expect(ids(facts(overrides))).toEqual([expected]);
  });

  it('the limits themselves pass: 30 min idle, 12 h absolute', () => {
    expect(ids(facts({ session: { idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 43_200 } }))).toEqual([]);
  });

  it('Redis through Sentinel counts as Redis', () => {
    const sentinel = { sentinels: [{ host: 's1', port: 26379 }], sentinelName: 'mymaster' };
    expect(ids(facts({ redis: sentinel }))).toEqual([]);
  });

  it('a published secret is public: the shipped example is known by its digest', () => {
    expect(ids(facts({}, { publicSecretDigests: [secretDigest(strongSecret)] }))).toEqual([
      'high:secret-public',
    ]);
    // deploy/secrets/sekisho_secret.example as shipped (operators may overwrite that file with their own).
    const shipped = facts({ secret: 'NpS5Bd9mr7-80qPratrn5kq5Ieq35o9Ukqhllc5_W-AQ8Hlp' });
    expect(ids({ ...shipped, publicSecretDigests: PUBLIC_SECRET_DIGESTS })).toEqual(['high:secret-public']);
  });

  it('trustProxy must be written down, even as false', () => {
    expect(ids(facts({ trustProxy: false }, { explicitKeys: new Set() }))).toEqual([
      'low:trust-proxy-implicit',
    ]);
    expect(ids(facts({ trustProxy: false }))).toEqual([]);
  });

  it('the SMS sandbox is an error outside the demo whatever the URL, and its page is another', () => {
    const sandbox = { sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } } };
    expect(ids(facts({ ...sandbox, publicUrl: 'http://127.0.0.1:8080' }))).toEqual([
      'high:public-url-http',
      'high:sms-sandbox-enabled',
      'high:sms-sandbox-page',
    ]);
  });

  it('Karaden without a callback secret loses delivery reports', () => {
    expect(ids(facts({ sms: { ...karaden, callbackSecret: undefined } }))).toEqual(['low:sms-no-callback']);
    expect(ids(facts({ sms: karaden }))).toEqual([]);
  });
});
