import { readFileSync } from 'node:fs';
import { explainAccess, requiredPaths } from '../../domain/rules/decide.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import { compileRuleSet } from '../../domain/rules/rule-set.ts';
import type { AccessRule } from '../../domain/rules/types.ts';
import { SekishoError } from '../../domain/errors.ts';
import { buildCatalogue } from '../../core/method-catalogue.ts';
import { methodInfos } from '../../plugins-registry.ts';
import { flag, one, parseInvocation, usageError } from '../args.ts';
import { openCliContext, type CliContext } from '../context.ts';

/** `sekisho rule set|del|list|import|export|explain|history`. */
export async function ruleCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const inv = parseInvocation(rest, {
    replace: { type: 'boolean' },
    user: { type: 'string' },
    host: { type: 'string' },
  });
  const context = await openCliContext(flag(inv, 'config'));
  try {
    switch (sub) {
      case 'set': {
        const rule = await context.admin.setRule(one(inv, 'rule line'), 'cli');
        return console.log(`rule set: ${rule.line}`);
      }
      case 'del':
        await context.admin.deleteRule(one(inv, 'path prefix'), 'cli');
        return console.log('rule deleted');
      case 'list':
      case 'export':
        return await listRules(context, sub === 'list');
      case 'import': {
        const file = one(inv, 'file');
        const count = await context.admin.importRules(
          readFileSync(file, 'utf8'),
          'cli',
          Boolean(inv.flags.replace),
        );
        return console.log(
          `${count} rules imported${inv.flags.replace ? '; rules not in the file were deleted' : ''}`,
        );
      }
      case 'explain':
        return await explain(context, one(inv, 'path'), flag(inv, 'user'), flag(inv, 'host'));
      case 'history':
        for (const entry of await context.rules.history(50)) {
          const what = entry.line ?? `(deleted ${entry.host ? `http://${entry.host}` : ''}${entry.prefix})`;
          console.log(`${entry.version}\t${entry.changedAt.toISOString()}\t${entry.changedBy}\t${what}`);
        }
        return;
      default:
        throw usageError('usage: sekisho rule set|del|list|import|export|explain|history …');
    }
  } finally {
    await context.close();
  }
}

async function loadRules(context: CliContext): Promise<AccessRule[]> {
  const catalogue = buildCatalogue(methodInfos(context.config));
  const rules: AccessRule[] = [];
  for (const stored of await context.rules.list()) {
    const parsed = parseRule(stored.line, catalogue);
    if (!parsed.ok)
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `stored rule ${stored.line}: ${parsed.message}`);
    rules.push(parsed.rule);
  }
  return rules;
}

/** `list` shows the evaluation order with who changed what; `export` prints an importable file. */
async function listRules(context: CliContext, verbose: boolean): Promise<void> {
  const stored = new Map((await context.rules.list()).map((r) => [r.line, r]));
  const ordered = compileRuleSet(await loadRules(context)).rules;
  if (!verbose) console.log(`# sekisho rules, exported ${new Date().toISOString()}`);
  for (const rule of ordered) {
    const meta = stored.get(rule.line);
    console.log(
      verbose && meta
        ? `${rule.line}\t# v${meta.version} ${meta.changedBy} ${meta.changedAt.toISOString()}`
        : rule.line,
    );
  }
}

async function explain(
  context: CliContext,
  path: string,
  userId: string | undefined,
  host: string | undefined,
) {
  const catalogue = buildCatalogue(methodInfos(context.config));
  const ruleSet = compileRuleSet(await loadRules(context));
  const user = userId ? await context.users.find(userId) : null;
  if (userId && !user) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${userId}`);
  const request = { host: host ?? null, rawPath: path };
  const anonymous = explainAccess(ruleSet, request, null, catalogue);
  for (const line of anonymous.lines) console.log(line);
  if (!user) return;
  const rule = anonymous.decision.kind === 'authenticate' ? anonymous.decision.rule : null;
  const fullyProven = rule ? (requiredPaths(rule.methods, catalogue)[0] ?? []) : [];
  const asUser = explainAccess(
    ruleSet,
    request,
    { userId: user.id, groups: user.groups, proven: fullyProven },
    catalogue,
  );
  console.log(
    `as ${user.id} (groups: ${user.groups.join(',') || '-'}) after proving ${fullyProven.join(',') || 'nothing'}:`,
  );
  for (const line of asUser.lines.slice(2)) console.log(`  ${line}`);
  if (user.locked) console.log('  note: the user is locked and cannot log in');
}
