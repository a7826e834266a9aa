import { NETWORK_NAME } from '../networks.ts';
import { parseMethods } from './parse-methods.ts';
import type { MethodCatalogue, NetworkCondition, RuleField } from './types.ts';

/** The names of the networks rules may name (the `networks` section). */
export interface NetworkNames {
  has(name: string): boolean;
  keys(): Iterable<string>;
}

/** A rule's fourth field, parsed. */
export interface RuleOptions {
  readonly from: NetworkCondition | null;
  readonly reauthSeconds: number | null;
  /** The written unit of `reauth=` kept for the canonical line (`15m`, not `900s`). */
  readonly reauthText: string | null;
  readonly newDevice: readonly string[] | null;
}

/**
 * Why a rule was refused, where a caller acts on the cause rather than on the words:
 * `unknown-network`, a `from=` network the configuration does not define (the rule itself may be
 * sound; a stored one then stops the gateway until the network is configured again).
 */
export type RuleErrorCode = 'unknown-network';

/** A refused rule: the field, why, and a {@link RuleErrorCode} where the cause has one. */
export interface RuleFailure {
  readonly ok: false;
  readonly field: RuleField;
  readonly message: string;
  readonly code?: RuleErrorCode;
}

export type OptionsResult = { readonly ok: true; readonly value: RuleOptions } | RuleFailure;

export const NO_OPTIONS: RuleOptions = { from: null, reauthSeconds: null, reauthText: null, newDevice: null };

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;
const DURATION = /^(\d{1,9})([smh])$/;

function fail(field: RuleField, message: string): RuleFailure {
  return { ok: false, field, message };
}

/**
 * Parses the options field, a comma list of `from=<network>` / `from=!<network>`,
 * `reauth=<duration>` and `newdevice=<methods>`, each at most once. Errors name the option.
 */
export function parseOptions(
  text: string,
  catalogue: MethodCatalogue,
  networks: NetworkNames,
): OptionsResult {
  if (text === '') return { ok: true, value: NO_OPTIONS };
  let options: RuleOptions = NO_OPTIONS;
  const seen = new Set<string>();
  for (const item of text.split(',').map((part) => part.trim())) {
    if (item === '') return fail('options', 'empty option (check for ",," or a stray ",")');
    const eq = item.indexOf('=');
    if (eq < 0) return fail('options', `"${item}" is not <option>=<value> (from=, reauth=, newdevice=)`);
    const key = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    if (key !== 'from' && key !== 'reauth' && key !== 'newdevice')
      return fail('options', `unknown option "${key}"; expected from=, reauth= or newdevice=`);
    if (seen.has(key)) return fail(key, 'given more than once');
    seen.add(key);
    const parsed = parseOption(key, value, catalogue, networks);
    if (!parsed.ok) return parsed;
    options = { ...options, ...parsed.value };
  }
  return { ok: true, value: options };
}

/** Result of {@link parseNetworkCondition}. */
export type NetworkConditionResult =
  { readonly ok: true; readonly value: NetworkCondition } | { readonly ok: false; readonly message: string };

type OptionResult = { readonly ok: true; readonly value: Partial<RuleOptions> } | RuleFailure;

function parseOption(
  key: 'from' | 'reauth' | 'newdevice',
  value: string,
  catalogue: MethodCatalogue,
  networks: NetworkNames,
): OptionResult {
  if (key === 'from') return parseFrom(value, networks);
  if (key === 'reauth') return parseReauth(value);
  return parseNewDevice(value, catalogue);
}

function parseFrom(value: string, networks: NetworkNames): OptionResult {
  const condition = parseNetworkCondition(value);
  if (!condition.ok) return fail('from', condition.message);
  const { network } = condition.value;
  if (!networks.has(network)) {
    const known = [...networks.keys()];
    const hint = known.length > 0 ? `known: ${known.join(', ')}` : 'no networks are configured';
    return { ...fail('from', `unknown network "${network}" (${hint})`), code: 'unknown-network' };
  }
  return { ok: true, value: { from: condition.value } };
}

/**
 * `intranet` or `!intranet` as a condition, the name's form checked but not whether the `networks`
 * section defines it: a rule whose network has left the configuration can still be named, to delete it.
 */
export function parseNetworkCondition(value: string): NetworkConditionResult {
  const negated = value.startsWith('!');
  const network = (negated ? value.slice(1) : value).trim();
  if (network === '') return { ok: false, message: 'empty; expected from=<network> or from=!<network>' };
  if (!NETWORK_NAME.test(network)) return { ok: false, message: `invalid network name "${network}"` };
  return { ok: true, value: { network, negated } };
}

/** `90s`, `15m`, `8h` (a whole number of seconds, minutes or hours) in seconds; null when not one. */
export function parseDuration(text: string): { seconds: number; text: string } | null {
  const match = DURATION.exec(text.toLowerCase());
  if (!match) return null;
  const count = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_SECONDS;
  return { seconds: count * UNIT_SECONDS[unit], text: `${count}${unit}` };
}

function parseReauth(value: string): OptionResult {
  const duration = parseDuration(value);
  if (!duration)
    return fail(
      'reauth',
      `"${value}" is not a duration; write a whole number of seconds, minutes or hours (90s, 15m, 8h)`,
    );
  if (duration.seconds < 1) return fail('reauth', `"${value}" is too short; the least is 1s`);
  return { ok: true, value: { reauthSeconds: duration.seconds, reauthText: duration.text } };
}

function parseNewDevice(value: string, catalogue: MethodCatalogue): OptionResult {
  if (value === '') return fail('newdevice', 'empty; expected newdevice=<method> or <method>|<method>');
  const parsed = parseMethods(value, catalogue);
  if (!parsed.ok) return fail('newdevice', parsed.message);
  if (parsed.value.kind === 'bypass') return fail('newdevice', 'BYPASS proves nothing');
  const [step] = parsed.value.steps;
  if (!step) return fail('newdevice', 'no method given');
  return { ok: true, value: { newDevice: step } };
}

/** The canonical options field (`from=intranet,reauth=15m`), empty when there are none. */
export function formatOptions(options: Omit<RuleOptions, 'reauthSeconds'>): string {
  const parts: string[] = [];
  if (options.from) parts.push(`from=${formatFrom(options.from)}`);
  if (options.reauthText) parts.push(`reauth=${options.reauthText}`);
  if (options.newDevice) parts.push(`newdevice=${options.newDevice.join('|')}`);
  return parts.join(',');
}

/** `intranet` or `!intranet`: how a `from` condition is written (and keyed). */
export function formatFrom(from: NetworkCondition): string {
  return `${from.negated ? '!' : ''}${from.network}`;
}

/** A duration in the unit it divides into: 900 → `15m`, 90 → `90s`. */
export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
