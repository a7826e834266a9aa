import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { startBackedGateway, type BackedGateway } from '../support/backed-gateway.ts';
import { request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { startUnacceptingServer, type UnacceptingServer } from '../support/unaccepting-server.ts';

/** Small values, far below the defaults (300 s, 72 s, 5 s), so only the configured ones can act. */
const requestTimeoutMs = 1500;
const keepAliveTimeoutMs = 1000;
const connectTimeoutMs = 300;
/** Node checks request deadlines once a second (connectionsCheckingInterval). */
const checkIntervalMs = 1000;
/**
 * Node (≥ 22.19) advertises `Keep-Alive: timeout=<keepAliveTimeout>` but closes the idle socket
 * only this much later (`server.keepAliveTimeoutBuffer`), so that the client gives up first.
 */
const keepAliveBufferMs = 1000;

/** A raw client socket that records what it received and when the gateway closed it. */
function openSocket(url: string): { socket: Socket; received: () => string; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => (text += data));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  return { socket, received: () => text, closed };
}

/** Sends `body` one byte every `everyMs`; stops when the socket closes. */
function trickle(socket: Socket, body: string, everyMs: number): Promise<void> {
  return new Promise((resolve) => {
    let at = 0;
    const timer = setInterval(() => {
      if (at >= body.length || socket.destroyed) {
        clearInterval(timer);
        resolve();
        return;
      }
      socket.write(body[at++] ?? '');
    }, everyMs);
  });
}

describe('server.requestTimeoutMs and server.keepAliveTimeoutMs', () => {
  let backend: FakeBackend;
  let gw: TestGateway;
  let backed: BackedGateway;

  beforeAll(async () => {
    backed = await startBackedGateway({
      config: { server: { headersTimeoutMs: 1000, requestTimeoutMs, keepAliveTimeoutMs } },
      backends: ['open'],
      rules: ['/open/=ALL;;BYPASS'],
    });
    ({ backend, gw } = backed);
  });
  afterAll(async () => {
    await backed?.close();
  });

  const head = (length: number) =>
    `POST /open/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`;

  it('serves a request whose body arrives within requestTimeoutMs (the control case)', async () => {
    const client = openSocket(gw.url);
    client.socket.write(head(8));
    await trickle(client.socket, 'in time!', 100);
    client.socket.end();
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.received()).toContain('"body":"in time!"');
  });

  it('cuts off a request whose body is still arriving after requestTimeoutMs', async () => {
    const client = openSocket(gw.url);
    const started = Date.now();
    // The headers are complete at once (no headers timeout); the body never is.
    client.socket.write(head(100));
    void trickle(client.socket, 'x'.repeat(100), 100);
    const elapsed = (await client.closed) - started;
    expect(elapsed).toBeGreaterThanOrEqual(requestTimeoutMs - 50);
    expect(elapsed).toBeLessThan(requestTimeoutMs + checkIntervalMs + 1500);
    expect(client.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(backend.seen.some((seen) => seen.body.length === 100)).toBe(false);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs, and says so', async () => {
    const client = openSocket(gw.url);
    client.socket.write('GET /_sekisho/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const answered = await new Promise<number>((resolve) =>
      client.socket.on('data', () => client.received().includes('{"status":"ok"}') && resolve(Date.now())),
    );
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.received()).toMatch(/\r\nkeep-alive: timeout=1\r\n/i);
    const idle = (await client.closed) - answered;
    expect(idle).toBeGreaterThanOrEqual(keepAliveTimeoutMs - 50);
    expect(idle).toBeLessThan(keepAliveTimeoutMs + keepAliveBufferMs + 1000);
  });
});

// Both proxy paths: the lean path's undici error and @fastify/reply-from's must map alike.
describe.each([true, false])('backends.<name>.connectTimeoutMs (proxy.leanPath: %s)', (leanPath) => {
  let unaccepting: UnacceptingServer;
  let gw: TestGateway;

  beforeAll(async () => {
    unaccepting = await startUnacceptingServer();
    gw = await startGateway({
      config: {
        proxy: { leanPath },
        backends: {
          stuck: { url: `http://127.0.0.1:${unaccepting.port}`, connectTimeoutMs, timeoutMs: 20_000 },
        },
      },
    });
    await setRules(gw, '/stuck/=ALL;;BYPASS');
  });
  afterAll(async () => {
    await gw?.close();
    await unaccepting?.close();
  });

  it('gives up on a backend that never completes the connect after connectTimeoutMs (504)', async () => {
    const started = Date.now();
    const response = await request(`${gw.url}/stuck/x`, { headers: { accept: 'application/json' } });
    const elapsed = Date.now() - started;
    expect(response.statusCode).toBe(504);
    expect(await response.body.json()).toEqual({ error: 'gateway_timeout' });
    // Well before timeoutMs (20 s) and the default connect timeout (5 s); undici checks connect
    // timeouts on a coarse timer (a tick of about 0.5 s), so it fires up to a second late.
    expect(elapsed).toBeGreaterThanOrEqual(connectTimeoutMs - 50);
    expect(elapsed).toBeLessThan(connectTimeoutMs + 2000);
  });
});
