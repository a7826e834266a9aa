/**
 * A minimal HTTP proxy on 127.0.0.1 (CONNECT tunnels only) that records where it was asked to
 * tunnel. `upstream` sends every tunnel to one address instead of the one asked for (the proxy's
 * own name resolution, for test names that resolve nowhere else).
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Each CONNECT target (`host:port`), in order. */
  readonly tunnels: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(upstream?: { host: string; port: number }): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.once('data', (head: Buffer) => {
      const match = /^CONNECT ([^\s]+) HTTP\/1\.1\r\n/.exec(head.toString('latin1'));
      if (!match) return void client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      const target = match[1] as string;
      tunnels.push(target);
      const [host, port] = target.split(':') as [string, string];
      const to = upstream ?? { host, port: Number(port) };
      const socket = connect(to.port, to.host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        socket.pipe(client).pipe(socket);
      });
      socket.on('error', () => client.destroy());
      client.on('error', () => socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
