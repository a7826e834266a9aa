import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { projectRoot } from '../project-root.ts';

/** What the running demo leaves for the admin CLI, `doctor` and `demo banner`. */
export interface DemoState {
  /** The embedded Postgres. */
  readonly databaseUrl: string;
  /** Where the demo really listens (`PORT` may have moved it): activation links name it. */
  readonly publicUrl: string;
  readonly port: number;
  readonly pid: number;
  /** The demo user's password as printed at the start, for `sekisho demo banner`. */
  readonly password: string;
  /** The activation link printed at the start (single use), or null with push disabled. */
  readonly activationUrl: string | null;
}

/**
 * Where the running demo leaves its state: `demo.stateDir` (`SEKISHO_DEMO_STATE_DIR`), else
 * `.sekisho-demo/` in the project, so that a second demo (a test, say) can keep its own and
 * leave the first one's alone.
 */
export function demoStatePath(config: Config): string {
  return join(config.demo.stateDir ?? join(projectRoot, '.sekisho-demo'), 'state.json');
}

/**
 * Writes the state (owner-only: it holds the demo password) and removes it when the process
 * exits, unless another demo has written its own there since.
 */
export function writeDemoState(config: Config, state: DemoState): void {
  const path = demoStatePath(config);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
  process.once('exit', () => {
    if (readStateFile(path)?.pid === state.pid) rmSync(path, { force: true });
  });
}

/**
 * The running demo's state, or null when no demo runs: a state file whose process is gone (a
 * demo killed with SIGKILL leaves one behind) is stale, and removed.
 */
export function readDemoState(config: Config): DemoState | null {
  const path = demoStatePath(config);
  const state = readStateFile(path);
  if (state === null || isRunning(state.pid)) return state;
  rmSync(path, { force: true });
  return null;
}

function readStateFile(path: string): DemoState | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
  } catch {
    // Half-written or edited by hand: no demo can be reached through it.
    return null;
  }
}

/** Whether a process with this ID exists (signal 0 only checks; EPERM: it exists, not ours). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The SMS limits while exploring: a code a few seconds after the last, and plenty an hour. */
const demoSmsLimits = { resendCooldownSeconds: 5, maxSendsPerWindow: 100 } as const;

/**
 * The settings the demo runs with on top of the loaded config. The admin CLI applies them too
 * when it talks to the demo, so that it knows the same methods (SMSOTP through the sandbox).
 */
export function withDemoSettings(base: Config): Config {
  return {
    ...base,
    homePath: base.homePath ?? '/portal/',
    // The demo sends its SMS to the sandbox page and keeps activation links for an hour. Only
    // here does the page come on without being asked for (docs/sms.md).
    sms: { ...base.sms, sandbox: { enabled: true, page: true } },
    push: { ...base.push, activationTtlSeconds: 3600 },
    // Someone trying every page should not meet the production caps on sending codes; the
    // demo only ever relaxes them.
    otp: {
      ...base.otp,
      resendCooldownSeconds: Math.min(base.otp.resendCooldownSeconds, demoSmsLimits.resendCooldownSeconds),
      maxSendsPerWindow: Math.max(base.otp.maxSendsPerWindow, demoSmsLimits.maxSendsPerWindow),
    },
  };
}
