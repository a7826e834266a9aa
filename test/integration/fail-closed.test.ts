import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import type { TestGateway } from '../support/gateway.ts';
import { carriers } from '../support/carriers.ts';
import { startCutOffGateway, type CutOffGateway } from '../support/cut-off-store.ts';
import type { TcpForwarder } from '../support/tcp-forwarder.ts';
import { waitFor } from '../support/wait-for.ts';

describe.each(carriers)('Redis unreachable: fail closed ($carrier)', ({ leanPath }) => {
  let backend: FakeBackend;
  let forwarder: TcpForwarder;
  let gw: TestGateway;
  let password: string;
  let client: FormClient;
  let cutOff: CutOffGateway;

  beforeAll(async () => {
    cutOff = await startCutOffGateway('redis', leanPath);
    ({ backend, forwarder, gw, password, client } = cutOff);
  });
  afterAll(async () => {
    await cutOff?.close();
  });

  const json = (path: string) => cutOff.json(path);

  it('serves normally while Redis answers (the control case)', async () => {
    expect((await client.get('/bk01/a')).status).toBe(200);
    expect((await json('/_sekisho/readyz')).status).toBe(200);
  });

  it('answers 503 and proxies nothing once Redis is cut off', async () => {
    const before = backend.seen.length;
    await forwarder.cut();
    await waitFor(async () => (await client.get('/bk01/a')).status === 503, 1000, 'a 503 for the app');
    const page = await client.get('/bk01/a');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['retry-after']).toBeDefined();
    const api = await json('/bk01/api');
    expect(api).toEqual({ status: 503, body: { error: 'unavailable' } });
    // Public paths are not served either while the gateway cannot check anything.
    expect((await client.get('/open/x')).status).toBe(503);
    expect(backend.seen.slice(before)).toEqual([]);
  });

  it('reports the store in readyz (503) while healthz stays 200', async () => {
    const ready = await json('/_sekisho/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.failing).toEqual(['store']);
    const health = await json('/_sekisho/healthz');
    expect(health).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('issues no session while Redis is down', async () => {
    const fresh = new FormClient(gw.url);
    const page = await fresh.get('/_sekisho/login');
    expect(page.status).toBe(200);
    const login = await fresh.post('/_sekisho/login', {
      _csrf: csrfField(page.body),
      username: 'taro',
      password,
    });
    expect(login.status).toBe(503);
    expect(fresh.cookies.has('sekisho_sid')).toBe(false);
  });

  it('serves again, with the same session, once Redis is back', async () => {
    const before = backend.seen.length;
    await forwarder.restore();
    await waitFor(
      async () => (await client.get('/bk01/a')).status === 200,
      8000,
      'recovery after Redis returns',
      100,
    );
    expect((await json('/_sekisho/readyz')).status).toBe(200);
    expect(backend.seen.length).toBeGreaterThan(before);
  });
});

/**
 * A reset reaches the gateway as a read error, and Node reports the socket's close only after the
 * turn's setImmediate callbacks: a request read in the same turn must still not be served from
 * the session cache.
 */
describe.each(carriers)('Redis connection reset in the turn of a request ($carrier)', ({ leanPath }) => {
  let cutOff: CutOffGateway;

  beforeAll(async () => {
    cutOff = await startCutOffGateway('redis', leanPath);
  });
  afterAll(async () => {
    await cutOff?.close();
  });

  it('answers 503 to a request read in the same turn as the reset, and proxies nothing', async () => {
    const { backend, client, forwarder, gw } = cutOff;
    const connection = await KeepAliveConnection.open(gw.url);
    try {
      const request = `GET /bk01/a HTTP/1.1\r\nHost: gw\r\nCookie: ${client.cookieHeader()}\r\n\r\n`;
      // Twice within the cache's TTL: the second is answered from the cache.
      expect(await connection.ask(request)).toBe(200);
      expect(await connection.ask(request)).toBe(200);
      const before = backend.seen.length;
      // The request's bytes, then the reset: both wait in the gateway's next poll.
      const answer = connection.ask(request);
      await forwarder.reset();
      expect(await answer).toBe(503);
      expect(backend.seen.slice(before)).toEqual([]);
    } finally {
      connection.close();
    }
  });
});

/** One kept-alive HTTP/1.1 connection whose request bytes are written at once, synchronously. */
class KeepAliveConnection {
  private readonly socket: Socket;
  private received = '';
  private waiting: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.waiting?.();
    });
  }

  static async open(url: string): Promise<KeepAliveConnection> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    await once(socket, 'connect');
    return new KeepAliveConnection(socket);
  }

  /** Writes `request` now and resolves with the status of the complete response that follows. */
  ask(request: string): Promise<number> {
    this.received = '';
    this.socket.write(request);
    return new Promise((resolve) => {
      this.waiting = () => {
        const response = completeResponse(this.received);
        if (response === null) return;
        this.waiting = null;
        resolve(response.status);
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The status of a complete HTTP/1.1 response with a Content-Length or chunked body, else null. */
function completeResponse(text: string): { status: number } | null {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = text.slice(0, headEnd);
  const body = text.slice(headEnd + 4);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  const complete = length ? body.length >= Number(length[1]) : body.endsWith('0\r\n\r\n');
  return complete ? { status: Number(head.slice(9, 12)) } : null;
}
