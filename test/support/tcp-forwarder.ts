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
  /**
   * Ends (both ends destroyed) only the relayed connections whose client has sent bytes matching
   * `sent` (the first 4 KiB are kept), and keeps listening: one dependency connection lost among
   * several, reconnecting at once. Returns how many it ended.
   */
  drop(sent: RegExp): number;
}

/** How much of what each client sent is kept for {@link TcpForwarder.drop} to match. */
const keptBytes = 4096;

/** Ports a connection URL implies when it names none. */
const defaultPorts: Readonly<Record<string, number>> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
};

/**
 * A forwarder to the server a Postgres or Redis connection URL names, and the same URL pointed
 * at the forwarder instead (credentials, database and options kept).
 */
export async function startTcpForwarderFor(url: string): Promise<{ forwarder: TcpForwarder; url: string }> {
  const target = new URL(url);
  const port = Number(target.port || defaultPorts[target.protocol]);
  const forwarder = await startTcpForwarder(target.hostname, port);
  const via = new URL(url);
  via.host = `127.0.0.1:${forwarder.port}`;
  return { forwarder, url: via.toString() };
}

export async function startTcpForwarder(targetHost: string, targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  /** What each relayed client sent (its first bytes), for `drop`. */
  const sentBy = new Map<Socket, string>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      sentBy.delete(socket);
    });
  };
  const server: Server = createServer((client) => {
    track(client);
    sentBy.set(client, '');
    client.on('data', (chunk: Buffer) => {
      const sent = sentBy.get(client);
      if (sent !== undefined && sent.length < keptBytes) sentBy.set(client, sent + chunk.toString('latin1'));
    });
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
    drop: (sent) => {
      const matching = [...sentBy].filter(([, bytes]) => sent.test(bytes)).map(([client]) => client);
      // The relay's other side follows through the 'close' handlers above.
      for (const client of matching) client.destroy();
      return matching.length;
    },
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
