import { SignJWT, type JWK } from 'jose';
import type { Logger } from 'pino';
import { authenticationMethods } from '../domain/amr.ts';
import type { Clock } from '../ports/clock.ts';
import type { StoredSession } from '../ports/session-store.ts';
import type { AssertionKeySet } from './assertion-keys.ts';

/** What an assertion says of a session: who, in which groups, having proven what, when. */
export type AssertedIdentity = Pick<
  StoredSession,
  'userId' | 'groups' | 'proven' | 'authenticatedAt' | 'amr'
>;

export interface AssertionSignerDeps {
  /** `iss`: the gateway's public origin. */
  readonly issuer: string;
  /** `exp - iat`, seconds. */
  readonly lifetimeSeconds: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Loads the signing key and the published keys (again on every {@link AssertionSigner.refresh}). */
  readonly loadKeys: () => Promise<AssertionKeySet>;
}

interface CachedToken {
  readonly token: string;
  /** Reused until then (ms): half its lifetime, so a backend always gets one with time left. */
  readonly reuseUntil: number;
}

/** Tokens kept at most; a full cache starts again (each entry lives seconds anyway). */
const maxCached = 20_000;
/** How often running gateways read the keys again (a `keys rotate` reaches them within this). */
export const keyRefreshMs = 30_000;

/**
 * Signs the identity assertion (ES256 JWT) for a session and an audience. A signature costs
 * 70–110 µs of CPU and a thread-pool round trip, a cached token under 1 µs (bench/assertion-sign.ts,
 * docs/benchmarks.md), so a token is signed once per identity, proof and audience and reused for
 * half its lifetime: a request with a fresh token
 * takes it without I/O ({@link cached}); concurrent misses share one signature.
 */
export class AssertionSigner {
  private keys: AssertionKeySet;
  private readonly deps: AssertionSignerDeps;
  private readonly tokens = new Map<string, CachedToken>();
  // The session cache hands every request of a session the same object for a second: a lookup by
  // that object skips building the string key on the hot path.
  private bySession = new WeakMap<AssertedIdentity, Map<string, CachedToken>>();
  private readonly signing = new Map<string, Promise<string>>();
  private timer: NodeJS.Timeout | null = null;

  private constructor(deps: AssertionSignerDeps, keys: AssertionKeySet) {
    this.deps = deps;
    this.keys = keys;
  }

  /** Loads the keys (making the first one if there is none) and refreshes them every {@link keyRefreshMs}. */
  static async start(deps: AssertionSignerDeps): Promise<AssertionSigner> {
    const signer = new AssertionSigner(deps, await deps.loadKeys());
    signer.timer = setInterval(
      () => void signer.refresh().catch((error: unknown) => signer.refreshFailed(error)),
      keyRefreshMs,
    );
    signer.timer.unref();
    return signer;
  }

  /** A token still fresh enough to reuse, without I/O; undefined: call {@link assertion}. */
  cached(identity: AssertedIdentity, audience: string): string | undefined {
    const now = this.deps.clock.now();
    const held = this.bySession.get(identity)?.get(audience);
    if (held && now < held.reuseUntil) return held.token;
    const entry = this.tokens.get(cacheKey(identity, audience));
    if (!entry || now >= entry.reuseUntil) return undefined;
    this.hold(identity, audience, entry);
    return entry.token;
  }

  private hold(identity: AssertedIdentity, audience: string, entry: CachedToken): void {
    let held = this.bySession.get(identity);
    if (!held) this.bySession.set(identity, (held = new Map()));
    held.set(audience, entry);
  }

  /** The assertion for `identity` addressed to `audience`: a fresh cached one, or a new signature. */
  assertion(identity: AssertedIdentity, audience: string): Promise<string> {
    const fresh = this.cached(identity, audience);
    if (fresh !== undefined) return Promise.resolve(fresh);
    const key = cacheKey(identity, audience);
    let pending = this.signing.get(key);
    if (!pending) {
      pending = this.sign(identity, audience, key).finally(() => this.signing.delete(key));
      this.signing.set(key, pending);
    }
    return pending;
  }

  /** The published public keys (`/_sekisho/.well-known/jwks.json`): the current one and the retired ones kept. */
  jwks(): { keys: readonly JWK[] } {
    return { keys: this.keys.published };
  }

  /** Reads the keys again; a new signing key drops the tokens signed with the old one. */
  async refresh(): Promise<void> {
    const next = await this.deps.loadKeys();
    if (next.signing.kid !== this.keys.signing.kid) {
      this.tokens.clear();
      this.bySession = new WeakMap();
    }
    this.keys = next;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sign(identity: AssertedIdentity, audience: string, key: string): Promise<string> {
    const { signing } = this.keys;
    const now = this.deps.clock.now();
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({
      groups: [...identity.groups],
      amr: authenticationMethods(identity.proven, identity.amr),
      auth_time: Math.floor(identity.authenticatedAt / 1000),
    })
      .setProtectedHeader({ alg: 'ES256', kid: signing.kid, typ: 'JWT' })
      .setIssuer(this.deps.issuer)
      .setAudience(audience)
      .setSubject(identity.userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.deps.lifetimeSeconds)
      .sign(signing.key);
    if (this.tokens.size >= maxCached) this.tokens.clear();
    // Reused for half the lifetime counted from the whole second `iat` names, never beyond.
    const entry = { token, reuseUntil: iat * 1000 + (this.deps.lifetimeSeconds * 1000) / 2 };
    this.tokens.set(key, entry);
    this.hold(identity, audience, entry);
    return token;
  }

  private refreshFailed(error: unknown): void {
    this.deps.log.warn({ err: error }, 'assertion keys could not be read again; signing with the keys held');
  }
}

/** One token per identity, proof and audience: the claims it carries, nothing else. */
function cacheKey(identity: AssertedIdentity, audience: string): string {
  const own = identity.amr ? JSON.stringify(identity.amr) : '';
  return `${audience}\n${identity.userId}\n${identity.groups.join(',')}\n${identity.proven.join(',')}\n${identity.authenticatedAt}\n${own}`;
}
