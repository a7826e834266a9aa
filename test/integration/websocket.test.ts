import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FakeClock } from '../../src/ports/clock.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';

/** Opens a websocket through the gateway; resolves with the first message or the refusal status. */
function exchange(url: string, cookie: string): Promise<{ message?: string; status?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: cookie ? { cookie } : {} });
    socket.on('open', () => socket.send('ping'));
    socket.on('message', (data) => {
      resolve({ message: String(data) });
      socket.close();
    });
    socket.on('unexpected-response', (_request, response) => resolve({ status: response.statusCode }));
    socket.on('error', () => resolve({}));
  });
}

describe('websockets through the gateway', () => {
  let server: Server;
  let gw: TestGateway;
  let password: string;
  const seenUsers: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket, request) => {
      seenUsers.push(request.headers['x-remote-user'] as string | undefined);
      socket.on('message', (data) => socket.send(`echo:${String(data)}:${request.headers['x-remote-user']}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    gw = await startGateway({ config: { backends: { chat: { url: `http://127.0.0.1:${port}` } } } });
    await setRules(gw, '/chat/=ALL;;');
    password = await addUser(gw, 'taro');
  });
  afterAll(async () => {
    await gw?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('refuses an upgrade without a session, and never reaches the backend', async () => {
    const result = await exchange(`${gw.url.replace('http', 'ws')}/chat/socket`, '');
    expect(result.message).toBeUndefined();
    expect(result.status).toBe(401);
    expect(seenUsers).toHaveLength(0);
  });

  it('passes an authorised session through, with the identity header set by the gateway', async () => {
    const client = new FormClient(gw.url);
    await client.login('taro', password, '/chat/');
    const result = await exchange(`${gw.url.replace('http', 'ws')}/chat/socket`, client.cookieHeader());
    expect(result.message).toBe('echo:ping:taro');
    expect(seenUsers).toEqual(['taro']);
  });
});

/** An open websocket through the gateway (one echo done), and a promise of its close. */
async function openSocket(
  url: string,
  cookie: string,
): Promise<{ socket: WebSocket; closed: Promise<void> }> {
  const socket = new WebSocket(url, { headers: { cookie } });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send('ping'));
    socket.once('message', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed };
}

/**
 * A websocket is checked at its upgrade; a session that ends later (logout, a locked user,
 * expiry) must not leave its open sockets running: they are closed within the revocation bound
 * (a second), while the sockets of live sessions stay open.
 */
describe('open websockets end with their session', () => {
  let server: Server;
  let gw: TestGateway;
  let password: string;
  let wsUrl: string;
  const clock = new FakeClock();
  const idleSeconds = 600;

  beforeAll(async () => {
    server = createServer();
    new WebSocketServer({ server }).on('connection', (socket) => {
      socket.on('message', (data) => socket.send(`echo:${String(data)}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    gw = await startGateway({
      clock,
      config: {
        backends: { chat: { url: `http://127.0.0.1:${port}` } },
        session: { idleTimeoutSeconds: idleSeconds, absoluteTimeoutSeconds: 3600 },
      },
    });
    await setRules(gw, '/chat/=ALL;;');
    password = await addUser(gw, 'taro');
    await addUser(gw, 'jiro', { password });
    wsUrl = `${gw.url.replace('http', 'ws')}/chat/socket`;
  });
  afterAll(async () => {
    await gw?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function loggedIn(user = 'taro'): Promise<FormClient> {
    const client = new FormClient(gw.url);
    expect((await client.login(user, password, '/chat/')).status).toBe(303);
    return client;
  }

  it('closes the socket of a session that logs out; a socket of another live session stays open', async () => {
    const leaving = await loggedIn();
    const staying = await loggedIn('jiro');
    const gone = await openSocket(wsUrl, leaving.cookieHeader());
    const kept = await openSocket(wsUrl, staying.cookieHeader());

    const page = await leaving.get('/_sekisho/logout');
    expect((await leaving.post('/_sekisho/logout', { _csrf: csrfField(page.body) })).status).toBe(200);
    await gone.closed;
    // Both were checked in the sweep that closed the first one.
    expect(kept.socket.readyState).toBe(WebSocket.OPEN);
    kept.socket.send('still');
    expect(String(await new Promise((resolve) => kept.socket.once('message', resolve)))).toBe('echo:still');
    kept.socket.close();
  });

  it('closes the socket of a user who is locked meanwhile', async () => {
    const client = await loggedIn('jiro');
    const open = await openSocket(wsUrl, client.cookieHeader());
    await gw.runtime.gateway.users.update('jiro', { locked: true });
    await open.closed;
    await gw.runtime.gateway.users.update('jiro', { locked: false });
  });

  it('closes the socket of a session that has expired; websocket traffic does not renew it', async () => {
    const client = await loggedIn();
    const open = await openSocket(wsUrl, client.cookieHeader());
    clock.advance((idleSeconds + 1) * 1000);
    await open.closed;
    expect((await client.get('/chat/')).status).toBe(302);
  });
});
