import { flag, one, parseInvocation, usageError } from '../args.ts';
import { openCliContext } from '../context.ts';

/** `sekisho group add|del|list`. */
export async function groupCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const inv = parseInvocation(rest, {});
  const context = await openCliContext(flag(inv, 'config'));
  try {
    switch (sub) {
      case 'add': {
        const name = one(inv, 'group name');
        await context.admin.addGroup(name, context.actor);
        return console.log(`group ${name} added`);
      }
      case 'del': {
        const name = one(inv, 'group name');
        await context.admin.removeGroup(name, context.actor);
        return console.log(`group ${name} deleted`);
      }
      case 'list':
        for (const group of await context.users.listGroups()) {
          console.log(`${group.name}\t${group.members.join(',') || '-'}`);
        }
        return;
      default:
        throw usageError('usage: sekisho group add|del|list …');
    }
  } finally {
    await context.close();
  }
}
