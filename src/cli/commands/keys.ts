import { sealedBox } from '../../adapters/crypto/sealed-box.ts';
import { PgKeyStore } from '../../adapters/pg/pg-key-store.ts';
import { assertionKeyPurpose, newAssertionKey, retiredKeySeconds } from '../../core/assertion-keys.ts';
import { SekishoError } from '../../domain/errors.ts';
import { flag, parseInvocation, usageError } from '../args.ts';
import { openCliContext } from '../context.ts';

/**
 * `sekisho keys rotate|list`: the identity assertion's signing keys, kept in Postgres. `rotate`
 * makes a new current key; the previous one stays published (retired) for {@link retiredKeySeconds},
 * and keys retired longer ago are dropped. Running gateways take the new key within 30 s.
 */
export async function keysCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'rotate' && sub !== 'list') throw usageError('usage: sekisho keys rotate|list');
  const inv = parseInvocation(rest, {});
  const context = await openCliContext(flag(inv, 'config'));
  try {
    const { secret, assertion } = context.config;
    if (!secret) throw new SekishoError('SEKISHO_ERR_CONFIG', 'config: secret: required to open the keys');
    const keys = new PgKeyStore(context.pool, (purpose) => sealedBox(secret, `keys:${purpose}`));
    if (sub === 'list') {
      for (const key of await keys.list(assertionKeyPurpose)) {
        const state = key.retiredAt ? `retired ${key.retiredAt.toISOString()}` : 'current';
        console.log(`${key.kid}\t${state}\tcreated ${key.createdAt.toISOString()}`);
      }
      return;
    }
    if (assertion.privateKey)
      throw new SekishoError(
        'SEKISHO_ERR_CONFIG',
        'config: assertion.privateKey: the key comes from the configuration; replace it there instead',
      );
    const now = new Date();
    await keys.dropRetired(assertionKeyPurpose, new Date(now.getTime() - retiredKeySeconds * 1000));
    const made = await keys.rotate(assertionKeyPurpose, await newAssertionKey(), now);
    await context.audit.record({
      event: 'keys.rotate',
      outcome: 'success',
      actor: context.actor,
      detail: { purpose: assertionKeyPurpose, kid: made.kid },
    });
    console.log(
      `assertion key ${made.kid} is current; the previous key stays published for ${retiredKeySeconds} s`,
    );
  } finally {
    await context.close();
  }
}
