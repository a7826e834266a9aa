import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { buildCatalogue } from '../../core/method-catalogue.ts';
import { ADMIN_PREFIX, RuleEngine } from '../../core/rule-engine.ts';
import { checkConfig } from '../../doctor/config-checks.ts';
import { probePostgres, probeRedis } from '../../doctor/environment.ts';
import { PUBLIC_SECRET_DIGESTS } from '../../doctor/public-secrets.ts';
import { exitCodeFor, formatReport } from '../../doctor/report.ts';
import { checkRules } from '../../doctor/rule-checks.ts';
import { checkStoredRules } from '../../doctor/stored-rule-checks.ts';
import type { Finding } from '../../doctor/types.ts';
import { compileNetworks } from '../../domain/networks.ts';
import { parseRule } from '../../domain/rules/parse-rule.ts';
import type { Config } from '../../config/schema.ts';
import type { MethodCatalogue } from '../../domain/rules/types.ts';
import type { KnownPrincipals } from '../../domain/rules/principal-check.ts';
import { methodInfos } from '../../plugins-registry.ts';
import type { RuleRepository } from '../../ports/rules.ts';
import { flag, parseInvocation, usageError } from '../args.ts';
import { loadCliConfig, runningDemo } from '../context.ts';

/**
 * `sekisho doctor [--config FILE]`: checks the configuration, the rules in force and the
 * reachability of Postgres and Redis against the security baseline. Prints every finding with
 * its fix; exits 1 when any is high, 0 otherwise. Changes nothing. With no database configured
 * and a demo running, it checks the demo as it runs: its settings, its address and its rules.
 */
export async function doctorCommand(args: string[]): Promise<void> {
  const inv = parseInvocation(args, {});
  if (inv.positionals.length > 0) throw usageError('usage: sekisho doctor [--config FILE]');
  // The loader resolves SEKISHO_CONFIG the same way; the file is read again only to tell keys
  // written in it from defaults.
  const file = flag(inv, 'config') ?? (process.env.SEKISHO_CONFIG || undefined);
  const loaded = loadCliConfig(file);
  const demo = loaded.database.url ? null : runningDemo(loaded);
  const config = demo?.config ?? loaded;
  if (demo) {
    console.log(
      `The running demo at ${demo.state.publicUrl} (pid ${demo.state.pid}), as it runs. It is made for trying ` +
        'Sekisho on one machine: its embedded database, sandbox SMS and plain http are expected here.\n',
    );
  }
  const catalogue = buildCatalogue(methodInfos(config));
  const findings: Finding[] = checkConfig({
    config,
    explicitKeys: topLevelKeys(file),
    publicSecretDigests: PUBLIC_SECRET_DIGESTS,
  });
  // The demo's embedded database is read for its rules; the config still says it has none.
  const postgres = await probePostgres(
    demo ? { ...config, database: { ...config.database, url: demo.state.databaseUrl } } : config,
  );
  findings.push(...postgres.findings);
  if (postgres.ruleLines)
    findings.push(...(await ruleFindings(postgres.ruleLines, catalogue, config, postgres.principals)));
  findings.push(...(await probeRedis(config)));
  console.log(formatReport(findings));
  if (exitCodeFor(findings) !== 0) {
    const high = findings.filter((f) => f.severity === 'high').length;
    // One line on stderr and exit 1, like every failing command.
    throw new Error(`doctor: ${high} high finding${high === 1 ? '' : 's'}: fix them first`);
  }
}

/** The rules exactly as a gateway would run them, built-in admin fallback included. */
async function ruleFindings(
  lines: readonly string[],
  catalogue: MethodCatalogue,
  config: Config,
  principals: KnownPrincipals | null,
): Promise<Finding[]> {
  const repository = { list: async () => lines.map((line) => ({ line })) } as unknown as RuleRepository;
  const networks = compileNetworks(config.networks);
  // A rule this configuration cannot load stops the gateway: those findings, and nothing else to judge.
  const unloadable = checkStoredRules(lines, catalogue, networks);
  if (unloadable.length > 0) return unloadable;
  const engine = new RuleEngine(repository, catalogue, networks);
  await engine.reload();
  const adminIsBuiltin = !lines.some((line) => {
    const parsed = parseRule(line, catalogue, networks);
    return (
      parsed.ok &&
      parsed.rule.host === null &&
      parsed.rule.prefix === ADMIN_PREFIX &&
      parsed.rule.from === null
    );
  });
  return checkRules({
    ruleSet: engine.current,
    catalogue,
    adminPrefix: ADMIN_PREFIX,
    adminIsBuiltin,
    session: config.session,
    ...(principals ? { principals } : {}),
  });
}

function topLevelKeys(file: string | undefined): Set<string> {
  if (!file) return new Set();
  const document: unknown = parse(readFileSync(file, 'utf8'));
  return new Set(document && typeof document === 'object' ? Object.keys(document) : []);
}
