import type { Networks } from '../../domain/networks.ts';
import type { FastifyRequest } from 'fastify';
import { withBuiltinRules, ADMIN_PREFIX } from '../../core/rule-engine.ts';
import { SekishoError } from '../../domain/errors.ts';
import { isPermitted, locateRule } from '../../domain/rules/decide.ts';
import { ruleKey } from '../../domain/rules/parse-rule.ts';
import { compileRuleSet, type RuleSet } from '../../domain/rules/rule-set.ts';
import type { AccessRule, MethodCatalogue } from '../../domain/rules/types.ts';
import type { AdminDeps } from './deps.ts';
import { actorOf } from './console-session.ts';
import { fill } from '../../web/i18n/catalogue.ts';
import { adminMessages } from './messages.ts';

/** A change about to be made to the stored rules. */
export type RuleChange =
  | { readonly kind: 'set'; readonly rule: AccessRule }
  | {
      readonly kind: 'remove';
      readonly host: string | null;
      readonly prefix: string;
      /** The removed rule's `from=` network as written; null or absent: the rule for every client. */
      readonly from?: string | null;
    };

/** Whether the acting admin could still open the console after a change, and if not why. */
export type ConsoleAccess =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'bypass' | 'forbidden' | 'none' };

/**
 * The console refuses a rule change that would lock out the admin making it (a BYPASS, a
 * list without them, a host rule that no longer admits them). Only the principals are
 * checked: whether they can prove the methods is theirs to know. The CLI can still do it.
 * `rules` are those in force (stored, parsed, with the built-in default).
 */
export function consoleAccessAfter(
  rules: readonly AccessRule[],
  change: RuleChange,
  admin: { readonly userId: string; readonly groups: readonly string[] },
  host: string | null,
  catalogue: MethodCatalogue,
  where: { readonly networks?: Networks; readonly client?: string | null } = {},
): ConsoleAccess {
  const changedKey = change.kind === 'set' ? ruleKey(change.rule) : ruleKey(change);
  const after = rules.filter((rule) => ruleKey(rule) !== changedKey);
  if (change.kind === 'set') after.push(change.rule);
  // Removing the stored console rule brings the built-in default back.
  const ruleSet = compileRuleSet(withBuiltinRules(after, catalogue), where.networks);
  return consoleAccessIn(ruleSet, admin, host, where.client ?? null);
}

/**
 * Whether this admin (with these groups) may open the console under these compiled rules (the
 * built-in default included), for the host and address they use.
 */
export function consoleAccessIn(
  ruleSet: RuleSet,
  admin: { readonly userId: string; readonly groups: readonly string[] },
  host: string | null,
  client: string | null,
): ConsoleAccess {
  // The admin's own address too: a rule kept to the intranet must not lock out an admin outside it.
  const located = locateRule(ruleSet, { host, rawPath: ADMIN_PREFIX, client });
  if (located.kind === 'bypass') return { ok: false, reason: 'bypass' };
  if (located.kind !== 'located') return { ok: false, reason: 'none' };
  return isPermitted(located.rule, admin) ? { ok: true } : { ok: false, reason: 'forbidden' };
}

/**
 * Throws a refusal when an admin's change to their own groups would take the console away from
 * them (removing `admins`, or the group the console's rule names), judged by the rules in force
 * (`ruleSet`, as loadStoredRules compiled them) for the host and address they use now. Another
 * admin can still make that change for them.
 */
export function guardOwnGroups(request: FastifyRequest, ruleSet: RuleSet, groups: readonly string[]) {
  const admin = { userId: actorOf(request).id, groups };
  const access = consoleAccessIn(ruleSet, admin, request.headers.host ?? null, request.ip);
  if (access.ok) return;
  const a = adminMessages(request);
  throw new SekishoError(
    'SEKISHO_ERR_USAGE',
    fill(a.user.ownConsoleAccess, { reason: a.lockoutReason[access.reason] }),
  );
}

/**
 * Throws a refusal (shown like a bad rule) when the change would lock the acting admin out of
 * the console: for the host they use now, with their groups as the auth DB has them. `rules`
 * are the rules in force as the route read them (loadStoredRules), so the list is read once.
 */
export async function guardConsoleAccess(
  gateway: AdminDeps,
  request: FastifyRequest,
  rules: readonly AccessRule[],
  change: RuleChange,
) {
  const actor = actorOf(request);
  const user = await gateway.users.find(actor.id);
  const groups = user?.groups ?? request.gatewaySession?.data.groups ?? [];
  const host = request.headers.host ?? null;
  const access = consoleAccessAfter(rules, change, { userId: actor.id, groups }, host, gateway.catalogue, {
    networks: gateway.rules.networks,
    client: request.ip,
  });
  if (access.ok) return;
  const a = adminMessages(request);
  throw new SekishoError(
    'SEKISHO_ERR_RULE_INVALID',
    fill(a.lockout, { reason: a.lockoutReason[access.reason] }),
  );
}
