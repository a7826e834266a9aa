import type { UserRecord } from '../../ports/users.ts';
import { SekishoError } from '../../domain/errors.ts';
import { flag, one, parseInvocation, readStdinLine, usageError } from '../args.ts';
import { openCliContext } from '../context.ts';

/** `sekisho user add|passwd|lock|unlock|del|show|list`. */
export async function userCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const inv = parseInvocation(rest, {
    name: { type: 'string' },
    phone: { type: 'string' },
    email: { type: 'string' },
    group: { type: 'string', multiple: true },
    'password-stdin': { type: 'boolean' },
    'no-password': { type: 'boolean' },
  });
  const context = await openCliContext(flag(inv, 'config'));
  try {
    const { admin, users, actor } = context;
    switch (sub) {
      case 'add': {
        const id = one(inv, 'user ID');
        const password = await passwordFrom(inv.flags);
        const groups = (inv.flags.group as string[] | undefined) ?? [];
        await admin.addUser(
          {
            id,
            displayName: flag(inv, 'name'),
            phone: flag(inv, 'phone'),
            email: flag(inv, 'email'),
            groups,
            password,
          },
          actor,
        );
        return console.log(`user ${id} added`);
      }
      case 'passwd': {
        const id = one(inv, 'user ID');
        if (!inv.flags['password-stdin']) throw usageError('user passwd needs --password-stdin');
        await admin.updateUser(id, { password: await readStdinLine() }, actor);
        return console.log(`password of ${id} changed`);
      }
      case 'lock':
      case 'unlock': {
        const id = one(inv, 'user ID');
        await admin.updateUser(id, { locked: sub === 'lock' }, actor);
        return console.log(
          `user ${id} ${sub === 'lock' ? 'locked; their sessions end within seconds' : 'unlocked'}`,
        );
      }
      case 'del': {
        const id = one(inv, 'user ID');
        await admin.removeUser(id, actor);
        return console.log(`user ${id} deleted; their sessions end within seconds`);
      }
      case 'show': {
        const user = await users.find(one(inv, 'user ID'));
        if (!user) throw new SekishoError('SEKISHO_ERR_USER_NOT_FOUND', 'no such user');
        return console.log(JSON.stringify(describe(user), null, 2));
      }
      case 'list':
        for (const user of await users.list()) console.log(summary(user));
        return;
      default:
        throw usageError('usage: sekisho user add|passwd|lock|unlock|del|show|list …');
    }
  } finally {
    await context.close();
  }
}

async function passwordFrom(flags: Record<string, unknown>): Promise<string | null> {
  if (flags['no-password']) return null;
  if (!flags['password-stdin'])
    throw usageError('user add needs --password-stdin (or --no-password for passwordless-only users)');
  return readStdinLine();
}

/** Everything about a user except secrets. */
function describe(user: UserRecord) {
  return {
    id: user.id,
    name: user.displayName,
    phone: user.phone,
    email: user.email,
    groups: user.groups,
    locked: user.locked,
    hasPassword: user.passwordHash !== null,
    failedLogins: user.failedCount,
    lockoutUntil: user.lockoutUntil ? new Date(user.lockoutUntil).toISOString() : null,
  };
}

function summary(user: UserRecord): string {
  const flags = [
    user.locked ? 'locked' : '',
    user.lockoutUntil && user.lockoutUntil > Date.now() ? 'lockout' : '',
  ]
    .filter(Boolean)
    .join(',');
  return [user.id, user.displayName, user.groups.join(',') || '-', user.phone ?? '-', flags || 'active'].join(
    '\t',
  );
}
