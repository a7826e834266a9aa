/**
 * The benchmark's backend: node:http answering every request with 1 KiB, keep-alive.
 * With `--big`, `/big?bytes=N` streams N bytes (for streaming checks).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.alloc(1024, 'x');
const headers = { 'content-type': 'text/plain', 'content-length': String(body.length) };

const server = createServer((request, response) => {
  // Drain any request body so keep-alive connections stay usable.
  request.resume();
  response.writeHead(200, headers).end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
