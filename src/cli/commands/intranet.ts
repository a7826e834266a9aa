import { startIntranet } from '../../demo/intranet.ts';
import { flag, parseInvocation, usageError } from '../args.ts';

/** `sekisho demo-intranet`: the sample intranet alone (docker-compose runs it as a service). */
export async function intranetCommand(args: string[]): Promise<void> {
  const inv = parseInvocation(args, { port: { type: 'string' }, host: { type: 'string' } });
  const port = Number(flag(inv, 'port') ?? 9201);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port must be a port number');
  const intranet = await startIntranet({ port, host: flag(inv, 'host') ?? '127.0.0.1' });
  console.log(`sample intranet at ${intranet.url}`);
  const stop = () => void intranet.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
