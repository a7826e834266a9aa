/**
 * Stored rules a gateway with this configuration could not load: it would refuse to start. Each is
 * a high finding; one that names a network the configuration does not define is told apart by the
 * parser's code (`unknown-network`), not by its words, since the fix is then in the configuration.
 */
import type { NetworkNames } from '../domain/rules/parse-options.ts';
import { parseStoredRules, type BrokenRule } from '../domain/rules/parse-rule.ts';
import type { MethodCatalogue } from '../domain/rules/types.ts';
import type { Finding } from './types.ts';

export function checkStoredRules(
  lines: readonly string[],
  catalogue: MethodCatalogue,
  networks: NetworkNames,
): Finding[] {
  return parseStoredRules(lines, catalogue, networks).broken.map(brokenRuleFinding);
}

/** One stored rule that does not parse, as the finding with its fix. */
export function brokenRuleFinding(broken: BrokenRule): Finding {
  // As the gateway logs it when it refuses the rules.
  const subject = `rule ${JSON.stringify(broken.line)}: ${broken.error}`;
  if (broken.code === 'unknown-network')
    return {
      id: 'rule-unknown-network',
      severity: 'high',
      subject,
      message: 'a stored rule names a network the configuration does not define: the gateway will not start',
      fix: 'add the network under `networks:` in the configuration, or delete the rule (`sekisho rule del <prefix> --from <network>`)',
    };
  return {
    id: 'rule-invalid',
    severity: 'high',
    subject,
    message: 'a stored rule does not parse with this configuration: the gateway will not start',
    fix: 'fix or delete the rule (`sekisho rule set` / `sekisho rule del`), or enable the method it names',
  };
}
