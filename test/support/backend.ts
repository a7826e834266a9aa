import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake backend saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: string[];
  readonly body: string;
}

export interface FakeBackend {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP backend on port 0 that echoes what it received as JSON; `/slow` never
 * answers, `/redirect` and `/cookie` exercise header mapping.
 */
export async function startBackend(): Promise<FakeBackend> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      if (request.url?.endsWith('/slow')) return;
      if (request.url?.endsWith('/redirect')) {
        response.writeHead(302, { location: '/elsewhere' }).end();
        return;
      }
      if (request.url?.endsWith('/planted')) {
        // A hostile or careless app: its own cookie, one under the gateway's session cookie
        // name, and a service worker scope over the whole origin.
        response
          .writeHead(200, {
            'set-cookie': [
              'app=1; Path=/',
              'sekisho_sid=planted; Path=/',
              '__Host-sekisho_sid=x; Path=/; Secure',
              'sekisho_lang=en; Path=/',
            ],
            'service-worker-allowed': '/',
          })
          .end('ok');
        return;
      }
      if (request.url?.endsWith('/cookie')) {
        response.writeHead(200, { 'set-cookie': 'app=1; Path=/; Domain=127.0.0.1; HttpOnly' }).end('ok');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entry));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
