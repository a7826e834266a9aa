/**
 * The push service on real Postgres (a fresh schema) and real Redis (a fresh key prefix) with a
 * fake clock, and devices that sign exactly as the authenticator page does (protocol.js).
 */
import type pg from 'pg';
import pino from 'pino';
import { createPool, migrate } from '../../src/adapters/pg/database.ts';
import { PgAuditLog } from '../../src/adapters/pg/pg-audit-log.ts';
import { RedisStore } from '../../src/adapters/redis/redis-store.ts';
import type { Config } from '../../src/config/schema.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { createPushService } from '../../src/features/push/push-service.ts';
import type { InboxInput, PendingRequest, PushService, RespondInput } from '../../src/ports/push-service.ts';
import {
  activatePayload,
  generateDeviceKey,
  inboxPayload,
  newNonce,
  publicJwk,
  respondPayload,
  sign,
} from '../../views/static/push/protocol.js';
import { testConfig, testSecret } from './gateway.ts';
import { databaseUrl } from './env.ts';
import { dropRedisPrefix } from './redis.ts';

export const phone = { ip: '10.0.0.9', userAgent: 'SekishoTest/1.0 (iPhone)' };
export const chromeOnWindows =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

export interface PushHarness {
  readonly service: PushService;
  readonly clock: FakeClock;
  readonly pool: pg.Pool;
  readonly store: RedisStore;
  readonly config: Config;
  /** The service's log lines (JSON), level info and up. */
  readonly logLines: string[];
  addUser(id: string): Promise<void>;
  /** Audit rows written so far, oldest first. */
  auditRows(): Promise<{ event: string; outcome: string; user_id: string | null; detail: unknown }[]>;
  close(): Promise<void>;
}

export async function pushHarness(push: Record<string, unknown> = {}): Promise<PushHarness> {
  const config = testConfig({ push });
  const { schema } = config.database;
  const pool = createPool(databaseUrl, schema, 4);
  await migrate(pool, schema);
  const clock = new FakeClock();
  const store = new RedisStore(
    { url: config.redis.url, keyPrefix: config.redis.keyPrefix, commandTimeoutMs: 2000 },
    clock,
  );
  await store.connect();
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const audit = new PgAuditLog(pool);
  const service = createPushService({ pool, store, clock, config, secret: testSecret, audit, log });
  return {
    service,
    clock,
    pool,
    store,
    config,
    logLines,
    addUser: async (id) => void (await pool.query('INSERT INTO users (id) VALUES ($1)', [id])),
    auditRows: async () =>
      (await pool.query('SELECT event, outcome, user_id, detail FROM audit_events ORDER BY id')).rows,
    close: async () => {
      await service.close();
      await store.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      await dropRedisPrefix(config.redis.keyPrefix);
    },
  };
}

/** A push service of another gateway instance, and how to stop it. */
export interface PushInstance {
  readonly service: PushService;
  close(): Promise<void>;
}

/**
 * Another gateway instance's push service beside the harness's: the same Postgres and Redis, its
 * own store connection and clock (the harness's unless given).
 */
export async function secondInstance(h: PushHarness, clock: FakeClock = h.clock): Promise<PushInstance> {
  const { config, pool } = h;
  const store = new RedisStore(
    { url: config.redis.url, keyPrefix: config.redis.keyPrefix, commandTimeoutMs: 2000 },
    clock,
  );
  await store.connect();
  const service = createPushService({
    ...{ pool, store, clock, config, secret: testSecret },
    audit: new PgAuditLog(pool),
    log: pino({ level: 'silent' }),
  });
  return {
    service,
    close: async () => {
      await service.close();
      await store.close();
    },
  };
}

/** A phone: its key pair (extractable, like the virtual authenticator's) and its ID once activated. */
export interface TestDevice {
  readonly id: string;
  readonly userId: string;
  readonly keys: CryptoKeyPair;
}

/** The activation code from an activation URL's fragment. */
export function codeOf(url: string): string {
  return new URL(url).hash.replace(/^#(activate=)?/, '');
}

/** Creates an activation and activates a fresh key pair with it, as the authenticator page does. */
export async function enrolDevice(service: PushService, userId: string): Promise<TestDevice> {
  const activation = await service.createActivation(userId, { actor: 'test' });
  const code = codeOf(activation.url);
  const keys = await generateDeviceKey(true);
  const publicKey = await publicJwk(keys.publicKey);
  const signature = await sign(keys.privateKey, activatePayload(code));
  const result = await service.activate({ code, publicKey, name: 'Test phone', signature }, phone);
  if (result.kind !== 'activated') throw new Error(`activation failed: ${result.kind}`);
  return { id: result.deviceId, userId, keys };
}

/** A signed inbox call, with a fresh nonce as the authenticators send (each call works once). */
export async function signedInbox(device: TestDevice, time: number, waitMs = 0): Promise<InboxInput> {
  const nonce = newNonce();
  const signature = await sign(device.keys.privateKey, inboxPayload(device.id, time, nonce));
  return { deviceId: device.id, time, nonce, signature, waitMs };
}

export async function signedAnswer(
  device: TestDevice,
  request: Pick<PendingRequest, 'transactionId' | 'challenge'>,
  decision: RespondInput['decision'],
  number: number | string = '',
): Promise<RespondInput> {
  const fields = {
    deviceId: device.id,
    transactionId: request.transactionId,
    decision,
    number: String(number),
  };
  const signature = await sign(
    device.keys.privateKey,
    respondPayload({ ...fields, challenge: request.challenge }),
  );
  return { ...fields, signature };
}

/** The device's pending requests right now. */
export async function pendingFor(h: PushHarness, device: TestDevice): Promise<readonly PendingRequest[]> {
  const result = await h.service.inbox(await signedInbox(device, h.clock.now()));
  if (result.kind !== 'ok') throw new Error('inbox refused');
  return result.requests;
}

/** A browser's login start for the user (Chrome on Windows from 192.0.2.10 unless told). */
export function loginStart(userId: string, options: { ip?: string; decoy?: boolean } = {}) {
  return {
    userId,
    ip: options.ip ?? '192.0.2.10',
    userAgent: chromeOnWindows,
    path: '/app/',
    decoy: options.decoy ?? false,
  };
}
