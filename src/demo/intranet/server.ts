/** Starts and stops the sample intranet's `node:http` server. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handle, send } from './handler.ts';

/** Where the sample intranet listens; port 0 picks a free port. */
export interface IntranetOptions {
  port: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/** A running sample intranet. */
export interface RunningIntranet {
  /** Origin it is reachable at, e.g. `http://127.0.0.1:9201`. */
  url: string;
  close(): Promise<void>;
}

/** `0.0.0.0` and `::` are not addresses to connect to; point the URL at loopback instead. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the sample intranet; resolves once it is listening. */
export function startIntranet(options: IntranetOptions): Promise<RunningIntranet> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('sample intranet: request failed:', err instanceof Error ? err.message : err);
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${urlHost(host)}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
