import type { Principal, ProvenIdentity } from './types.ts';

/** Result of parsing an allow or deny field. */
export type PrincipalsResult<T> = { ok: true; value: T } | { ok: false; message: string };

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/** Parses the allow field: `ALL` or a principal list. Empty is an error so nobody allows by accident. */
export function parseAllow(text: string): PrincipalsResult<'all' | readonly Principal[]> {
  if (text === '') return fail('empty; use ALL to allow everyone');
  if (text.toUpperCase() === 'ALL') return { ok: true, value: 'all' };
  return parsePrincipalList(text);
}

/** Parses the deny field: empty or a principal list. */
export function parseDeny(text: string): PrincipalsResult<readonly Principal[]> {
  if (text === '') return { ok: true, value: [] };
  return parsePrincipalList(text);
}

/** Parses a comma list of user IDs and `@group` names; whitespace around commas is allowed. */
export function parsePrincipalList(text: string): PrincipalsResult<readonly Principal[]> {
  const principals: Principal[] = [];
  const seen = new Set<string>();
  for (const rawItem of text.split(',')) {
    const parsed = parsePrincipal(rawItem.trim());
    if (!parsed.ok) return parsed;
    const key = formatPrincipal(parsed.value);
    if (seen.has(key)) return fail(`duplicate entry "${key}"`);
    seen.add(key);
    principals.push(parsed.value);
  }
  return { ok: true, value: principals };
}

function parsePrincipal(item: string): PrincipalsResult<Principal> {
  if (item === '') return fail('empty entry (check for ",," or a stray ",")');
  // ALL is a keyword; as a list item it would silently mean a user called "ALL".
  if (item.toUpperCase() === 'ALL') return fail('"ALL" cannot be combined with other entries');
  if (item.startsWith('@')) {
    const name = item.slice(1);
    if (name === '') return fail('"@" without a group name');
    if (!GROUP_NAME.test(name)) return fail(`invalid group name "${item}"`);
    return { ok: true, value: { kind: 'group', name } };
  }
  if (!USER_ID.test(item)) return fail(`invalid user ID "${item}"`);
  return { ok: true, value: { kind: 'user', id: item } };
}

/** The rule-syntax form of a principal: `taro` or `@keiri`. */
export function formatPrincipal(principal: Principal): string {
  return principal.kind === 'user' ? principal.id : `@${principal.name}`;
}

/** The rule-syntax form of an allow or deny field: `ALL`, `@keiri,taro`, or empty for none. */
export function formatPrincipals(list: 'all' | readonly Principal[]): string {
  return list === 'all' ? 'ALL' : list.map(formatPrincipal).join(',');
}

/** The first principal in `list` naming this user or one of its groups (exact, case-sensitive). */
export function findPrincipal(
  list: readonly Principal[],
  identity: Pick<ProvenIdentity, 'userId' | 'groups'>,
): Principal | undefined {
  return list.find((p) => (p.kind === 'user' ? p.id === identity.userId : identity.groups.includes(p.name)));
}
