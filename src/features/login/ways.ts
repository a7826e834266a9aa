/**
 * The ways a rule can still be satisfied, as the chooser and the problem pages offer them: each
 * way is the methods left to prove, in order (`SMSOTP|MAMORU` before any proof: password then
 * SMSOTP, or MAMORU), named by what it needs. Before the first proof nothing about the user is
 * known or shown; after it, each way says what the user has (the masked phone) or has not.
 */
import type { FastifyRequest } from 'fastify';
import type { ActiveSession } from '../../core/session-service.ts';
import { PASSWORD, requiredPaths } from '../../domain/rules/decide.ts';
import type { PluginUser } from '../../plugin-api.ts';
import type { LoginDeps } from './deps.ts';
import { decisionFor } from './mfa-step.ts';
import { messagesFor, pickLocale } from '../../web/i18n.ts';

/** One way on: the methods left, what it is called, and whether the user can take it. */
export interface WayChoice {
  /** The methods left, joined by `,`: what the chooser posts as `way`. */
  readonly value: string;
  readonly methods: readonly string[];
  readonly label: string;
  /** Why the user cannot take it (nothing of the kind is registered), or null. */
  readonly unavailable: string | null;
}

/**
 * The ways still open for `next`, one per method that could come next (the shortest way starting
 * with it), or null when the session may go there now.
 */
export function remainingWays(
  gateway: LoginDeps,
  request: FastifyRequest,
  session: ActiveSession | null,
  next: string,
): string[][] | null {
  const decision = decisionFor(gateway, request, session, next);
  if (decision.kind !== 'authenticate') return null;
  const proven = session?.data.proven ?? [];
  const left = requiredPaths(decision.rule.methods, gateway.catalogue)
    .map((path) => path.filter((method) => !proven.includes(method)))
    .sort((a, b) => a.length - b.length);
  // A method the expansion does not show first (a `newdevice=` extra, a stale `reauth=` proof) stands alone.
  return decision.next.map((first) => left.find((way) => way[0] === first) ?? [first]);
}

/**
 * Each way named by what it needs (「パスワード＋SMS認証コード」). With `user` (the session has proven
 * who they are) the next method says what the user holds (「SMS認証コード（090-****-5678）」) or that
 * nothing is registered.
 */
export async function describeWays(
  gateway: LoginDeps,
  request: FastifyRequest,
  ways: readonly (readonly string[])[],
  user: PluginUser | null,
): Promise<WayChoice[]> {
  const locale = pickLocale(request);
  const t = messagesFor(locale).steps;
  return Promise.all(
    ways.map(async (methods) => {
      const names = methods.map((method) => methodLabel(gateway, method, request));
      const held = user && methods[0] ? await holdings(gateway, methods[0], user, locale) : null;
      if (held?.detail && names.length > 0)
        names[0] = `${names[0]}${t.detailOpen}${held.detail}${t.detailClose}`;
      return {
        value: methods.join(','),
        methods,
        label: names.join(t.plus),
        unavailable: held?.none ? t.notRegistered : null,
      };
    }),
  );
}

/** What the user holds of a method that keeps credentials: nothing, or what to show of the first. */
async function holdings(
  gateway: LoginDeps,
  method: string,
  user: PluginUser,
  locale: 'ja' | 'en',
): Promise<{ none: boolean; detail: string | null } | null> {
  const credentials = gateway.methods.get(method)?.method.credentials;
  if (!credentials) return null;
  const listed = await credentials.list(user, locale);
  return { none: listed.length === 0, detail: listed[0]?.detail ?? null };
}

/** A method's name as the user knows it; the password is the core's. */
export function methodLabel(gateway: LoginDeps, name: string, request: FastifyRequest): string {
  const locale = pickLocale(request);
  if (name === PASSWORD) return messagesFor(locale).steps.password;
  return gateway.methods.get(name)?.plugin.messages[locale].methodName ?? name;
}
