import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';
import type { ConfigResult } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'sekisho-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function write(content: string): string {
  const path = join(dir, `file-${++fileCount}.yaml`);
  writeFileSync(path, content);
  return path;
}

function errors(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected failure');
  return result.errors;
}

const TOKEN = 'kd-live-DoNotLeakThisToken-123456';
const SECRET_SHORT = 'tooShortButSecret';
const DB_PASSWORD = 'pg-Pa55w0rd-NeverShown';

describe('loadConfig: problem reporting', () => {
  it('reports several problems in one file at once, with their key paths', () => {
    const file = write(
      [
        'listen: { port: 70000 }',
        'session: { idleTimeoutSeconds: 7200, absoluteTimeoutSeconds: 3600 }',
        'backends:',
        '  bk01: { url: "not a url" }',
        'otp: { length: 3 }',
        'unknownKey: 1',
      ].join('\n'),
    );
    const errs = errors(loadConfig({ file, env: {} }));
    expect(errs).toEqual(
      expect.arrayContaining([
        'config: listen.port: must be an integer from 0 to 65535',
        'config: session.idleTimeoutSeconds: must be ≤ session.absoluteTimeoutSeconds',
        expect.stringMatching(/^config: backends\.bk01\.url: Invalid URL/),
        'config: otp.length: must be an integer from 4 to 8',
        'config: unknownKey: unrecognized key',
      ]),
    );
    expect(errs).toHaveLength(5);
  });

  it('reports unknown keys inside strict sections, one line per key', () => {
    const errs = errors(loadConfig({ env: {}, overrides: { sesion: {}, otp: { ttl: 1, lenght: 6 } } }));
    expect(errs).toEqual([
      'config: otp.ttl: unrecognized key',
      'config: otp.lenght: unrecognized key',
      'config: sesion: unrecognized key',
    ]);
  });

  it('leaves plugins free-form (each plugin checks its own section) but refuses unknown push keys', () => {
    expect(loadConfig({ env: {}, overrides: { plugins: { a: 1 } } }).ok).toBe(true);
    const overrides = { push: { vapid: { subject: 'x' }, requestTtlSeconds: 600, apiKeys: ['short'] } };
    expect(errors(loadConfig({ env: {}, overrides }))).toEqual([
      'config: push.requestTtlSeconds: must be an integer from 10 to 120',
      'config: push.apiKeys.0: must be at least 32 characters',
      'config: push.vapid: unrecognized key',
    ]);
  });

  it('reports a missing Karaden token at sms.karaden.token', () => {
    const overrides = {
      sms: { provider: ['karaden', 'sandbox'], karaden: { tenantId: crypto.randomUUID(), serviceId: 1 } },
    };
    expect(errors(loadConfig({ env: {}, overrides }))).toEqual([
      'config: sms.karaden.token: required when sms.provider includes karaden',
    ]);
  });

  it('refuses an OTP lifetime over ten minutes', () => {
    const errs = errors(loadConfig({ env: {}, overrides: { otp: { ttlSeconds: 601 } } }));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^config: otp\.ttlSeconds: must be at most 600/);
  });

  it('refuses reserved and malformed backend names', () => {
    const overrides = { backends: { _sekisho: { url: 'http://a' }, BK: { url: 'http://b' } } };
    expect(errors(loadConfig({ env: {}, overrides }))).toEqual([
      'config: backends._sekisho: "_sekisho" is reserved',
      'config: backends.BK: backend name must match ^[a-z0-9][a-z0-9_-]{0,62}$',
    ]);
  });

  it('names the file for a missing file and the line for a YAML syntax error', () => {
    const missing = join(dir, 'missing.yaml');
    expect(errors(loadConfig({ file: missing, env: {} }))).toEqual([
      `config: ${missing}: cannot read config file (ENOENT)`,
    ]);
    const bad = write('listen:\n  port: 8080\nhost: a: b\n');
    const errs = errors(loadConfig({ file: bad, env: {} }));
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0]).toContain(`config: ${bad}: `);
    expect(errs[0]).toMatch(/line 3\b/);
    // yaml's own message carries a source excerpt; only its first line may be used.
    const unclosed = write(`sms:\n  karaden: { token: "${TOKEN}\n`);
    const unclosedErrs = errors(loadConfig({ file: unclosed, env: {} }));
    expect(unclosedErrs[0]).toContain(`config: ${unclosed}: `);
    expect(unclosedErrs.join('\n')).not.toContain(TOKEN);
    expect(errors(loadConfig({ file: write('- a\n- b\n'), env: {} }))[0]).toMatch(/must contain a mapping/);
  });

  it('never echoes secret values in error text', () => {
    const file = write(
      [
        `secret: ${SECRET_SHORT}`,
        `database: { url: "mysql://sekisho:${DB_PASSWORD}@db/sekisho" }`,
        `redis: { url: 12345 }`,
        'sms:',
        '  provider: karaden',
        `  karaden: { token: ${JSON.stringify(TOKEN)}, tenantId: "${TOKEN}", serviceId: 0 }`,
        `  callbackSecret: short`,
      ].join('\n'),
    );
    const env = { PORT: TOKEN, SEKISHO_LOG_LEVEL: TOKEN };
    const text = errors(loadConfig({ file, env })).join('\n');
    for (const value of [SECRET_SHORT, DB_PASSWORD, TOKEN, 'short']) expect(text).not.toContain(value);
    expect(text).toContain('config: secret: must be at least 32 characters');
    expect(text).toContain('config: database.url: Invalid URL');
    expect(text).toContain('config: sms.callbackSecret: must be at least 16 characters');
  });

  it('rejects a publicUrl with a path and non-object overrides', () => {
    expect(errors(loadConfig({ env: {}, overrides: { publicUrl: 'https://h/app' } }))[0]).toMatch(
      /^config: publicUrl: must be an origin only/,
    );
    expect(errors(loadConfig({ env: {}, overrides: 'x' }))).toEqual(['config: overrides: must be an object']);
  });
});
