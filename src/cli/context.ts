import { userInfo } from 'node:os';
import { compileNetworks } from '../domain/networks.ts';
import type pg from 'pg';
import { createArgon2Hasher } from '../adapters/argon2-hasher.ts';
import { createPool, migrate } from '../adapters/pg/database.ts';
import { PgAuditLog } from '../adapters/pg/pg-audit-log.ts';
import { PgRuleRepository } from '../adapters/pg/pg-rule-repository.ts';
import { PgUserRepository } from '../adapters/pg/pg-user-repository.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { AdminService } from '../core/admin-service.ts';
import { SekishoError } from '../domain/errors.ts';
import { buildCatalogue } from '../core/method-catalogue.ts';
import type { AuditLog } from '../ports/audit.ts';
import { methodInfos } from '../plugins-registry.ts';
import { readDemoState, withDemoSettings, type DemoState } from '../demo/demo-state.ts';

/** What admin commands work with: the config, the auth DB and the admin service. */
export interface CliContext {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly admin: AdminService;
  readonly users: PgUserRepository;
  readonly rules: PgRuleRepository;
  /** Who the audit trail says made a change: `cli:<OS user>`. */
  readonly actor: string;
  /** The audit trail, naming {@link actor} for every change this process records as the CLI. */
  readonly audit: AuditLog;
  close(): Promise<void>;
}

/** Loads and validates the config; exits with every problem listed. */
export function loadCliConfig(file: string | undefined): Config {
  const result = loadConfig({ file });
  if (!result.ok) throw new SekishoError('SEKISHO_ERR_CONFIG', result.errors.join('\n'));
  return result.config;
}

/**
 * Opens the auth DB. Without `database.url`, admin commands talk to the running demo
 * (`npm start`), whose embedded Postgres address is in .sekisho-demo/state.json (or under
 * `SEKISHO_DEMO_STATE_DIR`).
 */
export async function openCliContext(file: string | undefined): Promise<CliContext> {
  const loaded = loadCliConfig(file);
  const { config, url } = loaded.database.url
    ? { config: loaded, url: loaded.database.url }
    : requireRunningDemo(loaded);
  const pool = createPool(url, config.database.schema, 2);
  await migrate(pool, config.database.schema);
  const users = new PgUserRepository(pool);
  const rules = new PgRuleRepository(pool);
  const hasher = await createArgon2Hasher();
  const catalogue = buildCatalogue(methodInfos(config));
  const networks = compileNetworks(config.networks);
  const actor = cliActor();
  const audit = new PgAuditLog(pool);
  const admin = new AdminService({ users, rules, hasher, audit, catalogue, networks });
  return { config, pool, admin, users, rules, actor, audit, close: () => pool.end() };
}

/**
 * `cli:` and the OS user who ran the command, so that the audit trail says who changed what
 * from a shell. An account without a name (a container's bare UID) falls back to the login
 * variables, then to the UID.
 */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    const { SUDO_USER, USER } = process.env;
    return `cli:${SUDO_USER || USER || `uid ${process.getuid?.() ?? 'unknown'}`}`;
  }
}

/** The running demo's state and the config as it runs (its methods, its address), or null. */
export function runningDemo(loaded: Config): { config: Config; state: DemoState } | null {
  const state = readDemoState(loaded);
  if (!state) return null;
  const demo = withDemoSettings(loaded);
  return {
    state,
    config: { ...demo, publicUrl: state.publicUrl, listen: { ...demo.listen, port: state.port } },
  };
}

/** The running demo's database and config, or the one line that says to start it. */
function requireRunningDemo(loaded: Config): { config: Config; url: string } {
  const demo = runningDemo(loaded);
  if (!demo) {
    throw new SekishoError(
      'SEKISHO_ERR_CONFIG',
      'config: database.url: required (or start the demo with `npm start` first to administer it)',
    );
  }
  return { config: demo.config, url: demo.state.databaseUrl };
}
