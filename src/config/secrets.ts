/**
 * Secret-valued config keys: reading them from files (`<key>File` in YAML, `<NAME>_FILE` in the
 * environment), keeping their values out of error messages, and redacting them for logs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cloneDeep, getPath, isPlainObject } from './object-utils.ts';
import type { PlainObject } from './object-utils.ts';
import type { Problems } from './problems.ts';
import type { Config } from './schema.ts';

/** Key paths whose values are secrets (URLs because they may embed a password). */
export const SECRET_PATHS: readonly (readonly string[])[] = [
  ['secret'],
  ['sms', 'karaden', 'token'],
  ['sms', 'callbackSecret'],
  ['database', 'url'],
  ['assertion', 'privateKey'],
  ['redis', 'url'],
  ['push', 'webPush', 'vapidPrivateKey'],
  ['push', 'webPush', 'vapidPublicKey'],
];

const REDACTED = '[redacted]';
/** Key names inside free-form sections (push, plugins, admin) that are treated as secrets. */
const SECRET_KEY_RE = /secret|token|passw|api_?key|private_?key|credential/i;

/** Reads a secret file, dropping the trailing newline that editors and `echo` add. */
export function readSecretFile(path: string): { ok: true; value: string } | { ok: false; reason: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, reason: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const value = text.replace(/[\r\n]+$/, '');
  return value === '' ? { ok: false, reason: `${path} is empty` } : { ok: true, value };
}

/**
 * Replaces each `<key>File: <path>` at a secret key path with `<key>: <file contents>`. Relative
 * paths are resolved against `baseDir` (the config file's directory).
 */
export function resolveSecretFileRefs(root: PlainObject, baseDir: string, problems: Problems): void {
  for (const path of SECRET_PATHS) {
    const parent = getPath(root, path.slice(0, -1));
    const key = path[path.length - 1] as string;
    const fileKey = `${key}File`;
    if (!isPlainObject(parent) || !(fileKey in parent)) continue;
    const ref = parent[fileKey];
    delete parent[fileKey];
    const label = [...path.slice(0, -1), fileKey].join('.');
    if (parent[key] !== undefined) {
      problems.add(label, `set either ${key} or ${fileKey}, not both`, path);
    } else if (typeof ref !== 'string' || ref === '') {
      problems.add(label, 'must be a file path', path);
    } else {
      const read = readSecretFile(resolve(baseDir, ref));
      if (read.ok) parent[key] = read.value;
      else problems.add(label, read.reason, path);
    }
  }
}

/** Secret strings present in `root`, longest first so that overlapping ones redact fully. */
export function collectSecretValues(root: unknown): string[] {
  const found: string[] = [];
  for (const path of SECRET_PATHS) {
    const value = getPath(root, path);
    if (typeof value !== 'string' || value === '') continue;
    found.push(value);
    const password = urlPassword(value);
    if (password) found.push(password, safeDecode(password));
  }
  // Lists of secrets: the push service's API keys.
  const apiKeys = getPath(root, ['push', 'apiKeys']);
  if (Array.isArray(apiKeys))
    found.push(...apiKeys.filter((k): k is string => typeof k === 'string' && k !== ''));
  return found.sort((a, b) => b.length - a.length);
}

function urlPassword(value: string): string | undefined {
  try {
    return new URL(value).password || undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `value` with any password removed, or `value` unchanged if it is not a URL. */
function stripPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '';
    return url.toString();
  } catch {
    return value;
  }
}

function redactFreeForm(node: unknown): void {
  if (Array.isArray(node)) node.forEach(redactFreeForm);
  if (!isPlainObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (SECRET_KEY_RE.test(key)) node[key] = redactEverything(value);
    else redactFreeForm(value);
  }
}

/** Under a secret-looking key every string goes, lists (`apiKeys: [...]`) and nested objects included. */
function redactEverything(value: unknown): unknown {
  if (typeof value === 'string') return REDACTED;
  if (Array.isArray(value)) return value.map(redactEverything);
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactEverything(v)]));
  return value;
}

/**
 * A copy of `config` safe to log: secrets become `'[redacted]'`, passwords are removed from URLs,
 * and in the free-form `push`, `plugins` and `admin` sections any string under a key that looks
 * secret (`token`, `password`, `apiKey`, …) is redacted.
 */
export function redactConfig(config: Config): Config {
  const copy = cloneDeep(config) as unknown as PlainObject & Config;
  for (const path of SECRET_PATHS) {
    const parent = getPath(copy, path.slice(0, -1));
    const key = path[path.length - 1] as string;
    if (!isPlainObject(parent) || typeof parent[key] !== 'string') continue;
    parent[key] = key === 'url' ? stripPassword(parent[key]) : REDACTED;
  }
  for (const backend of Object.values(copy.backends)) backend.url = stripPassword(backend.url);
  redactFreeForm(copy.push);
  redactFreeForm(copy.plugins);
  redactFreeForm(copy.admin);
  return copy;
}
