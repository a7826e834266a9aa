import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../ports/clock.ts';
import type {
  ChallengeAttempt,
  PeekedSession,
  RateLimitBackend,
  SessionTouch,
  Store,
  StoredSession,
} from '../../ports/store.ts';
import { onConnectionLost } from './connection-lost.ts';
import {
  addToSetLua,
  attemptChallengeLua,
  createSessionLua,
  deleteUserSessionsLua,
  hitLua,
  putIfAbsentLua,
  takeLua,
  touchSessionLua,
  touchSessionsLua,
} from './lua-scripts.ts';
import { connectRedis, createRedisClient, type RedisStoreOptions } from './redis-client.ts';

export type { RedisStoreOptions } from './redis-client.ts';

/**
 * The Redis store: every port of the store over one client (and a second one for subscriptions).
 * Keys are `<prefix>sess:<hash>`, `<prefix>usess:<user>`, `<prefix>v:<key>` (values and
 * counters), `<prefix>ch:<key>` and `<prefix>set:<key>`. A set is a hash (field `e` its expiry,
 * one field `m:<member>` per member) so that its expiry follows the injected clock like every
 * other value.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly client: Redis;
  private subscriber: Redis | null = null;
  /** What {@link onConnectionLost} was given: the subscriber's connection is watched too, whenever it is made. */
  private readonly lostListeners: (() => void)[] = [];
  private readonly options: RedisStoreOptions;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly shas = new Map<string, string>();

  constructor(options: RedisStoreOptions, clock: Clock) {
    this.options = options;
    this.prefix = options.keyPrefix;
    this.clock = clock;
    this.client = createRedisClient(options);
  }

  /** Connects, or throws SEKISHO_ERR_STORE_UNAVAILABLE with the cause Redis gave. */
  async connect(): Promise<void> {
    await connectRedis(this.client, this.options);
  }

  // SessionStore

  async createSession(hash: string, session: StoredSession, touch: SessionTouch): Promise<void> {
    const keys = [this.sessionKey(hash), this.userKey(session.userId)];
    const indexTtlMs = touch.indexTtlMs ?? touch.ttlMs;
    await this.run(createSessionLua, keys, [
      JSON.stringify(session),
      touch.now,
      touch.ttlMs,
      indexTtlMs,
      session.revision ?? 0,
    ]);
  }

  async touchSession(hash: string, touch: SessionTouch): Promise<StoredSession | null> {
    const args = [touch.now, touch.idleMs, touch.ttlMs];
    const json = await this.run(touchSessionLua, [this.sessionKey(hash)], args);
    return typeof json === 'string' ? (JSON.parse(json) as StoredSession) : null;
  }

  async touchSessions(hashes: readonly string[], touch: SessionTouch): Promise<boolean[]> {
    if (hashes.length === 0) return [];
    const keys = hashes.map((hash) => this.sessionKey(hash));
    const found = (await this.run(touchSessionsLua, keys, [
      touch.now,
      touch.idleMs,
      touch.ttlMs,
    ])) as number[];
    return found.map((live) => live === 1);
  }

  async peekSession(hash: string): Promise<PeekedSession | null> {
    const [json, seen] = await this.client.hmget(this.sessionKey(hash), 'd', 's');
    if (typeof json !== 'string' || typeof seen !== 'string') return null;
    return { session: JSON.parse(json) as StoredSession, lastSeen: Number(seen) };
  }

  async deleteSession(hash: string): Promise<boolean> {
    return (await this.client.del(this.sessionKey(hash))) > 0;
  }

  async listUserSessions(userId: string): Promise<string[]> {
    const index = this.userKey(userId);
    const members = await this.client.smembers(index);
    if (members.length === 0) return [];
    const exists = await Promise.all(members.map((key) => this.client.exists(key)));
    const stale = members.filter((_, i) => exists[i] === 0);
    if (stale.length > 0) await this.client.srem(index, ...stale);
    const start = this.sessionKey('').length;
    return members.filter((_, i) => exists[i] === 1).map((key) => key.slice(start));
  }

  async deleteUserSessions(userId: string, below?: number): Promise<number> {
    const args = below === undefined ? [] : [below];
    return Number(await this.run(deleteUserSessionsLua, [this.userKey(userId)], args));
  }

  // RateCounter

  async hit(key: string, windowMs: number): Promise<number> {
    return Number(await this.run(hitLua, [this.valueKey(key)], [this.clock.now(), windowMs]));
  }

  async peek(key: string): Promise<number> {
    const [count, end] = await this.client.hmget(this.valueKey(key), 'n', 'e');
    return count && Number(end) > this.clock.now() ? Number(count) : 0;
  }

  async reset(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.del(...keys.map((key) => this.valueKey(key)));
  }

  // KeyValueStore

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    const redisKey = this.valueKey(key);
    await this.client
      .multi()
      .del(redisKey)
      .hset(redisKey, 'v', value, 'e', this.clock.now() + ttlMs)
      .pexpire(redisKey, ttlMs)
      .exec();
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.run(putIfAbsentLua, [this.valueKey(key)], [value, this.clock.now(), ttlMs])) === 1;
  }

  async read(key: string): Promise<string | null> {
    const [value, end] = await this.client.hmget(this.valueKey(key), 'v', 'e');
    return value != null && Number(end) > this.clock.now() ? value : null;
  }

  async take(key: string): Promise<string | null> {
    const value = await this.run(takeLua, [this.valueKey(key)], [this.clock.now()]);
    return typeof value === 'string' ? value : null;
  }

  async remove(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.del(...keys.map((key) => this.valueKey(key)));
  }

  // ChallengeStore

  async openChallenge(key: string, answerHash: string, maxAttempts: number, ttlMs: number): Promise<void> {
    const redisKey = this.challengeKey(key);
    await this.client
      .multi()
      .del(redisKey)
      .hset(redisKey, 'h', answerHash, 'l', maxAttempts, 'e', this.clock.now() + ttlMs)
      .pexpire(redisKey, ttlMs)
      .exec();
  }

  async attemptChallenge(key: string, answerHash: string): Promise<ChallengeAttempt> {
    const args = [answerHash, this.clock.now()];
    const [outcome, left] = (await this.run(attemptChallengeLua, [this.challengeKey(key)], args)) as [
      ChallengeAttempt['outcome'],
      number,
    ];
    return { outcome, attemptsLeft: Number(left) };
  }

  async discardChallenge(key: string): Promise<void> {
    await this.client.del(this.challengeKey(key));
  }

  // SetStore

  async addToSet(key: string, ttlMs: number, ...members: string[]): Promise<void> {
    await this.run(addToSetLua, [this.setKey(key)], [this.clock.now(), ttlMs, ...members]);
  }

  async setMembers(key: string): Promise<string[]> {
    const fields = await this.client.hgetall(this.setKey(key));
    if (!(Number(fields.e) > this.clock.now())) return [];
    return Object.keys(fields)
      .filter((field) => field.startsWith('m:'))
      .map((field) => field.slice(2));
  }

  async isSetMember(key: string, member: string): Promise<boolean> {
    const [end, present] = await this.client.hmget(this.setKey(key), 'e', `m:${member}`);
    return present != null && Number(end) > this.clock.now();
  }

  async removeFromSet(key: string, ...members: string[]): Promise<void> {
    if (members.length === 0) return;
    await this.client.hdel(this.setKey(key), ...members.map((member) => `m:${member}`));
  }

  // PubSub

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      this.subscriber.on('error', () => {});
      for (const onLost of this.lostListeners) onConnectionLost(this.subscriber, onLost);
    }
    const wanted = this.prefix + channel;
    this.subscriber.on('message', (from: string, message: string) => {
      if (from === wanted) onMessage(message);
    });
    await this.subscriber.subscribe(wanted);
  }

  // StoreConnection

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /**
   * Both connections count: announcements (a session ended on another instance) arrive on the
   * subscriber's, so while it is down the cache must not answer, without waiting for the
   * missing heartbeat to tell.
   */
  onConnectionLost(onLost: () => void): void {
    this.lostListeners.push(onLost);
    onConnectionLost(this.client, onLost);
    if (this.subscriber) onConnectionLost(this.subscriber, onLost);
  }

  onError(onError: (error: Error) => void): void {
    this.client.on('error', onError);
  }

  rateLimitBackend(): RateLimitBackend {
    return { redis: this.client, nameSpace: `${this.prefix}rl:` };
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.client.disconnect();
  }

  private sessionKey(hash: string): string {
    return `${this.prefix}sess:${hash}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}usess:${userId}`;
  }

  private valueKey(key: string): string {
    return `${this.prefix}v:${key}`;
  }

  private challengeKey(key: string): string {
    return `${this.prefix}ch:${key}`;
  }

  private setKey(key: string): string {
    return `${this.prefix}set:${key}`;
  }

  /** Runs a script by its SHA, loading it once when Redis does not know it yet. */
  private async run(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    let sha = this.shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      this.shas.set(script, sha);
    }
    try {
      return await this.client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script, keys.length, ...keys, ...args);
    }
  }
}
