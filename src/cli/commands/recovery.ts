import { PgRecoveryCodeRepository } from '../../adapters/pg/pg-credential-repository.ts';
import { RecoveryCodes } from '../../core/recovery-codes.ts';
import { systemClock } from '../../ports/clock.ts';
import { flag, one, parseInvocation, usageError } from '../args.ts';
import { openCliContext } from '../context.ts';
import { credentialTools, requireUser } from './credential-context.ts';

const usage = 'usage: sekisho recovery generate <id> | recovery show <id>';

/** `sekisho recovery generate|show`: a user's recovery codes (new ones void the earlier ones). */
export async function recoveryCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'generate' && sub !== 'show') throw usageError(usage);
  const inv = parseInvocation(rest, {});
  const userId = one(inv, 'user ID');
  const context = await openCliContext(flag(inv, 'config'));
  try {
    await requireUser(context, userId);
    const { audit, secret } = credentialTools(context, 'RECOVERY');
    const repository = new PgRecoveryCodeRepository(context.pool);
    const codes = new RecoveryCodes({ repository, audit, clock: systemClock, secret });
    if (sub === 'show') {
      console.log(`${userId}\t${await codes.remaining(userId)} unused recovery codes`);
      return;
    }
    // One code a line and nothing else: the output is meant to be printed and handed over.
    for (const code of await codes.generate(userId, { actor: context.actor })) console.log(code);
  } finally {
    await context.close();
  }
}
