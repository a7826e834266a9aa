import QRCode from 'qrcode';
import { PgCredentialRepository } from '../../adapters/pg/pg-credential-repository.ts';
import { methodCredentials } from '../../core/plugin-host.ts';
import { systemClock } from '../../ports/clock.ts';
import { configuredPlugins } from '../../plugins-registry.ts';
import { provisionTotp } from '../../../plugins/totp/credentials.ts';
import { flag, one, parseInvocation, usageError } from '../args.ts';
import { openCliContext, type CliContext } from '../context.ts';
import { credentialTools, requireUser } from './credential-context.ts';

const usage = 'usage: sekisho totp enroll <id> | totp show <id> | totp del <id>';
const METHOD = 'TOTP';

/** `sekisho totp enroll|show|del`: a user's authenticator app, as an admin manages it. */
export async function totpCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'enroll' && sub !== 'show' && sub !== 'del') throw usageError(usage);
  const inv = parseInvocation(rest, {});
  const userId = one(inv, 'user ID');
  const context = await openCliContext(flag(inv, 'config'));
  try {
    await requireUser(context, userId);
    if (sub === 'enroll') return await enrol(context, userId);
    if (sub === 'show') return await show(context, userId);
    return await remove(context, userId);
  } finally {
    await context.close();
  }
}

/** The URI first (scripts read line 1), then a QR code when a person is watching. */
async function enrol(context: CliContext, userId: string): Promise<void> {
  const { audit, sealed } = credentialTools(context, METHOD);
  const store = methodCredentials(new PgCredentialRepository(context.pool), METHOD, systemClock);
  const issuer = issuerOf(context);
  const uri = await provisionTotp(store, sealed, issuer, userId);
  await audit.record({
    event: 'credential.enrolled',
    outcome: 'success',
    userId,
    actor: context.actor,
    detail: { method: METHOD, provisioned: true },
  });
  console.log(uri);
  if (process.stdout.isTTY) console.log(await QRCode.toString(uri, { type: 'terminal', small: true }));
}

/** Enrolled or not, when, last used: never the secret. */
async function show(context: CliContext, userId: string): Promise<void> {
  const found = await new PgCredentialRepository(context.pool).list(userId, METHOD);
  if (found.length === 0) {
    console.log(`${userId}\tnot enrolled`);
    return;
  }
  for (const c of found) {
    const lastUsed =
      c.lastUsedAt === null ? 'never used' : `last used ${new Date(c.lastUsedAt).toISOString()}`;
    console.log(`${userId}\tenrolled ${new Date(c.createdAt).toISOString()}\t${lastUsed}`);
  }
}

async function remove(context: CliContext, userId: string): Promise<void> {
  const { audit } = credentialTools(context, METHOD);
  const removed = await new PgCredentialRepository(context.pool).removeAll(userId, METHOD);
  if (removed === 0) throw new Error(`${userId} has no TOTP enrolled`);
  await audit.record({
    event: 'credential.removed',
    outcome: 'success',
    userId,
    actor: context.actor,
    detail: { method: METHOD },
  });
  console.log(`TOTP removed for ${userId}`);
}

/** `plugins.TOTP.issuer` as the gateway parses it. */
function issuerOf(context: CliContext): string {
  const totp = configuredPlugins(context.config).find((p) => p.plugin.name === METHOD);
  const settings = totp?.settings as { issuer?: string } | undefined;
  return settings?.issuer ?? 'Sekisho';
}
