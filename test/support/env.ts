import { randomBytes } from 'node:crypto';

/** The real services the suite runs against. */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A name no other test run uses, for schemas and key prefixes. */
export function uniqueName(label: string): string {
  return `sekisho_t_${label}_${randomBytes(5).toString('hex')}`;
}
