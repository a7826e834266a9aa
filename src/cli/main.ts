#!/usr/bin/env node
import { isSekishoError } from '../domain/errors.ts';
import { groupCommand } from './commands/group.ts';
import { migrateCommand } from './commands/migrate.ts';
import { ruleCommand } from './commands/rule.ts';
import { serveCommand } from './commands/serve.ts';
import { userCommand } from './commands/user.ts';
import { intranetCommand } from './commands/intranet.ts';
import { pushCommand } from './commands/push.ts';
import { deviceCommand } from './commands/device.ts';

const usage = `usage: sekisho <command> [--config FILE]

  serve                          run the gateway (the demo when nothing is configured)
  migrate                        create or update the auth DB schema (idempotent)
  user add <id> [--name N] [--phone E164] [--email E] [--group G]... --password-stdin
  user passwd <id> --password-stdin
  user lock|unlock|del|show <id> | user list
  group add|del <g> | group list
  rule set '<rule line>' | rule del <path-prefix> | rule list | rule export
  rule import FILE [--replace]   | rule explain <path> [--user ID] [--host H] | rule history
  push enroll <id>               an activation link for a phone (URL, enrolment page, QR in a TTY)
  push devices <id> | push revoke <deviceId>
  device enroll <activation-url> --store FILE [--name N] [--force]   a virtual authenticator
  device approve --store FILE [--number N] [--timeout S] | device deny --store FILE [--timeout S]
  demo-intranet [--port P] [--host H]   the sample intranet on its own`;

const commands: Record<string, (args: string[]) => Promise<void>> = {
  serve: serveCommand,
  migrate: migrateCommand,
  user: userCommand,
  group: groupCommand,
  rule: ruleCommand,
  push: pushCommand,
  device: deviceCommand,
  'demo-intranet': intranetCommand,
};

/** Exit codes: 0 success, 2 bad usage, 1 failure; errors are one line each on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`sekisho: unknown command "${name}"\n${usage}`);
    return 2;
  }
  try {
    await command(args);
    return 0;
  } catch (error) {
    if (isSekishoError(error)) {
      console.error(
        error.message
          .split('\n')
          .map((line) => `sekisho: ${line}`)
          .join('\n'),
      );
      return error.code === 'SEKISHO_ERR_USAGE' ? 2 : 1;
    }
    console.error(`sekisho: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
