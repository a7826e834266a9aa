import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenUpgrades } from './open-upgrades.ts';

/** Two real TCP connections to a server on port 0; returns the server-side sockets. */
async function connections(count: number): Promise<{ server: Server; sockets: Socket[]; clients: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const clients = Array.from({ length: count }, () => connect(port, '127.0.0.1').on('error', () => {}));
  while (sockets.length < count) await new Promise((resolve) => setImmediate(resolve));
  return { server, sockets, clients };
}

describe('OpenUpgrades: upgraded connections end with their session', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => cleanup?.());

  it('a store that cannot answer closes the sockets (fail closed) and is reported once per session', async () => {
    const { server, sockets, clients } = await connections(3);
    cleanup = () => (clients.forEach((c) => c.destroy()), server.close());
    const errors: unknown[] = [];
    const upgrades = new OpenUpgrades(
      async (hash) => {
        if (hash === 'down') throw new Error('store unreachable');
        return true;
      },
      (error) => errors.push(error),
    );
    upgrades.track(sockets[0] as Socket, 'down');
    upgrades.track(sockets[1] as Socket, 'down');
    upgrades.track(sockets[2] as Socket, 'live');
    await upgrades.sweep();
    upgrades.stop();
    expect(sockets.map((s) => s.destroyed)).toEqual([true, true, false]);
    expect(errors).toHaveLength(1);
  });

  it('closes the socket of an ended session and keeps the others; a closed socket is forgotten', async () => {
    const { server, sockets, clients } = await connections(2);
    cleanup = () => (clients.forEach((c) => c.destroy()), server.close());
    const live = new Set(['a']);
    const upgrades = new OpenUpgrades(
      async (hash) => live.has(hash),
      () => {},
    );
    upgrades.track(sockets[0] as Socket, 'a');
    upgrades.track(sockets[1] as Socket, 'b');
    await upgrades.sweep();
    expect(sockets.map((s) => s.destroyed)).toEqual([false, true]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(upgrades.size).toBe(1);
    upgrades.stop();
  });
});
