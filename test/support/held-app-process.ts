import { expect } from 'vitest';
import { runSekisho } from './cli.ts';
import { startHeldBackend, type HeldBackend } from './held-backend.ts';
import {
  killIfRunning,
  startServerProcess,
  writeServerConfig,
  type ServerFixture,
  type ServerProcess,
} from './server-process.ts';

/**
 * `sekisho serve` as a child process in front of a held backend at `/app/` (BYPASS), set up
 * through the CLI: what the shutdown suites (graceful shutdown, cluster workers) start from.
 */
export interface HeldAppProcess {
  readonly backend: HeldBackend;
  readonly fixture: ServerFixture;
  readonly server: ServerProcess;
  /** Kills the server if it still runs, closes the backend, drops the schema and key prefix. */
  close(): Promise<void>;
}

/**
 * `config`: more of the config file (`cluster`); `listeners`: how many "listening" lines to wait
 * for; `nodeArgs`: Node's own options for the server process (a `--require` preload).
 */
export async function serveHeldApp(
  config: Record<string, unknown> = {},
  listeners = 1,
  nodeArgs: readonly string[] = [],
): Promise<HeldAppProcess> {
  const backend = await startHeldBackend();
  const fixture = writeServerConfig({ ...config, backends: { app: { url: backend.url } } });
  let server: ServerProcess | undefined;
  const close = async () => {
    await killIfRunning(server);
    await backend.close();
    await fixture.cleanup();
  };
  try {
    const rule = await runSekisho(['rule', 'set', '/app/=ALL;;BYPASS', '--config', fixture.file]);
    expect(rule.code, rule.stderr).toBe(0);
    server = await startServerProcess(fixture.file, listeners, { nodeArgs });
    return { backend, fixture, server, close };
  } catch (error) {
    await close();
    throw error;
  }
}
