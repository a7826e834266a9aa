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
import { methodInfos } from '../plugins-registry.ts';
import { readDemoState, withDemoSettings } from '../demo/demo-state.ts';

/** What admin commands work with: the config, the auth DB and the admin service. */
export interface CliContext {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly admin: AdminService;
  readonly users: PgUserRepository;
  readonly rules: PgRuleRepository;
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
    : runningDemo(loaded);
  const pool = createPool(url, config.database.schema, 2);
  await migrate(pool, config.database.schema);
  const users = new PgUserRepository(pool);
  const rules = new PgRuleRepository(pool);
  const hasher = await createArgon2Hasher();
  const catalogue = buildCatalogue(methodInfos(config));
  const networks = compileNetworks(config.networks);
  const admin = new AdminService({ users, rules, hasher, audit: new PgAuditLog(pool), catalogue, networks });
  return { config, pool, admin, users, rules, close: () => pool.end() };
}

/** The running demo's database, and the config as the demo runs it (its methods, its address). */
function runningDemo(loaded: Config): { config: Config; url: string } {
  const state = readDemoState(loaded);
  if (!state) {
    throw new SekishoError(
      'SEKISHO_ERR_CONFIG',
      'config: database.url: required (or start the demo with `npm start` first to administer it)',
    );
  }
  return { config: { ...withDemoSettings(loaded), publicUrl: state.publicUrl }, url: state.databaseUrl };
}
