/**
 * The floor of any Node design (issue 6): a bare node:http server handing each request to
 * `undici.Pool#dispatch` with a raw handler. No auth, no header rewriting beyond hop-by-hop.
 *
 * With `--identity`, the same floor also carries what the gateway adds to every request for its
 * backend — the forwarding headers, the three identity headers and a signed assertion of the
 * same shape (ES256, the same claims, signed once at start) — and drops the Cookie header as the
 * gateway drops its own cookie: what the contract with the backends costs in Node and undici and
 * in the backend's parsing, apart from any decision the gateway makes.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { Pool } from 'undici';
import { authenticationMethods } from '../src/domain/amr.ts';
import { keepTickObjectShape } from '../src/tick-shape.ts';
import { answerProfileCommands } from './inspector-profile.ts';

// As the gateway does (src/tick-shape.ts): a floor that met V8's slow `process.nextTick` after a
// collection would flatter every ratio against it. After its few imports, which need no full
// collection; the gateway keeps its tick object before loading its much larger code.
await keepTickObjectShape();

const upstream = process.argv[2] ?? '';
const carriesIdentity = process.argv.includes('--identity');
const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
const identity = carriesIdentity ? await identityHeaders() : {};

/**
 * The headers the gateway adds for one bench user, with a real signature. The names are the
 * gateway's defaults written out: the config schema that holds them would load zod into the
 * floor, whose heap is part of what it measures.
 */
async function identityHeaders(): Promise<IncomingHttpHeaders> {
  const { privateKey } = await generateKeyPair('ES256');
  const iat = Math.floor(Date.now() / 1000);
  const amr = authenticationMethods(['password']);
  const assertion = await new SignJWT({ groups: ['staff'], amr, auth_time: iat })
    .setProtectedHeader({ alg: 'ES256', kid: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE', typ: 'JWT' })
    .setIssuer('http://127.0.0.1:8080')
    .setAudience('app')
    .setSubject('bench-0042')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(privateKey);
  return {
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': '127.0.0.1:8080',
    'x-remote-user': 'bench-0042',
    'x-remote-groups': 'staff',
    'x-remote-auth-methods': 'password',
    'x-remote-assertion': assertion,
  };
}

const server = createServer((request, response) => {
  const headers: IncomingHttpHeaders = { ...request.headers, ...identity };
  delete headers.connection;
  delete headers['keep-alive'];
  if (carriesIdentity) delete headers.cookie;
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
