/**
 * The floor of any Node design (issue 6): a bare node:http server handing each request to
 * `undici.Pool#dispatch` with a raw handler. No auth, no header rewriting beyond hop-by-hop.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { answerProfileCommands } from './inspector-profile.ts';

const upstream = process.argv[2] ?? '';
const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });

const server = createServer((request, response) => {
  const headers: IncomingHttpHeaders = { ...request.headers };
  delete headers.connection;
  delete headers['keep-alive'];
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  pool.dispatch(
    { method: request.method ?? 'GET', path: request.url ?? '/', headers, body: bodyless ? null : request },
    {
      onRequestStart() {},
      onResponseStart(_controller, status, responseHeaders) {
        delete responseHeaders.connection;
        delete responseHeaders['keep-alive'];
        delete responseHeaders['transfer-encoding'];
        response.writeHead(status, responseHeaders);
      },
      onResponseData(_controller, chunk) {
        response.write(chunk);
      },
      onResponseEnd() {
        response.end();
      },
      onResponseError(_controller, error) {
        if (!response.headersSent) response.writeHead(502);
        response.end(String(error.message));
      },
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
answerProfileCommands();
process.on('disconnect', () => process.exit(0));
