/**
 * What the many-users benchmark puts in the bench gateway's schema and key prefix (from its own
 * process, bench/seed-worker.ts, so that the writing does not swell the gateway's heap): a large
 * rule set (the benchmark's rule among them), users who log in through the real form, and many
 * other live sessions in Redis, each written through the production repository or store adapter
 * so that they have exactly the production format.
 */
import { hashToken } from '../src/core/session-token.ts';
import type { Networks } from '../src/domain/networks.ts';
import { parseRule } from '../src/domain/rules/parse-rule.ts';
import type { AccessRule, MethodCatalogue } from '../src/domain/rules/types.ts';
import type { Clock } from '../src/ports/clock.ts';
import type { PasswordHasher } from '../src/ports/password-hasher.ts';
import type { RuleRepository } from '../src/ports/rules.ts';
import type { SessionStore } from '../src/ports/session-store.ts';
import type { UserRepository } from '../src/ports/users.ts';

/** The team whose prefix the benchmark requests (`/app/team0042/…`). */
export const BENCH_TEAM = 42;

/** The path every request of the many-users suite asks for, matched by `/app/team0042/`. */
export const BENCH_PATH = `/app/${team(BENCH_TEAM)}/docs/2026/report.html?view=summary`;

function team(i: number): string {
  return `team${String(i).padStart(4, '0')}`;
}

/**
 * `count` rules in the mix of a large intranet: one prefix per team for its group and the
 * staff, a private area per team with a deny list, host rules on a fifth of the teams, a home
 * per user and some BYPASS paths. `/app/team0042/` (for `@staff`) is among them, with a host rule
 * at the same prefix, so the benchmark's request also pays for the Host being looked at.
 */
export function benchRuleLines(count: number): string[] {
  const lines: string[] = [];
  const teams = Math.max(BENCH_TEAM + 1, Math.floor(count * 0.4));
  for (let i = 0; i < teams && lines.length < count; i++) {
    lines.push(`/app/${team(i)}/=@staff,@${team(i)};;`);
    if (i % 5 === 2) lines.push(`http://h${i % 50}.intra.example/app/${team(i)}/=@${team(i)};;`);
    if (i % 2 === 0) lines.push(`/app/${team(i)}/private/=@${team(i)};@contractors;`);
  }
  for (let i = 0; lines.length < count; i++) {
    lines.push(i % 4 === 3 ? `/pub/p${i}/=ALL;;BYPASS` : `/home/u${i}/=u${i};;`);
  }
  return lines.slice(0, count);
}

/** Saves the rules through the rule repository in one transaction. */
export async function seedRules(
  deps: { ruleRepository: RuleRepository; catalogue: MethodCatalogue; networks: Networks },
  lines: readonly string[],
): Promise<void> {
  const rules: AccessRule[] = [];
  for (const line of lines) {
    const parsed = parseRule(line, deps.catalogue, deps.networks);
    if (!parsed.ok) throw new Error(`bench rule ${line}: ${parsed.field}: ${parsed.message}`);
    rules.push(parsed.rule);
  }
  await deps.ruleRepository.saveAll(rules, 'bench', false);
}

/** The IDs of the seeded users who log in. */
export function benchUserIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
}

/**
 * `count` users `bench-0000`… in the group `staff`, all with `password` (hashed once: these
 * users exist to log in, and 1,000 hashes would only time the KDF).
 */
export async function seedUsers(
  deps: { users: UserRepository; hasher: PasswordHasher },
  count: number,
  password: string,
): Promise<string[]> {
  await deps.users.createGroup('staff');
  const passwordHash = await deps.hasher.hash(password);
  const ids = benchUserIds(count);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map((id) =>
        deps.users.create({
          id,
          displayName: id,
          passwordHash,
          phone: null,
          email: null,
          groups: ['staff'],
        }),
      ),
    );
  }
  return ids;
}

/**
 * `count` live sessions of other users (four per user, as with a phone and a PC or two), written
 * through the session store adapter in batches of concurrent writes (one pipeline each).
 */
export async function seedSessions(
  deps: { store: SessionStore; clock: Clock; idleMs: number; absoluteMs: number },
  count: number,
): Promise<void> {
  const { store, clock, idleMs, absoluteMs } = deps;
  const batch = 500;
  for (let i = 0; i < count; i += batch) {
    const now = clock.now();
    const touch = { now, idleMs, ttlMs: idleMs, indexTtlMs: absoluteMs };
    const write = () =>
      Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, (_, j) => {
          const n = i + j;
          const session = {
            userId: `other-${Math.floor(n / 4)}`,
            groups: ['staff', team(n % 4000)],
            proven: ['password'],
            provenAt: { password: now },
            createdAt: now,
            authenticatedAt: now,
            ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            userAgent:
              'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
          };
          return store.createSession(hashToken(`other-session-${n}`), session, touch);
        }),
      );
    // On a busy machine a batch can outlast the command timeout; writing it again is harmless
    // (the same keys, by a hash of the session's number).
    await write().catch(write);
  }
}
