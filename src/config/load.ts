/**
 * The config loader: the only place that reads `process.env` for configuration. It reads the YAML
 * file, resolves secret file references, applies environment and programmatic overrides, validates
 * everything against {@link configSchema} at once, and returns a deep-frozen result.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { applyEnvDefaults, applyEnvOverrides } from './env.ts';
import { cloneDeep, deepFreeze, deepMerge, isPlainObject } from './object-utils.ts';
import type { PlainObject } from './object-utils.ts';
import { Problems } from './problems.ts';
import { configSchema } from './schema.ts';
import type { Config } from './schema.ts';
import { collectSecretValues, resolveSecretFileRefs } from './secrets.ts';

export { redactConfig } from './secrets.ts';

/** Outcome of {@link loadConfig}: the config, or every problem found, one line each. */
export type ConfigResult = { ok: true; config: Config; demo: boolean } | { ok: false; errors: string[] };

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** YAML config file; defaults to `env.SEKISHO_CONFIG`. Without either, loading starts from `{}`. */
  file?: string;
  /** Environment to read overrides from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Deep-merged last, over file and environment (for tests and the demo). */
  overrides?: unknown;
}

/** Reads and parses the YAML file; undefined when unusable (the problems say why). */
function readConfigFile(file: string, problems: Problems): PlainObject | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.add(file, `cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  const doc = parseDocument(text);
  // Only the first line: yaml appends a source excerpt, which could show a secret.
  for (const e of doc.errors) problems.add(file, e.message.split('\n')[0]?.replace(/:$/, '') ?? e.code);
  if (doc.errors.length > 0) return undefined;
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    problems.add(file, (err as Error).message.split('\n')[0] ?? 'invalid YAML');
    return undefined;
  }
  if (value === null || value === undefined) return {};
  if (isPlainObject(value)) return dropNullSections(value);
  problems.add(file, 'must contain a mapping (key: value pairs) at the top level');
  return undefined;
}

/**
 * A section key with nothing under it (`backends:` with every entry commented out) parses as null;
 * treat it as absent rather than as a type error.
 */
function dropNullSections(root: PlainObject): PlainObject {
  for (const [key, value] of Object.entries(root)) if (value === null) delete root[key];
  return root;
}

/** Collects file, environment and override layers into one unvalidated document. */
function assemble(
  opts: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
  problems: Problems,
): PlainObject | undefined {
  const file = opts.file ?? (env.SEKISHO_CONFIG || undefined);
  const root = file === undefined ? {} : readConfigFile(file, problems);
  if (root)
    resolveSecretFileRefs(root, file === undefined ? process.cwd() : dirname(resolve(file)), problems);
  // Env problems are worth reporting even when the file is unusable.
  applyEnvOverrides(root ?? {}, env, problems);
  if (root) applyEnvDefaults(root, env);
  if (opts.overrides !== undefined && !isPlainObject(opts.overrides)) {
    problems.add('overrides', 'must be an object');
  } else if (root && opts.overrides !== undefined) {
    deepMerge(root, cloneDeep(opts.overrides));
  }
  return root;
}

/**
 * Loads, validates and deep-freezes the configuration.
 *
 * Layers, later winning: the YAML file (`file`, else `$SEKISHO_CONFIG`, else nothing), environment
 * variables (`DATABASE_URL`, `REDIS_URL`, `PORT`, `SEKISHO_SECRET`, `KARADEN_TOKEN`,
 * `SEKISHO_SMS_CALLBACK_SECRET`, `SEKISHO_LOG_LEVEL`, `SEKISHO_DEMO_STATE_DIR`, each also as
 * `<NAME>_FILE` holding a file path), then `overrides`. `HTTPS_PROXY` fills in
 * `push.webPush.proxy` when the file sets none.
 *
 * Secret keys may be given in YAML as `<key>File: <path>` instead of inline, e.g.
 * `sms: { karaden: { tokenFile: /run/secrets/karaden } }`. This works for `secret`,
 * `sms.karaden.token`, `sms.callbackSecret`, `database.url`, `redis.url` and the VAPID keys
 * (`push.webPush.vapidPublicKey`, `push.webPush.vapidPrivateKey`); relative paths are
 * resolved against the config file's directory, and trailing newlines are dropped.
 *
 * Never throws for bad configuration: every problem is returned as `config: <key.path>: <message>`,
 * without secret values. `demo` is true when neither `database.url` nor `redis.url` is set.
 */
export function loadConfig(opts: LoadConfigOptions = {}): ConfigResult {
  const env = opts.env ?? process.env;
  const problems = new Problems();
  const root = assemble(opts, env, problems);
  if (!root) return { ok: false, errors: problems.errors };
  const parsed = configSchema.safeParse(root);
  if (!parsed.success) problems.addIssues(parsed.error.issues, collectSecretValues(root));
  if (!parsed.success || !problems.ok) return { ok: false, errors: problems.errors };
  const config = deepFreeze(parsed.data);
  // Redis through Sentinel counts as configured Redis: only a config naming neither store is the demo.
  const noRedis = config.redis.url === undefined && config.redis.sentinels === undefined;
  return { ok: true, config, demo: config.database.url === undefined && noRedis };
}
