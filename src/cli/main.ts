#!/usr/bin/env node
import { inspect } from 'node:util';
import { isSekishoError } from '../domain/errors.ts';
import { keepTickObjectShape } from '../tick-shape.ts';

const usage = `usage: sekisho <command> [--config FILE]

  serve                          run the gateway (the demo when nothing is configured)
  migrate                        create or update the auth DB schema (idempotent)
  user add <id> [--name N] [--phone 090-1234-5678|+819012345678] [--email E] [--group G]... --password-stdin
  user passwd <id> --password-stdin
  user lock|unlock|del|show <id> | user list
  group add|del <g> | group list
  rule set '<rule line>' | rule del <path-prefix> | rule list | rule export
  rule import FILE [--replace]   | rule explain <path> [--user ID] [--host H] | rule history
  rule rollback <version>        restore a rule as it was at that version (see rule history)
  push enroll <id>               an activation link for a phone (URL, enrolment page, QR in a TTY)
  totp enroll <id>               a new TOTP secret, active at once: the otpauth URI (QR in a TTY)
  totp show <id> | totp del <id>
  recovery generate <id>         10 new recovery codes, one a line (earlier ones are voided)
  recovery show <id>             how many unused recovery codes the user has
  enrol-link <id>                a single-use link to enrol a first authenticator (help desk)
  push devices <id> | push revoke <deviceId>
  device enroll <activation-url> --store FILE [--name N] [--force]   a virtual authenticator
  device approve --store FILE [--number N] [--timeout S] | device deny --store FILE [--timeout S]
  keys rotate | keys list        the identity assertion's signing keys (new current key; the kept ones)
  doctor                         check config, rules, Postgres and Redis against the security baseline
                                 (with nothing configured: the running demo)
  demo banner                    the running demo's welcome again (URL, user, password, links)
  demo-intranet [--port P] [--host H]   the sample intranet on its own`;

type Command = (args: string[]) => Promise<void>;

// Loaded on demand: an admin command should not pay for loading the whole server.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => {
    // Before the gateway's code is loaded: loading it runs full garbage collections.
    await keepTickObjectShape();
    return (await import('./commands/serve.ts')).serveCommand;
  },
  migrate: async () => (await import('./commands/migrate.ts')).migrateCommand,
  user: async () => (await import('./commands/user.ts')).userCommand,
  group: async () => (await import('./commands/group.ts')).groupCommand,
  rule: async () => (await import('./commands/rule.ts')).ruleCommand,
  push: async () => (await import('./commands/push.ts')).pushCommand,
  device: async () => (await import('./commands/device.ts')).deviceCommand,
  totp: async () => (await import('./commands/totp.ts')).totpCommand,
  recovery: async () => (await import('./commands/recovery.ts')).recoveryCommand,
  'enrol-link': async () => (await import('./commands/enrol-link.ts')).enrolLinkCommand,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCommand,
  keys: async () => (await import('./commands/keys.ts')).keysCommand,
  demo: async () => (await import('./commands/demo.ts')).demoCommand,
  'demo-intranet': async () => (await import('./commands/intranet.ts')).intranetCommand,
};

/** Exit codes: 0 success, 2 bad usage, 1 failure; errors are one line each on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`sekisho: unknown command "${name}"\n${usage}`);
    return 2;
  }
  try {
    const command = await load();
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

// An error nothing caught ends the process with exit code 1 as Node would end it, and its stack
// — without Node's echo of the source line it was thrown from: in the container image that line
// is a whole bundled chunk (scripts/bundle.ts removes line breaks), hundreds of KB on stderr.
process.on('uncaughtException', (error) => {
  // inspect: the stack with what Node would add (cause, code, an AggregateError's errors).
  process.stderr.write(`sekisho: uncaught: ${inspect(error)}\n`);
  process.exit(1);
});

const code = await main(process.argv.slice(2));
// A failure exits at once: what a failed start left open (an embedded database, a pool) must not
// keep the process waiting after its one line. Success lets a running server go on.
if (code === 0) process.exitCode = 0;
else process.exit(code);
