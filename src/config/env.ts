/**
 * Environment variable overrides. Each variable sets one config key; its `<NAME>_FILE` twin reads
 * the value from a file instead (Docker/Kubernetes secrets), so secrets need not sit in the
 * environment of every child process.
 */
import { isPlainObject, setPath } from './object-utils.ts';
import type { PlainObject } from './object-utils.ts';
import type { Problems } from './problems.ts';
import { readSecretFile } from './secrets.ts';

/** One environment variable and the config key it overrides. */
export interface EnvOverride {
  /** Variable name; `<name>_FILE` is accepted too. */
  readonly name: string;
  /** Config key path it sets. */
  readonly path: readonly string[];
  /** Converts the raw string; returns an error message instead for a malformed value. */
  readonly parse?: (raw: string) => { value: unknown } | { error: string };
}

function parsePort(raw: string): { value: unknown } | { error: string } {
  const value = Number(raw);
  const valid = /^\d{1,5}$/.test(raw) && value <= 65535;
  return valid ? { value } : { error: 'must be an integer from 0 to 65535' };
}

/** The supported overrides, applied in this order after the config file. */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { name: 'DATABASE_URL', path: ['database', 'url'] },
  { name: 'REDIS_URL', path: ['redis', 'url'] },
  { name: 'PORT', path: ['listen', 'port'], parse: parsePort },
  { name: 'SEKISHO_SECRET', path: ['secret'] },
  { name: 'KARADEN_TOKEN', path: ['sms', 'karaden', 'token'] },
  { name: 'SEKISHO_SMS_CALLBACK_SECRET', path: ['sms', 'callbackSecret'] },
  { name: 'SEKISHO_LOG_LEVEL', path: ['log', 'level'] },
  { name: 'SEKISHO_DEMO_STATE_DIR', path: ['demo', 'stateDir'] },
];

/** A variable set to the empty string counts as unset, as `FOO=` in compose files usually means. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The raw value of one override, or undefined when it is unset or broken (then a problem is added). */
function readOverride(o: EnvOverride, env: NodeJS.ProcessEnv, problems: Problems): string | undefined {
  const direct = envValue(env, o.name);
  const fileName = `${o.name}_FILE`;
  const file = envValue(env, fileName);
  if (direct !== undefined && file !== undefined) {
    problems.add(o.name, `set either ${o.name} or ${fileName}, not both`, o.path);
    return undefined;
  }
  if (file === undefined) return direct;
  const read = readSecretFile(file);
  if (read.ok) return read.value;
  problems.add(fileName, read.reason, o.path);
  return undefined;
}

/** Applies every override present in `env` to `root` (mutated in place). */
export function applyEnvOverrides(root: PlainObject, env: NodeJS.ProcessEnv, problems: Problems): void {
  for (const o of ENV_OVERRIDES) {
    const raw = readOverride(o, env, problems);
    if (raw === undefined) continue;
    const parsed = o.parse ? o.parse(raw) : { value: raw };
    if ('error' in parsed) {
      problems.add(o.name, parsed.error, o.path);
      continue;
    }
    if (setPath(root, o.path, parsed.value)) problems.noteEnvSource(o.path, o.name);
  }
}

/**
 * Values the environment gives only where the file is silent: `HTTPS_PROXY` (or `https_proxy`),
 * the proxy intranets set for every program, becomes `push.webPush.proxy` unless that is set.
 */
export function applyEnvDefaults(root: PlainObject, env: NodeJS.ProcessEnv): void {
  const proxy = envValue(env, 'HTTPS_PROXY') ?? envValue(env, 'https_proxy');
  if (proxy === undefined) return;
  const push = isPlainObject(root.push) ? root.push : undefined;
  const webPush = push && isPlainObject(push.webPush) ? push.webPush : undefined;
  if (webPush?.proxy !== undefined) return;
  setPath(root, ['push', 'webPush', 'proxy'], proxy);
}
