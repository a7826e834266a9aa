import { createHash, randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../ports/key-value-store.ts';

/** A passwordless login in progress: the typed ID, bound to one browser by a cookie. */
export interface LoginFlow {
  /** Store key part and the plugin's flow ID; the cookie value itself is never stored. */
  readonly hash: string;
  readonly userId: string;
}

/**
 * Passwordless logins start with an ID and no session. The flow cookie (256 random bits)
 * ties the push transaction, the wait page's polling and the final POST to this browser,
 * so tokens released for one browser cannot be collected by another.
 */
export class LoginFlows {
  private readonly store: KeyValueStore;
  private readonly ttlMs: number;

  constructor(store: KeyValueStore, ttlMs: number) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  async begin(userId: string): Promise<LoginFlow & { token: string }> {
    const token = randomBytes(32).toString('base64url');
    const hash = flowHash(token);
    await this.store.put(`flow:${hash}`, JSON.stringify({ userId }), this.ttlMs);
    return { token, hash, userId };
  }

  async read(token: string | undefined): Promise<LoginFlow | null> {
    if (!token || token.length !== 43) return null;
    const hash = flowHash(token);
    const raw = await this.store.read(`flow:${hash}`);
    if (raw === null) return null;
    const { userId } = JSON.parse(raw) as { userId: string };
    return { hash, userId };
  }

  async end(flow: LoginFlow): Promise<void> {
    await this.store.remove(`flow:${flow.hash}`);
  }
}

function flowHash(token: string): string {
  return `f_${createHash('sha256').update(token).digest('base64url')}`;
}
