import { flag, parseInvocation } from '../args.ts';
import { loadCliConfig } from '../context.ts';
import { serveGateway } from '../../server.ts';
import { loadConfig } from '../../config/load.ts';
import { SekishoError } from '../../domain/errors.ts';

/** `sekisho serve`: the gateway; with nothing configured, the demo. */
export async function serveCommand(args: string[]): Promise<void> {
  const inv = parseInvocation(args, {});
  const file = flag(inv, 'config');
  const result = loadConfig({ file });
  if (!result.ok) throw new SekishoError('SEKISHO_ERR_CONFIG', result.errors.join('\n'));
  // The demo (its embedded Postgres, pretty logs) is loaded only when it runs: a configured
  // gateway does not carry it in memory.
  if (result.demo) return (await import('../../demo/run-demo.ts')).runDemo(result.config);
  await serveGateway(loadCliConfig(file));
}
