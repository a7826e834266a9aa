import { demoBanner } from '../../demo/banner.ts';
import { SekishoError } from '../../domain/errors.ts';
import { flag, parseInvocation, usageError } from '../args.ts';
import { loadCliConfig, runningDemo } from '../context.ts';

/**
 * `sekisho demo banner`: the running demo's welcome again, from the state it keeps for its
 * owner (the password as printed at the start; if it was changed since, the new one is yours).
 */
export async function demoCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'banner') throw usageError('usage: sekisho demo banner');
  const inv = parseInvocation(rest, {});
  if (inv.positionals.length > 0) throw usageError('usage: sekisho demo banner');
  const demo = runningDemo(loadCliConfig(flag(inv, 'config')));
  if (!demo)
    throw new SekishoError('SEKISHO_ERR_CONFIG', 'demo: no demo is running here; start one with `npm start`');
  console.log(demoBanner(demo.state));
}
