import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';
import type { ConfigResult } from './load.ts';
import type { Config } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'sekisho-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function write(content: string, name = `file-${++fileCount}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected success, got:\n${result.errors.join('\n')}`);
  return result.config;
}

function errors(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected failure');
  return result.errors;
}

const TENANT = '0b5a3c4e-1f2d-4a6b-9c8d-7e6f5a4b3c2d';
const TOKEN = 'kd-live-ZX81spectrumC64amiga500';
const SECRET = 's3cr3t-value-that-is-long-enough-000000';

/** A production configuration with its main sections spelt out. */
const FULL_EXAMPLE = `
listen: { host: 127.0.0.1, port: 8080 }
publicUrl: http://127.0.0.1:8080
database: { url: postgres://127.0.0.1:5432/sekisho }
redis: { url: redis://127.0.0.1:6379, keyPrefix: "sekisho:" }
backends:
  bk01: { url: http://127.0.0.1:9201 }
session: { idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 28800, cookieName: sekisho_sid, secureCookie: false }
identityHeaders: { user: X-Remote-User, groups: X-Remote-Groups, methods: X-Remote-Auth-Methods }
password: { maxFailures: 5, lockoutSeconds: 900 }
otp: { length: 6, ttlSeconds: 300, maxAttempts: 5, resendCooldownSeconds: 30, maxSendsPerWindow: 5, sendWindowSeconds: 3600 }
sms:
  provider: karaden
  karaden: { baseUrl: https://prg.karaden.jp/api, tenantId: "${TENANT}", serviceId: 1, token: "${TOKEN}", version: "2024-03-01", timeoutMs: 5000 }
push: {}
`;

describe('loadConfig: defaults and a full example', () => {
  it('fills every default from an empty config', () => {
    const result = loadConfig({ env: {} });
    const config = ok(result);
    expect(result.ok && result.demo).toBe(true);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.trustProxy).toBe(false);
    expect(config.database).toEqual({ schema: 'public', poolSize: 10 });
    expect(config.redis).toEqual({ keyPrefix: 'sekisho:', commandTimeoutMs: 1000, startupTimeoutMs: 15_000 });
    expect(config.backends).toEqual({});
    expect(config.session).toEqual({
      idleTimeoutSeconds: 1800,
      absoluteTimeoutSeconds: 28800,
      cookieName: 'sekisho_sid',
      secureCookie: false,
    });
    expect(config.password).toEqual({
      maxFailures: 5,
      lockoutSeconds: 900,
      ipMaxAttempts: 30,
      ipWindowSeconds: 300,
    });
    expect(config.otp.ttlSeconds).toBe(300);
    expect(config.otp.globalMaxSendsPerMinute).toBe(60);
    expect(config.sms).toEqual({ provider: 'sandbox', sandbox: { enabled: false, page: false } });
    expect(config.rules.pollIntervalMs).toBe(1000);
    expect(config.log.level).toBe('info');
    expect(config.push).toEqual({
      enabled: true,
      activationTtlSeconds: 600,
      requestTtlSeconds: 60,
      tokenTtlSeconds: 120,
      maxPendingPerUser: 3,
      pendingWindowSeconds: 300,
      numberMatching: true,
      knownEnvironmentDays: 90,
      apiKeys: [],
      webPush: {
        enabled: true,
        allowedEndpoints: [
          'https://fcm.googleapis.com/',
          'https://updates.push.services.mozilla.com/',
          'https://web.push.apple.com/',
          'https://*.notify.windows.com/',
        ],
        timeoutMs: 5000,
      },
    });
    expect([config.plugins, config.admin]).toEqual([{}, {}]);
    expect(config.secret).toBeUndefined();
  });

  it('parses a full production example', () => {
    const result = loadConfig({ file: write(FULL_EXAMPLE), env: {} });
    const config = ok(result);
    expect(result.ok && result.demo).toBe(false);
    expect(config.backends.bk01).toEqual({
      url: 'http://127.0.0.1:9201',
      timeoutMs: 30000,
      connectTimeoutMs: 5000,
    });
    expect(config.sms.karaden).toMatchObject({ tenantId: TENANT, serviceId: 1, token: TOKEN });
    expect(config.database.url).toBe('postgres://127.0.0.1:5432/sekisho');
  });

  it('reads the file named by SEKISHO_CONFIG', () => {
    const file = write('listen: { port: 9999 }\n');
    expect(ok(loadConfig({ env: { SEKISHO_CONFIG: file } })).listen.port).toBe(9999);
  });

  it('keeps backend URL paths and treats an empty section as absent', () => {
    const file = write('backends:\n  bk01: { url: "http://h:9201/bk01" }\npush:\n');
    const config = ok(loadConfig({ file, env: {} }));
    expect(config.backends.bk01?.url).toBe('http://h:9201/bk01');
    expect(config.push.enabled).toBe(true);
  });

  it('returns a deep-frozen config', () => {
    const overrides = { backends: { bk01: { url: 'http://h:1' } }, plugins: { x: { list: [1] } } };
    const config = ok(loadConfig({ env: {}, overrides }));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session)).toBe(true);
    expect(Object.isFrozen(config.backends.bk01)).toBe(true);
    expect(Object.isFrozen((config.plugins.x as { list: number[] }).list)).toBe(true);
    expect(Object.isFrozen(overrides.backends.bk01)).toBe(false);
  });
});

