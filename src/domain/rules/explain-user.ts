import {
  explainAccess,
  requiredPaths,
  type AccessExplanation,
  type AccessRequest,
  type ExplainContext,
} from './decide.ts';
import type { RuleSet } from './rule-set.ts';
import type { MethodCatalogue } from './types.ts';

/** The user an explanation is for: who they are and which groups they are in now. */
export interface ExplainedUser {
  readonly id: string;
  readonly groups: readonly string[];
  readonly locked: boolean;
}

/** Why a request is decided as it is: first with no session, then as the user after proving enough. */
export interface UserExplanation {
  readonly anonymous: AccessExplanation;
  readonly asUser: {
    readonly user: ExplainedUser;
    /** The methods assumed proven: the rule's first way of passing. */
    readonly proving: readonly string[];
    readonly explanation: AccessExplanation;
  } | null;
}

/**
 * "What does this user need at this path, and which rule decides?" — shared by
 * `sekisho rule explain` and the admin console.
 */
export function explainForUser(
  ruleSet: RuleSet,
  request: AccessRequest,
  user: ExplainedUser | null,
  catalogue: MethodCatalogue,
  context: ExplainContext & {
    /** How long ago the assumed proof was made (ms; 0: just now), to judge `reauth=`. */
    readonly provenAgoMs?: number;
  },
): UserExplanation {
  const anonymous = explainAccess(ruleSet, request, null, catalogue, context);
  if (!user) return { anonymous, asUser: null };
  const rule = anonymous.decision.kind === 'authenticate' ? anonymous.decision.rule : null;
  const proving = rule ? (requiredPaths(rule.methods, catalogue)[0] ?? []) : [];
  const provedAt = context.now - (context.provenAgoMs ?? 0);
  const provenAt = Object.fromEntries(proving.map((method) => [method, provedAt]));
  const identity = { userId: user.id, groups: user.groups, proven: proving, provenAt };
  return {
    anonymous,
    asUser: { user, proving, explanation: explainAccess(ruleSet, request, identity, catalogue, context) },
  };
}

/** The explanation as text lines, the way the CLI prints it. */
export function formatUserExplanation(explained: UserExplanation): string[] {
  const lines = [...explained.anonymous.lines];
  const { asUser } = explained;
  if (!asUser) return lines;
  const { user, proving, explanation } = asUser;
  lines.push(
    `as ${user.id} (groups: ${user.groups.join(',') || '-'}) after proving ${proving.join(',') || 'nothing'}:`,
  );
  // The leading lines (path, client, rule, network) repeat the anonymous explanation.
  let shared = 0;
  while (shared < explanation.lines.length && explanation.lines[shared] === explained.anonymous.lines[shared])
    shared += 1;
  lines.push(...explanation.lines.slice(shared).map((line) => `  ${line}`));
  if (user.locked) lines.push('  note: the user is locked and cannot log in');
  return lines;
}
