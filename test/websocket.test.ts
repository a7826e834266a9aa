import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FormClient } from './support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from './support/gateway.ts';

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
