import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP relay to another address that a test can cut, to make a dependency unreachable. */
export interface TcpForwarder {
  readonly port: number;
  /** Stops listening and destroys every relayed connection, both ends. */
  cut(): Promise<void>;
  /**
   * As `cut`, but every relayed connection is reset (a TCP RST, as from a Redis that was killed
   * or a firewall that dropped the flow): the other end reads an error rather than an end.
   */
  reset(): Promise<void>;
  /** Listens again on the same port (after `cut` or `reset`). */
  restore(): Promise<void>;
}

export async function startTcpForwarder(targetHost: string, targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = connect({ host: targetHost, port: targetPort });
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  /** Stops listening and ends every relayed connection with `end` (destroy or reset), synchronously. */
  const stop = async (end: (socket: Socket) => void) => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) end(socket);
    await closed;
  };
  return {
    port,
    cut: () => stop((socket) => socket.destroy()),
    reset: () => stop((socket) => socket.resetAndDestroy()),
    restore: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
  };
}

/** A loopback port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
