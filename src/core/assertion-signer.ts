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
  /** Where in its window each token is signed again, in [0, 1) (tests pass their own). */
  readonly spread?: () => number;
}

interface CachedToken {
  readonly token: string;
  /** Reused until then (ms): half its lifetime, so a backend always gets one with time left. */
  readonly reuseUntil: number;
  /**
   * From then on (ms; spread per token between a quarter and seven sixteenths of its lifetime) a
   * request that takes it also starts its successor in the background.
   */
  readonly renewFrom: number;
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
 *
 * A token in use is signed again ahead of time, in the background, at a point spread over most of
 * the second quarter of its lifetime: requests of a busy session never wait for a signature after its
 * first, and the sessions that started together (a restart, a key rotation, a benchmark's logins)
 * do not all need a new one in the same second: 1,000 signatures at once are ~0.1 s of a core,
 * which the requests waiting on them would feel every half lifetime (docs/benchmarks.md).
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
    let entry = this.bySession.get(identity)?.get(audience);
    if (!entry || now >= entry.reuseUntil) {
      entry = this.tokens.get(cacheKey(identity, audience));
      if (!entry || now >= entry.reuseUntil) return undefined;
      this.hold(identity, audience, entry);
    }
    if (now >= entry.renewFrom) this.renew(identity, audience);
    return entry.token;
  }

  /** Signs the successor of a token still in use, once, with no request waiting on it. */
  private renew(identity: AssertedIdentity, audience: string): void {
    const key = cacheKey(identity, audience);
    if (this.signing.has(key)) return;
    this.signShared(identity, audience, key).catch((error: unknown) =>
      // The held token serves until it is due; a request then signs, and fails, on its own.
      this.deps.log.warn(
        { err: error },
        'assertion could not be signed ahead; the held one serves until due',
      ),
    );
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
    return this.signShared(identity, audience, cacheKey(identity, audience));
  }

  /** One signature per key at a time: requests (and a renewal) that need it meanwhile share it. */
  private signShared(identity: AssertedIdentity, audience: string, key: string): Promise<string> {
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

  /** Settles when the signatures under way (renewals included) have ended, each either way. */
  async signed(): Promise<void> {
    await Promise.allSettled([...this.signing.values()]);
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
    const lifetimeMs = this.deps.lifetimeSeconds * 1000;
    const spread = (this.deps.spread ?? Math.random)();
    const entry = {
      token,
      reuseUntil: iat * 1000 + lifetimeMs / 2,
      // A quarter of the lifetime, plus up to three quarters of the next quarter: the last
      // eighth is left for a request to come and find the renewal due.
      renewFrom: iat * 1000 + (lifetimeMs / 4) * (1 + 0.75 * spread),
    };
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
