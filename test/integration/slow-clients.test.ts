import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { request, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/wait-for.ts';

const slowClients = 200;

/** A socket that sends a request line and then one header line every 200 ms, never finishing. */
function trickle(url: URL): { socket: Socket; closed: Promise<string>; stop(): void } {
  const socket = connect(Number(url.port), url.hostname);
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => (received += data));
  socket.on('error', () => {});
  const timer = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: 1\r\n`), 200);
  socket.write(`GET /open/slow HTTP/1.1\r\nHost: ${url.host}\r\n`);
  const closed = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  return { socket, closed, stop: () => (clearInterval(timer), socket.destroy()) };
}

/**
 * Slow-loris: many sockets trickling headers must neither stop the gateway answering others nor
 * stay open past `server.headersTimeoutMs` (here 1 s; the default is 20 s).
 */
describe('slow clients cannot exhaust the gateway', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let backed: BackedGateway;

  beforeAll(async () => {
    backed = await startBackedGateway({
      config: { server: { headersTimeoutMs: 1000 } },
      backends: ['open'],
      rules: ['/open/=ALL;;BYPASS'],
    });
    ({ backend, gw } = backed);
  });
  afterAll(async () => {
    await backed?.close();
  });

  it('keeps answering while 200 sockets trickle headers, and closes those sockets', async () => {
    const url = new URL(gw.url);
    const slow = Array.from({ length: slowClients }, () => trickle(url));
    let closedCount = 0;
    for (const s of slow) void s.closed.then(() => closedCount++);
    try {
      // Others are served normally meanwhile.
      for (let i = 0; i < 20; i++) {
        const response = await request(`${gw.url}/open/fine-${i}`);
        expect(response.statusCode).toBe(200);
        await response.body.dump();
      }
      // Every slow socket is closed by the gateway (408 Request Timeout) once its headers are late.
      await waitFor(() => closedCount === slowClients, 5000, 'every slow socket closed', 100);
      const answers = await Promise.all(slow.map((s) => s.closed));
      expect(answers.every((text) => text === '' || text.startsWith('HTTP/1.1 408'))).toBe(true);
      // None of them reached the backend.
      expect(backend.seen.filter((seen) => seen.url.endsWith('/slow'))).toEqual([]);
      const after = await request(`${gw.url}/open/after`);
      expect(after.statusCode).toBe(200);
      await after.body.dump();
    } finally {
      for (const s of slow) s.stop();
    }
  });
});