describe('loadConfig: derived defaults and the demo flag', () => {
  it('defaults secureCookie to true for an https publicUrl and normalises it to the origin', () => {
    const config = ok(loadConfig({ env: {}, overrides: { publicUrl: 'https://sso.example.com/' } }));
    expect(config.publicUrl).toBe('https://sso.example.com');
    expect(config.session.secureCookie).toBe(true);
  });

  it('keeps an explicit secureCookie and derives publicUrl from listen', () => {
    const overrides = { listen: { host: '::1', port: 9000 }, session: { secureCookie: true } };
    const config = ok(loadConfig({ env: {}, overrides }));
    expect(config.publicUrl).toBe('http://[::1]:9000');
    expect(config.session.secureCookie).toBe(true);
  });

  it('is not demo when either store is configured', () => {
    const withRedis = loadConfig({ env: { REDIS_URL: 'redis://127.0.0.1:6379' } });
    const withDb = loadConfig({ env: {}, overrides: { database: { url: 'postgresql://h/db' } } });
    expect(withRedis.ok && withRedis.demo).toBe(false);
    expect(withDb.ok && withDb.demo).toBe(false);
    const sentinels = { redis: { sentinels: [{ host: '10.0.0.5', port: 26379 }], sentinelName: 'mymaster' } };
    const withSentinel = loadConfig({ env: {}, overrides: sentinels });
    expect(withSentinel.ok && withSentinel.demo).toBe(false);
  });
});

describe('loadConfig: environment and secret files', () => {
  it('applies env overrides over the file, and overrides over env', () => {
    const file = write('listen: { port: 1 }\nlog: { level: warn }\n');
    const env = {
      DATABASE_URL: 'postgres://db/x',
      PORT: '8443',
      SEKISHO_SECRET: SECRET,
      SEKISHO_LOG_LEVEL: 'debug',
    };
    const config = ok(loadConfig({ file, env, overrides: { log: { level: 'trace' } } }));
    expect(config.database.url).toBe('postgres://db/x');
    expect(config.listen.port).toBe(8443);
    expect(config.secret).toBe(SECRET);
    expect(config.log.level).toBe('trace');
  });

  it('reports a non-numeric PORT by name', () => {
    expect(errors(loadConfig({ env: { PORT: 'abc' } }))).toEqual([
      'config: PORT: must be an integer from 0 to 65535',
    ]);
  });

  it('reads <NAME>_FILE variables and YAML <key>File references', () => {
    const tokenFile = write(`${TOKEN}\n`, 'karaden-token');
    write(`${SECRET}\n`, 'server-secret');
    const file = write(
      `sms:\n  provider: karaden\n  karaden: { tenantId: "${TENANT}", serviceId: 7 }\nsecretFile: server-secret\n`,
    );
    const config = ok(loadConfig({ file, env: { KARADEN_TOKEN_FILE: tokenFile } }));
    expect(config.sms.karaden?.token).toBe(TOKEN);
    expect(config.secret).toBe(SECRET);

    const yamlToken = write(`sms: { karaden: { tokenFile: ${tokenFile} } }\n`);
    expect(ok(loadConfig({ file: yamlToken, env: {} })).sms.karaden?.token).toBe(TOKEN);
  });

  it('refuses both X and X_FILE, and unreadable secret files', () => {
    const tokenFile = write(TOKEN, 'token-both');
    const errs = errors(loadConfig({ env: { KARADEN_TOKEN: TOKEN, KARADEN_TOKEN_FILE: tokenFile } }));
    expect(errs).toEqual(['config: KARADEN_TOKEN: set either KARADEN_TOKEN or KARADEN_TOKEN_FILE, not both']);

    const missing = join(dir, 'no-such-file');
    expect(errors(loadConfig({ env: { SEKISHO_SECRET_FILE: missing } }))).toEqual([
      `config: SEKISHO_SECRET_FILE: cannot read ${missing} (ENOENT)`,
    ]);
    const file = write(`sms: { callbackSecret: abcdefghijklmnopq, callbackSecretFile: ${tokenFile} }\n`);
    expect(errors(loadConfig({ file, env: {} }))).toEqual([
      'config: sms.callbackSecretFile: set either callbackSecret or callbackSecretFile, not both',
    ]);
  });

  it('names the variable when an env value fails validation', () => {
    const errs = errors(loadConfig({ env: { SEKISHO_LOG_LEVEL: 'verbose' } }));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^config: log\.level: .*\(from SEKISHO_LOG_LEVEL\)$/);
  });
});
