import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/demo/demo-state.ts';
import { request } from '../support/gateway.ts';
import { serveHeldApp, type HeldAppProcess } from '../support/held-app-process.ts';
import type { HeldBackend } from '../support/held-backend.ts';
import { isRefused, type ServerProcess } from '../support/server-process.ts';
import { killIfSame, seeProcess, type SeenProcess } from '../support/seen-process.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * server.ts: each worker gets 10 s for its requests in flight (then exits 1; the supervisor waits
 * 2 s longer). A worker that used the whole grace would still let the supervisor exit 0, so the
 * time is what shows the workers finished cleanly.
 */
const shutdownGraceMs = 10_000;

describe('sekisho serve with cluster.workers: 2', () => {
  let backend: HeldBackend;
  let server: ServerProcess | undefined;
  let served: HeldAppProcess;
  let workers: SeenProcess[] = [];
  const workerPids = () => workers.map((worker) => worker.pid);

  beforeAll(async () => {
    served = await serveHeldApp({ cluster: { workers: 2 } }, 2);
    ({ backend, server } = served);
  });
  afterAll(async () => {
    for (const worker of workers) killIfSame(worker);
    await served?.close();
  });

  it('runs two worker processes on one port, and both serve requests', async () => {
    if (!server) throw new Error('no server');
    const listening = server.lines.filter((l) => /^Server listening at /.test(String(l.msg)));
    expect(new Set(listening.map((l) => l.msg)).size).toBe(1);
    workers = [...new Set(listening.map((l) => Number(l.pid)))].map(seeProcess);
    expect(workerPids()).toHaveLength(2);
    expect(workerPids()).not.toContain(server.child.pid);

    // A new connection each time: the supervisor hands connections to the workers in turn.
    for (let i = 0; i < 6; i++) {
      const proxied = await request(`${server.url}/app/r${i}`, { reset: true });
      expect(proxied.statusCode).toBe(200);
      expect(await proxied.body.text()).toBe(`seen /r${i}`);
      const health = await request(`${server.url}/_sekisho/healthz`, { reset: true });
      expect(health.statusCode).toBe(200);
      await health.body.dump();
    }
    const answered = () =>
      server?.lines.filter((l) => l.msg === 'request completed' && l.res !== undefined) ?? [];
    await waitFor(() => answered().length >= 6, 2000, 'the workers logging their answers');
    expect(new Set(answered().map((l) => Number(l.pid)))).toEqual(new Set(workerPids()));
  });

  it('answers a metrics scrape with the totals of all workers, whichever worker takes it', async () => {
    if (!server) throw new Error('no server');
    const { url } = server;
    // The six proxied requests above went to both workers; every scrape must count all six.
    const scrape = async () => {
      const response = await request(`${url}/_sekisho/metrics`, { reset: true });
      expect(response.statusCode).toBe(200);
      return response.body.text();
    };
    const decisions = /^sekisho_access_decisions_total\{decision="bypass",rule="\/app\/"\} (\d+)$/m;
    const latencies = /^sekisho_upstream_seconds_count\{backend="app",status="200"\} (\d+)$/m;
    for (let i = 0; i < 4; i++) {
      const body = await scrape();
      expect(decisions.exec(body)?.[1]).toBe('6');
      expect(latencies.exec(body)?.[1]).toBe('6');
    }
  });

  it('stops every worker on SIGTERM, finishing the request in flight, and exits 0', async () => {
    if (!server) throw new Error('no server');
    const { port } = server;
    const inFlight = request(`${server.url}/app/hold`).then(async (r) => ({
      status: r.statusCode,
      body: await r.body.text(),
    }));
    await backend.arrived();
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    // Neither worker listens any more; the one without a request in flight has gone, the other
    // waits for its request.
    await waitFor(() => isRefused(port), 5000, 'new connections refused after SIGTERM');
    await waitFor(() => workerPids().filter(isRunning).length === 1, 5000, 'the idle worker stopping');
    expect(server.child.exitCode).toBeNull();
    backend.release('finished after SIGTERM');
    expect(await inFlight).toEqual({ status: 200, body: 'finished after SIGTERM' });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(shutdownGraceMs);
    expect(workerPids().filter(isRunning)).toEqual([]);
  });
});

describe('sekisho serve with cluster.workers: 2, a worker that cannot finish in time', () => {
  let served: HeldAppProcess;

  beforeAll(async () => {
    served = await serveHeldApp({ cluster: { workers: 2 } }, 2);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('makes the whole stop unclean: the supervisor exits 1, as a single process would', async () => {
    const { backend, server } = served;
    if (!server) throw new Error('no server');
    const inFlight = request(`${server.url}/app/hold`).then(
      (r) => r.statusCode,
      () => 'cut off',
    );
    await backend.arrived();
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    // The held request is never released: its worker runs out of its grace and exits 1.
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(shutdownGraceMs);
    expect(await inFlight).toBe('cut off');
    backend.release('too late');
  });
});
