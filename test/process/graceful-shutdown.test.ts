import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSekisho } from '../support/cli.ts';
import { request } from '../support/gateway.ts';
import { serveHeldApp, type HeldAppProcess } from '../support/held-app-process.ts';
import type { HeldBackend } from '../support/held-backend.ts';
import {
  isRefused,
  writeServerConfig,
  type ServerFixture,
  type ServerProcess,
} from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';

/** server.ts: in-flight requests get this long after SIGTERM (README, Operations). */
const shutdownGraceMs = 10_000;

describe('sekisho serve (the real entry): graceful shutdown on SIGTERM', () => {
  let backend: HeldBackend;
  let server: ServerProcess | undefined;
  let served: HeldAppProcess;

  beforeAll(async () => {
    served = await serveHeldApp();
    ({ backend, server } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('finishes the request in flight, refuses new connections, and exits 0 within the grace period', async () => {
    if (!server) throw new Error('no server');
    const { port, url } = server;
    const quick = await request(`${url}/app/quick`);
    expect(quick.statusCode).toBe(200);
    expect(await quick.body.text()).toBe('seen /quick');

    const inFlight = request(`${url}/app/hold`).then(async (r) => ({
      status: r.statusCode,
      body: await r.body.text(),
    }));
    await backend.arrived();
    const signalled = Date.now();
    server.child.kill('SIGTERM');

    // The listening socket closes at once; the process stays up for the request it is serving.
    await waitFor(() => isRefused(port), 3000, 'new connections refused after SIGTERM');
    expect(server.child.exitCode).toBeNull();
    backend.release('finished after SIGTERM');
    expect(await inFlight).toEqual({ status: 200, body: 'finished after SIGTERM' });

    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(shutdownGraceMs);
    expect(server.lines.some((l) => l.signal === 'SIGTERM' && /shutting down/.test(String(l.msg)))).toBe(
      true,
    );
  });
});

describe('sekisho serve (the real entry): Ctrl+C twice', () => {
  let served: HeldAppProcess;

  beforeAll(async () => {
    served = await serveHeldApp();
  });
  afterAll(async () => {
    await served?.close();
  });

  it('a second SIGINT while shutting down (npm forwards Ctrl+C, people press it again) does not cut the shutdown short', async () => {
    const { backend, server } = served;
    if (!server) throw new Error('no server');
    const inFlight = request(`${server.url}/app/hold`).then((r) => r.statusCode);
    await backend.arrived();
    server.child.kill('SIGINT');
    await waitFor(() => isRefused(server.port), 3000, 'new connections refused after SIGINT');
    server.child.kill('SIGINT');
    // Still finishing the request in flight: the second signal changed nothing.
    await waitFor(
      () => server.lines.filter((l) => /shutting down/.test(String(l.msg))).length > 0,
      3000,
      'the shutdown logged',
    );
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();
    backend.release('finished after two SIGINTs');
    expect(await inFlight).toBe(200);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});

describe('sekisho serve (the real entry): signals until the very end', () => {
  let served: HeldAppProcess;
  let preloadDir = '';
  const exitingMarker = () => join(preloadDir, 'exiting');

  beforeAll(async () => {
    // An exit listener that takes 200 ms, as the demo's removal of its state file stands in the
    // same place: the time between the close and the end of the process, made long enough that
    // the signals below are sure to fall in it.
    // It marks its start in a file, so that the test knows when the exit is under way.
    preloadDir = mkdtempSync(join(tmpdir(), 'sekisho-exit-listener-'));
    const preload = join(preloadDir, 'slow-exit.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => { require('node:fs').writeFileSync(${JSON.stringify(exitingMarker())}, '');` +
        ' const until = Date.now() + 200; while (Date.now() < until); });\n',
    );
    served = await serveHeldApp({}, 1, ['--require', preload]);
  });
  afterAll(async () => {
    await served?.close();
    rmSync(preloadDir, { recursive: true, force: true });
  });

  it('a SIGINT that comes after the close, while the process exits, still finds it listening: it exits 0, not killed by the signal', async () => {
    const { server } = served;
    if (!server) throw new Error('no server');
    // npm forwards Ctrl+C a moment after the terminal delivered it: on a busy machine the second
    // one can come after the gateway has closed. Signals every millisecond stand for every such
    // moment, from the first until halfway through the exit listener; one that took the default
    // action would kill the process before its exit listeners had run (the demo's state file
    // would stay). They stop there: in the last instants of any Node process, after its exit
    // listeners, Node itself gives signals back their default action.
    server.child.kill('SIGINT');
    // Timed from the marker's own write, not from when this (possibly descheduled) test saw it.
    let exitingSince: number | undefined;
    const storm = setInterval(() => {
      if (exitingSince === undefined && existsSync(exitingMarker()))
        exitingSince = statSync(exitingMarker()).mtimeMs;
      if (exitingSince !== undefined && Date.now() - exitingSince > 100) return clearInterval(storm);
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGINT');
    }, 1);
    try {
      expect(await server.exited).toEqual({ code: 0, signal: null });
    } finally {
      clearInterval(storm);
    }
  });
});

describe('sekisho serve (the real entry): a config it cannot run with', () => {
  let fixture: ServerFixture;

  beforeAll(() => {
    // Valid against the schema, but outside the demo the shared secret is required.
    fixture = writeServerConfig({ secret: undefined });
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('stops before listening, naming the missing key on one line', async () => {
    const run = await runSekisho(['serve', '--config', fixture.file]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^sekisho: config: secret: required/),
    ]);
    expect(run.stdout).not.toContain('listening');
  });
});
