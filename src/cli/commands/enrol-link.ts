import QRCode from 'qrcode';
import { PgFactorActivationRepository } from '../../adapters/pg/pg-credential-repository.ts';
import { FactorActivations } from '../../core/factor-activation.ts';
import { systemClock } from '../../ports/clock.ts';
import { flag, one, parseInvocation } from '../args.ts';
import { openCliContext } from '../context.ts';
import { credentialTools, requireUser } from './credential-context.ts';

/**
 * `sekisho enrol-link <id>`: a single-use, short-lived link with which the user (signed in with
 * their password) enrols a first authenticator; the help desk's way back in for a user with none.
 */
export async function enrolLinkCommand(args: string[]): Promise<void> {
  const inv = parseInvocation(args, {});
  const userId = one(inv, 'user ID');
  const context = await openCliContext(flag(inv, 'config'));
  try {
    await requireUser(context, userId);
    const { audit, secret } = credentialTools(context, 'ACTIVATION');
    const activations = new FactorActivations({
      repository: new PgFactorActivationRepository(context.pool),
      audit,
      clock: systemClock,
      secret,
      publicUrl: context.config.publicUrl,
    });
    const { url, expiresAt } = await activations.issue(userId, { actor: context.actor });
    console.log(url);
    console.log(
      `expires: ${new Date(expiresAt).toISOString()} (single use; the user signs in with their password first)`,
    );
    if (process.stdout.isTTY) console.log(await QRCode.toString(url, { type: 'terminal', small: true }));
  } finally {
    await context.close();
  }
}
