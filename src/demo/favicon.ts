import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { projectRoot } from '../project-root.ts';

/**
 * The demo answers `GET /favicon.ico` itself, with the gateway's icon, so that a browser's
 * request for it does not end in a 403 (no rule covers `/favicon.ico`). This is the demo's
 * choice only: in production the path is decided by the rules like any other, because behind a
 * forward-auth proxy or on a host rule it belongs to an application (docs/operations.md).
 *
 * It answers before the gateway's request listener, on that one exact target, with a fixed
 * public image: nothing is read from the request and no backend is involved.
 */
export function answerFavicon(server: Server): void {
  const icon = readFileSync(join(projectRoot, 'views', 'static', 'favicon.png'));
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const [gateway] = listeners;
  if (!gateway || listeners.length !== 1) throw new Error('the gateway has no single request listener');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (isFaviconRequest(request)) sendIcon(request, response, icon);
    else gateway.call(server, request, response);
  });
}

function isFaviconRequest(request: IncomingMessage): boolean {
  return request.url === '/favicon.ico' && (request.method === 'GET' || request.method === 'HEAD');
}

function sendIcon(request: IncomingMessage, response: ServerResponse, icon: Buffer): void {
  response.writeHead(200, {
    'content-type': 'image/png',
    'content-length': icon.length,
    'cache-control': 'public, max-age=86400',
    'x-content-type-options': 'nosniff',
  });
  response.end(request.method === 'HEAD' ? undefined : icon);
}
