import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import { flag, one, parseInvocation, usageError, type Invocation } from '../args.ts';
import {
  DeviceError,
  activateDevice,
  openDevice,
  registerWebPush,
  respond,
  storeExists,
  waitForRequest,
  writeStore,
  type Decision,
  type Outcome,
} from '../virtual-device.ts';
import type { PendingRequest } from '../../ports/push-service.ts';

const DEFAULT_TIMEOUT_SECONDS = 30;

const usage =
  'usage: sekisho device enroll <activation-url | -> --store FILE [--name N] [--push-endpoint URL] [--force]' +
  ' | device approve --store FILE [--number N] [--timeout S] | device deny --store FILE [--timeout S]';

/** `sekisho device enroll|approve|deny`: a virtual push authenticator for headless use. */
export async function deviceCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const inv = parseInvocation(rest, {
    store: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean' },
    number: { type: 'string' },
    timeout: { type: 'string' },
    'push-endpoint': { type: 'string' },
  });
  switch (sub) {
    case 'enroll':
      return enrol(inv);
    case 'approve':
      return answer(inv, 'approve');
    case 'deny':
      return answer(inv, 'deny');
    default:
      throw usageError(usage);
  }
}

async function enrol(inv: Invocation): Promise<void> {
  // `-` reads the URL from standard input, keeping the code out of `ps` and shell history.
  const given = one(inv, 'activation URL');
  const url = given === '-' ? (await readStdin()).trim() : given;
  const file = storeFlag(inv);
  const overwrite = inv.flags.force === true;
  const name = (flag(inv, 'name') ?? `sekisho device on ${hostname()}`).slice(0, 64);
  // Checked before activating: a code used up for a store that cannot be written is wasted.
  if (!overwrite && existsSync(file)) throw storeExists(file);
  const endpoint = flag(inv, 'push-endpoint');
  const activated = await activateDevice(url, name);
  // Written before the subscription, so a refused endpoint still leaves a usable device.
  await writeStore(file, activated, overwrite);
  const store = endpoint ? { ...activated, webPush: await registerWebPush(activated, endpoint) } : activated;
  if (endpoint) await writeStore(file, store, true);
  console.log(
    `device ${store.deviceId} enrolled for user ${store.userId}; key stored in ${file} (mode 0600)`,
  );
}

async function answer(inv: Invocation, decision: Decision): Promise<void> {
  if (inv.positionals.length > 0) throw usageError(usage);
  const file = storeFlag(inv);
  const timeoutSeconds = timeoutFlag(inv);
  const number = numberFlag(inv, decision);
  const { device, openToOthers } = await openDevice(file);
  if (openToOthers) console.error(`sekisho: warning: ${file} is readable by others; chmod 600 it`);
  const pending = await waitForRequest(device, timeoutSeconds * 1000);
  if (!pending) throw new DeviceError(`no push request arrived within ${timeoutSeconds} s`);
  describe(pending);
  const matching = pending.choices.length > 0;
  if (decision === 'approve' && matching && number === undefined) {
    throw usageError('this push asks for the number shown on the login page: pass --number N');
  }
  const picked = decision === 'approve' && matching ? (number ?? '') : '';
  const outcome = await respond(device, pending, decision, picked);
  report(outcome, decision);
}

function describe(pending: PendingRequest): void {
  const { client, path, unknownEnvironment } = pending;
  console.log(
    `push ${pending.transactionId}: ${path} from ${client.ip} (${client.browser})` +
      (unknownEnvironment ? ' [unknown environment]' : ''),
  );
}

const expected: Record<Decision, Outcome> = { approve: 'approved', deny: 'denied', report: 'reported' };

function report(outcome: Outcome, decision: Decision): void {
  if (outcome === expected[decision]) return console.log(outcome);
  if (outcome === 'wrong_number') {
    throw new DeviceError(
      'wrong number: the gateway refused this login (the login page showed another number)',
    );
  }
  throw new DeviceError(`the gateway answered ${outcome}`);
}

function storeFlag(inv: Invocation): string {
  const file = flag(inv, 'store');
  if (!file) throw usageError('--store FILE is required');
  return file;
}

function timeoutFlag(inv: Invocation): number {
  const text = flag(inv, 'timeout');
  if (text === undefined) return DEFAULT_TIMEOUT_SECONDS;
  if (!/^[0-9]{1,4}$/.test(text) || Number(text) > 3600) {
    throw usageError('--timeout must be a whole number of seconds, 0 to 3600');
  }
  return Number(text);
}

function numberFlag(inv: Invocation, decision: Decision): string | undefined {
  const number = flag(inv, 'number');
  if (number === undefined) return undefined;
  if (decision !== 'approve') throw usageError('--number is only for approve');
  if (!PATTERNS.number.test(number)) throw usageError('--number must be the two-digit number (10-99)');
  return number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
