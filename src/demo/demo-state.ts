import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { projectRoot } from '../project-root.ts';

/** What the running demo leaves for the admin CLI. */
export interface DemoState {
  /** The embedded Postgres. */
  readonly databaseUrl: string;
  /** Where the demo really listens (`PORT` may have moved it): activation links name it. */
  readonly publicUrl: string;
  readonly pid: number;
}

/**
 * Where the running demo leaves its state: `demo.stateDir` (`SEKISHO_DEMO_STATE_DIR`), else
 * `.sekisho-demo/` in the project, so that a second demo (a test, say) can keep its own and
 * leave the first one's alone.
 */
export function demoStatePath(config: Config): string {
  return join(config.demo.stateDir ?? join(projectRoot, '.sekisho-demo'), 'state.json');
}

/** Writes the state for the CLI (owner-only) and removes it when the process exits. */
export function writeDemoState(config: Config, state: DemoState): void {
  const path = demoStatePath(config);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
  process.once('exit', () => rmSync(path, { force: true }));
}

/** The running demo's state, or null when no demo runs. */
export function readDemoState(config: Config): DemoState | null {
  const path = demoStatePath(config);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DemoState) : null;
}

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
  };
}
