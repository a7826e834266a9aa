import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A backend that answers `/hold` only when the test releases it, and anything else at once. */
export interface HeldBackend {
  readonly url: string;
  /** Resolves when a `/hold` request has arrived (the next one after each release). */
  arrived(): Promise<void>;
  /** Answers the waiting `/hold` requests with 200 and `body`. */
  release(body: string): void;
  close(): Promise<void>;
}

export async function startHeldBackend(): Promise<HeldBackend> {
  const held: ServerResponse[] = [];
  let onArrival: (() => void) | null = null;
  let arrival = new Promise<void>((resolve) => (onArrival = resolve));
  const server = createServer((request, response) => {
    request.resume();
    if (!request.url?.endsWith('/hold')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`seen ${request.url}`);
      return;
    }
    held.push(response);
    onArrival?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrived: () => arrival,
    release: (body) => {
      for (const response of held.splice(0))
        response.writeHead(200, { 'content-type': 'text/plain' }).end(body);
      arrival = new Promise<void>((resolve) => (onArrival = resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
