import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import {
  demoStatePath,
  readDemoState,
  withDemoSettings,
  writeDemoState,
  type DemoState,
} from './demo-state.ts';

const dir = mkdtempSync(join(tmpdir(), 'sekisho-demo-state-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWith(overrides: Record<string, unknown>): Config {
  const result = loadConfig({ env: {}, overrides });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

/** The ID of a process that has come and gone: no process has it now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid;
}

const state = (pid: number): DemoState => ({
  databaseUrl: 'postgres://postgres@127.0.0.1:1/postgres',
  publicUrl: 'http://127.0.0.1:8080',
  port: 8080,
  pid,
  password: 'Xb3aaaaaaaaaaa',
  activationUrl: null,
});

describe('the demo state file', () => {
  it('is written for its owner only and read back while its process runs', () => {
    const config = configWith({ demo: { stateDir: join(dir, 'live') } });
    writeDemoState(config, state(process.pid));
    expect(statSync(demoStatePath(config)).mode & 0o777).toBe(0o600);
    expect(readDemoState(config)).toEqual(state(process.pid));
  });

  it('left behind by a demo that was killed is no demo: null, and the file goes', () => {
    const config = configWith({ demo: { stateDir: join(dir, 'stale') } });
    writeDemoState(config, state(deadPid()));
    expect(readDemoState(config)).toBeNull();
    expect(existsSync(demoStatePath(config))).toBe(false);
  });

  it('half-written or edited by hand, it names no demo', () => {
    const config = configWith({ demo: { stateDir: join(dir, 'broken') } });
    writeDemoState(config, state(process.pid));
    writeFileSync(demoStatePath(config), '{"databaseUrl":');
    expect(readDemoState(config)).toBeNull();
  });
});

describe('withDemoSettings', () => {
  it('relaxes the SMS caps for exploring: a resend after 5 s, 100 codes a window', () => {
    const demo = withDemoSettings(configWith({}));
    expect(demo.otp.resendCooldownSeconds).toBe(5);
    expect(demo.otp.maxSendsPerWindow).toBe(100);
    // The code itself is as strict as ever.
    expect(demo.otp.maxAttempts).toBe(configWith({}).otp.maxAttempts);
    expect(demo.otp.ttlSeconds).toBe(configWith({}).otp.ttlSeconds);
  });

  it('only ever relaxes them: a config already more generous keeps its values', () => {
    const generous = configWith({ otp: { resendCooldownSeconds: 0, maxSendsPerWindow: 500 } });
    expect(withDemoSettings(generous).otp).toMatchObject({
      resendCooldownSeconds: 0,
      maxSendsPerWindow: 500,
    });
  });

  it('turns on the SMS sandbox and its page, and sends / to the portal', () => {
    const demo = withDemoSettings(configWith({}));
    expect(demo.sms.sandbox).toEqual({ enabled: true, page: true });
    expect(demo.homePath).toBe('/portal/');
  });
});
