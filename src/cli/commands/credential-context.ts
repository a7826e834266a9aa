import { sealedBox } from '../../adapters/crypto/sealed-box.ts';
import { SekishoError } from '../../domain/errors.ts';
import type { CliContext } from '../context.ts';

/** The server secret the gateways share: credential commands seal and hash with keys derived from it. */
export function requireSecret(context: CliContext): string {
  const { secret } = context.config;
  if (!secret)
    throw new SekishoError('SEKISHO_ERR_CONFIG', "config: secret: required (the gateways' secret)");
  return secret;
}

/** The user must exist: a clear error otherwise. */
export async function requireUser(context: CliContext, userId: string): Promise<void> {
  if (!(await context.users.find(userId)))
    throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', `no user ${userId}`);
}

/** The audit log and the sealed box of a plugin, as the gateway gives them to it. */
export function credentialTools(context: CliContext, pluginName: string) {
  const secret = requireSecret(context);
  return { audit: context.audit, sealed: sealedBox(secret, `plugin:${pluginName}`), secret };
}
