import type { Redis } from 'ioredis';

/** Redis's own process, for its CPU time (null when INFO does not say). */
export async function redisProcessId(redis: Redis): Promise<number | null> {
  const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
  return pid ? Number(pid) : null;
}

/**
 * Requests Redis has answered so far from its clients: the gateway's scripts (a session read is
 * one), its heartbeat's PUBLISH and the checker's GET. Redis also counts the commands a script
 * runs inside itself, so the other commands are left out.
 */
export async function redisCommands(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(evalsha|eval|get|publish):calls=(\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[2]),
    0,
  );
}
