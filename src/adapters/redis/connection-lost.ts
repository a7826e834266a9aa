import type { Redis } from 'ioredis';

/**
 * Calls `onLost` as soon as the client's socket reports its end or an error — earlier than
 * ioredis' own `close` event, which waits for the handle to close — and again on every later
 * connection. The error matters: a reset connection (Redis killed, a flow dropped by a firewall)
 * reads as an error, and Node emits the socket's `close` only after the turn's setImmediate
 * callbacks, where a cache hit read in that turn is confirmed.
 */
export function onConnectionLost(client: Redis, onLost: () => void): void {
  const watch = () => {
    client.stream?.once('end', onLost);
    client.stream?.once('error', onLost);
    client.stream?.once('close', onLost);
  };
  client.on('connect', watch);
  client.on('close', onLost);
  if (client.status === 'ready' || client.status === 'connect') watch();
}
