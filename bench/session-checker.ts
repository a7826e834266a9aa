/**
 * The `auth_request` target of the nginx reference (how Authelia is deployed): a Node
 * server that reads the session cookie, does one Redis GET, and answers 200 with the user
 * or 401. Usage: session-checker.ts <redis-url> <key-prefix> <cookie-name>
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

const [redisUrl = 'redis://127.0.0.1:6379', prefix = 'bench:', cookieName = 'sekisho_sid'] =
  process.argv.slice(2);
const redis = new Redis(redisUrl);
const cookiePattern = new RegExp(`(?:^|;\\s*)${cookieName}=([^;]+)`);

const server = createServer((request, response) => {
  const token = cookiePattern.exec(request.headers.cookie ?? '')?.[1];
  if (!token) return void response.writeHead(401, { 'content-length': '0' }).end();
  const hash = createHash('sha256').update(token).digest('base64url');
  redis.get(`${prefix}sess:${hash}`).then(
    (user) => {
      if (user === null) return void response.writeHead(401, { 'content-length': '0' }).end();
      response.writeHead(200, { 'x-remote-user': user, 'content-length': '0' }).end();
    },
    () => void response.writeHead(500, { 'content-length': '0' }).end(),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => {
  redis.disconnect();
  process.exit(0);
});
