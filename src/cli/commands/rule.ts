import { readFileSync } from 'node:fs';
import { explainForUser, formatUserExplanation } from '../../domain/rules/explain-user.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import { compileRuleSet } from '../../domain/rules/rule-set.ts';
import { compileNetworks, parseAddress } from '../../domain/networks.ts';
import { parseDuration } from '../../domain/rules/parse-options.ts';
import type { AccessRule } from '../../domain/rules/types.ts';
import { SekishoError } from '../../domain/errors.ts';
import { buildCatalogue } from '../../core/method-catalogue.ts';
import { withBuiltinRules } from '../../core/rule-engine.ts';
import { methodInfos } from '../../plugins-registry.ts';
import { flag, one, parseInvocation, usageError } from '../args.ts';
import { openCliContext, type CliContext } from '../context.ts';
import type { RollbackResult } from '../../core/admin-service.ts';

/**
 * `sekisho rule set|del|list|import|export|explain|history|rollback`. Changes are made in the name
 * of `cli:<OS user>` (the history's "who", as the audit trail's actor).
 */
export async function ruleCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const inv = parseInvocation(rest, {
    replace: { type: 'boolean' },
    'allow-unknown': { type: 'boolean' },
    user: { type: 'string' },
    host: { type: 'string' },
    from: { type: 'string' },
    client: { type: 'string' },
    age: { type: 'string' },
  });
  const context = await openCliContext(flag(inv, 'config'));
  // A user or group the auth DB does not know is refused unless the admin says it is meant.
  const unknownPrincipals = inv.flags['allow-unknown'] ? 'allow' : 'refuse';
  try {
    switch (sub) {
      case 'set': {
        const rule = await context.admin.setRule(one(inv, 'rule line'), context.actor, { unknownPrincipals });
        return console.log(`rule set: ${rule.line}`);
      }
      case 'del':
        await context.admin.deleteRule(one(inv, 'path prefix'), context.actor, {
          from: flag(inv, 'from') ?? null,
        });
        return console.log('rule deleted');
      case 'list':
      case 'export':
        return await listRules(context, sub === 'list');
      case 'import': {
        const file = one(inv, 'file');
        const count = await context.admin.importRules(
          readFileSync(file, 'utf8'),
          context.actor,
          Boolean(inv.flags.replace),
          { unknownPrincipals },
        );
        return console.log(
          `${count} rules imported${inv.flags.replace ? '; rules not in the file were deleted' : ''}`,
        );
      }
      case 'explain':
        return await explain(context, one(inv, 'path'), {
          userId: flag(inv, 'user'),
          host: flag(inv, 'host'),
          client: flag(inv, 'client'),
          age: flag(inv, 'age'),
        });
      case 'rollback': {
        const version = one(inv, 'version');
        if (!/^[1-9][0-9]{0,15}$/.test(version)) throw usageError('usage: sekisho rule rollback <version>');
        const result = await context.admin.rollbackRule(Number(version), context.actor);
        return console.log(rollbackMessage(result));
      }
      case 'history':
        for (const entry of await context.rules.history(50)) {
          const from = entry.from === null ? '' : ` from=${entry.from}`;
          const what =
            entry.line ?? `(deleted ${entry.host ? `http://${entry.host}` : ''}${entry.prefix}${from})`;
          console.log(`${entry.version}\t${entry.changedAt.toISOString()}\t${entry.changedBy}\t${what}`);
        }
        return;
      default:
        throw usageError('usage: sekisho rule set|del|list|import|export|explain|history|rollback …');
    }
  } finally {
    await context.close();
  }
}

function rollbackMessage(result: RollbackResult): string {
  switch (result.kind) {
    case 'restored':
      return `rule restored: ${result.line}`;
    case 'deleted':
      return `rule deleted: ${result.prefix} (it did not exist at that version)`;
    case 'unchanged':
      return 'nothing to roll back: the rule is already as it was at that version';
  }
}

async function loadRules(context: CliContext): Promise<AccessRule[]> {
  const catalogue = buildCatalogue(methodInfos(context.config));
  const rules: AccessRule[] = [];
  for (const stored of await context.rules.list()) {
    const parsed = parseRule(stored.line, catalogue, compileNetworks(context.config.networks));
    if (!parsed.ok)
      throw new SekishoError('SEKISHO_ERR_RULE_INVALID', `stored rule ${stored.line}: ${parsed.message}`);
    rules.push(parsed.rule);
  }
  return rules;
}

/**
 * `list` shows the evaluation order with who changed what, and the console's built-in default
 * rule where no stored rule replaces it (as the console lists it); `export` prints an importable
 * file of the stored rules only.
 */
async function listRules(context: CliContext, verbose: boolean): Promise<void> {
  const stored = new Map((await context.rules.list()).map((r) => [r.line, r]));
  const loaded = await loadRules(context);
  const inForce = verbose ? withBuiltinRules(loaded, buildCatalogue(methodInfos(context.config))) : loaded;
  const ordered = compileRuleSet(inForce, compileNetworks(context.config.networks)).rules;
  if (!verbose) console.log(`# sekisho rules, exported ${new Date().toISOString()}`);
  for (const rule of ordered) {
    const meta = stored.get(rule.line);
    if (!verbose) console.log(rule.line);
    else if (meta)
      console.log(`${rule.line}\t# v${meta.version} ${meta.changedBy} ${meta.changedAt.toISOString()}`);
    else console.log(`${rule.line}\t# built-in default (not stored; rule set replaces it)`);
  }
}

interface ExplainFlags {
  readonly userId: string | undefined;
  readonly host: string | undefined;
  /** `--client ADDRESS`: the client's address, which `from=` rules are judged on. */
  readonly client: string | undefined;
  /** `--age DURATION`: how long ago the user proved the rule's methods (`reauth=` is judged on it). */
  readonly age: string | undefined;
}

async function explain(context: CliContext, path: string, flags: ExplainFlags) {
  const catalogue = buildCatalogue(methodInfos(context.config));
  const networks = compileNetworks(context.config.networks);
  const ruleSet = compileRuleSet(await loadRules(context), networks);
  if (flags.client !== undefined && parseAddress(flags.client) === null)
    throw usageError(`--client: "${flags.client}" is not an IPv4 or IPv6 address`);
  const user = flags.userId ? await context.users.find(flags.userId) : null;
  if (flags.userId && !user) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${flags.userId}`);
  // Without --client the address is unknown, and no from= rule applies.
  const request = {
    host: flags.host ?? null,
    rawPath: path,
    ...(flags.client ? { client: flags.client } : {}),
  };
  const now = Date.now();
  const explained = explainForUser(ruleSet, request, user, catalogue, {
    now,
    networks,
    provenAgoMs: ageMs(flags.age),
  });
  for (const line of formatUserExplanation(explained)) console.log(line);
}

/** `--age 20m` in ms, written like `reauth=`; absent: proven just now. */
function ageMs(age: string | undefined): number {
  if (age === undefined) return 0;
  const duration = parseDuration(age);
  if (!duration) throw usageError(`--age: "${age}" is not a duration (90s, 15m, 8h)`);
  return duration.seconds * 1000;
}
