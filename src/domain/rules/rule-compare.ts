import { requiredPaths } from './decide.ts';
import { formatPrincipal } from './parse-principals.ts';
import type { AccessRule, MethodCatalogue, Principal } from './types.ts';

/** Which part of a rule asks less than the rule it replaces. */
export type WeakerAspect = 'allow' | 'deny' | 'methods';

/** What `rule` lets through that `parent` would not (principals compared as written). */
export function weakerAspects(
  rule: AccessRule,
  parent: AccessRule,
  catalogue: MethodCatalogue,
): WeakerAspect[] {
  const aspects: WeakerAspect[] = [];
  const parentAllow = parent.allow;
  if (parentAllow !== 'all' && (rule.allow === 'all' || rule.allow.some((p) => !includes(parentAllow, p))))
    aspects.push('allow');
  if (parent.deny.some((p) => !includes(rule.deny, p))) aspects.push('deny');
  const parentPaths = requiredPaths(parent.methods, catalogue);
  const rulePaths = requiredPaths(rule.methods, catalogue);
  // Weaker when some way of passing the rule satisfies no way of passing the parent.
  if (rulePaths.some((path) => !parentPaths.some((p) => p.every((method) => path.includes(method)))))
    aspects.push('methods');
  return aspects;
}

/** Whether a principal list names `principal` (as written). */
export function includes(list: readonly Principal[], principal: Principal): boolean {
  const key = formatPrincipal(principal);
  return list.some((p) => formatPrincipal(p) === key);
}
