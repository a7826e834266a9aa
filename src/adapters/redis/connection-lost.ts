import type { Redis } from 'ioredis';

/**
 * Calls `onLost` as soon as the client's socket reports its end — earlier than ioredis' own
 * `close` event, which waits for the handle to close — and again on every later connection.
 */
export function onConnectionLost(client: Redis, onLost: () => void): void {
  const watch = () => {
    client.stream?.once('end', onLost);
    client.stream?.once('close', onLost);
  };
  client.on('connect', watch);
  client.on('close', onLost);
  if (client.status === 'ready' || client.status === 'connect') watch();
}
