import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { loginThroughForm } from '../../bench/login.ts';
import { databaseUrl, redisUrl, uniqueName } from '../support/env.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Resident set size of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** A backend that streams `bytes` of zeros for `/app/big?bytes=N`, honouring backpressure. */
function startBigBackend(): Promise<Server> {
  const chunk = Buffer.alloc(64 * 1024);
  const server = createServer((req, res) => {
    const bytes = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('bytes') ?? 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * A 1 GiB download streamed through the gateway, which runs in its own process (the bench's
 * gateway, real Postgres and Redis) so that its RSS is measured alone: it must not grow by
 * 100 MB or more while the whole body passes (issue 6).
 */
describe('streaming a 1 GiB download through the gateway', () => {
  let backend: Server;
  let gateway: ChildProcess;
  let base: string;
  let cookie: string;
  const agent = new Agent();

  beforeAll(async () => {
    backend = await startBigBackend();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const options = {
      backendUrl: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
      databaseUrl,
      redisUrl,
      schema: uniqueName('db'),
      keyPrefix: `${uniqueName('kv')}:`,
      user: 'taro',
      password,
    };
    gateway = fork(new URL('../../bench/gateway-server.ts', import.meta.url), [JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      gateway.once('message', (message) => resolve((message as { port: number }).port));
      gateway.once('exit', (code) => reject(new Error(`gateway exited (${code})`)));
    });
    base = `http://127.0.0.1:${port}`;
    cookie = `sekisho_sid=${await loginThroughForm(base, 'taro', password)}`;
  }, 60_000);
  afterAll(async () => {
    await agent.close();
    if (gateway?.exitCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve));
      gateway.send({ cmd: 'stop' });
      await exited;
    }
    backend?.closeAllConnections();
    await new Promise((resolve) => backend?.close(resolve));
  });

  it('passes every byte while the gateway RSS grows by less than 100 MB', async () => {
    const pid = gateway.pid ?? 0;
    // Warm the path (pools, JIT) so the baseline is the steady state, not start-up.
    const warm = await request(`${base}/app/big?bytes=${16 * MiB}`, {
      headers: { cookie },
      dispatcher: agent,
    });
    await warm.body.dump({ limit: Infinity });
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    try {
      const response = await request(`${base}/app/big?bytes=${GiB}`, {
        headers: { cookie },
        dispatcher: agent,
      });
      expect(response.statusCode).toBe(200);
      let received = 0;
      for await (const chunk of response.body) received += (chunk as Buffer).length;
      expect(received).toBe(GiB);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(pid));
    const growth = peak - baseline;
    expect(growth, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(100 * MiB);
  }, 120_000);
});
