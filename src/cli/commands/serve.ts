import { flag, parseInvocation } from '../args.ts';
import { loadCliConfig } from '../context.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { serveGateway } from '../../server.ts';
import { loadConfig } from '../../config/load.ts';
import { SekishoError } from '../../domain/errors.ts';

/** `sekisho serve`: the gateway; with nothing configured, the demo. */
export async function serveCommand(args: string[]): Promise<void> {
  const inv = parseInvocation(args, {});
  const file = flag(inv, 'config');
  const result = loadConfig({ file });
  if (!result.ok) throw new SekishoError('SEKISHO_ERR_CONFIG', result.errors.join('\n'));
  if (result.demo) return runDemo(result.config);
  await serveGateway(loadCliConfig(file));
}
