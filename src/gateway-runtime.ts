import { compileNetworks } from './domain/networks.ts';
import { environmentWatch, notifyByChannel } from './core/known-environments.ts';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.ts';
import { createArgon2Hasher } from './adapters/argon2-hasher.ts';
import { MemoryStore } from './adapters/memory/memory-store.ts';
import { createPool, migrate } from './adapters/pg/database.ts';
import { PgAuditLog } from './adapters/pg/pg-audit-log.ts';
import { PgChangeFeed } from './adapters/pg/pg-change-feed.ts';
import { sealedBox } from './adapters/crypto/sealed-box.ts';
import { PgKeyStore } from './adapters/pg/pg-key-store.ts';
import { startAssertions } from './core/assertions.ts';
import {
  PgCredentialRepository,
  PgFactorActivationRepository,
  PgRecoveryCodeRepository,
} from './adapters/pg/pg-credential-repository.ts';
import { PgWebAuthnRepository } from './adapters/pg/pg-webauthn-repository.ts';
import { PgRuleRepository } from './adapters/pg/pg-rule-repository.ts';
import { PgUserRepository } from './adapters/pg/pg-user-repository.ts';
import { RedisStore } from './adapters/redis/redis-store.ts';
import { AdminService } from './core/admin-service.ts';
import { ChangeWatcher } from './core/change-watcher.ts';
import { buildCatalogue } from './core/method-catalogue.ts';
import { PasswordLogin } from './core/password-login.ts';
import { Readiness } from './core/readiness.ts';
import { RuleEngine } from './core/rule-engine.ts';
import { SessionService } from './core/session-service.ts';
import { SekishoError } from './domain/errors.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { Store } from './ports/store.ts';
import { buildApp } from './app.ts';
import { configuredPlugins } from './plugins-registry.ts';
import { enabledMethodInfos, loadMethods } from './core/plugin-host.ts';
import type { Gateway } from './core/gateway.ts';
import { countedProbe, countStoreErrors, createMetrics } from './metrics/metrics.ts';
import { AuditRetention } from './adapters/pg/audit-retention.ts';
import { MeteredAuditLog } from './core/metered-audit-log.ts';
import { createPushService } from './features/push/push-service.ts';

export interface RuntimeOptions {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Collect Node's default process metrics (off in tests, where many apps share a process). */
  readonly processMetrics?: boolean;
  /** The database URL when the config has none (the demo's embedded Postgres). */
  readonly databaseUrl?: string;
  /** Allow a random per-process secret (the demo); otherwise `secret` is required so instances agree. */
  readonly ephemeralSecret?: boolean;
  /** The schema is already migrated (a cluster worker: its supervisor migrated once for all). */
  readonly migrated?: boolean;
}

/** A running gateway: its app (not yet listening), its parts, and how to stop it cleanly. */
export interface GatewayRuntime {
  readonly app: FastifyInstance;
  readonly gateway: Gateway;
  readonly watcher: ChangeWatcher;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/** pino JSON logs; `destination` defaults to stdout (tests capture it). */
export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.log.level,
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.otp'],
        censor: '[redacted]',
      },
      serializers: {
        // The path only: a query string may carry a backend's tokens, and cookies are never logged.
        req: (req: { id: string; method: string; url: string; ip?: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
          ip: req.ip,
        }),
      },
    },
    destination,
  );
}

/** Connects the store: Redis when configured, else the in-process store. */
export async function openStore(config: Config, clock: Clock): Promise<Store> {
  if (!config.redis.url && !config.redis.sentinels) return new MemoryStore(clock);
  const store = new RedisStore(config.redis, clock);
  await store.connect();
  return store;
}

/** Opens Postgres and the store, loads the rules, builds the app. Does not listen. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<GatewayRuntime> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config);
  const databaseUrl = config.database.url ?? options.databaseUrl;
  if (!databaseUrl) throw new SekishoError('SEKISHO_ERR_CONFIG', 'config: database.url: required');
  if (!config.secret && !options.ephemeralSecret) {
    throw new SekishoError(
      'SEKISHO_ERR_CONFIG',
      'config: secret: required outside the demo (every instance must share it; set SEKISHO_SECRET or SEKISHO_SECRET_FILE)',
    );
  }
  const pool = createPool(databaseUrl, config.database.schema, config.database.poolSize);
  if (!options.migrated) await migrate(pool, config.database.schema);
  // An open pool would keep a start-up that failed here alive.
  const store = await openStore(config, clock).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  const gateway = await assemble(config, {
    clock,
    log,
    pool,
    store,
    processMetrics: options.processMetrics ?? true,
  });
  const loaded = await gateway.rules.reload();
  if (!loaded.ok) {
    await store.close();
    await pool.end();
    throw new SekishoError('SEKISHO_ERR_RULE_INVALID', loaded.errors.join('\n'));
  }
  const watcher = new ChangeWatcher({ ...gateway, feed: new PgChangeFeed(pool), rules: gateway.rules });
  await watcher.start(config.rules.pollIntervalMs);
  gateway.readiness.start(2000);
  const retention = new AuditRetention(
    { pool, audit: gateway.audit, log: log.child({ component: 'audit-retention' }) },
    { retentionDays: config.audit.retentionDays },
  );
  retention.start(config.audit.purgeIntervalSeconds * 1000);
  const app = await buildApp(gateway);
  return {
    app,
    gateway,
    watcher,
    pool,
    close: async () => {
      gateway.readiness.stop();
      gateway.sessions.stop();
      gateway.assertions?.stop();
      gateway.metrics.eventLoopDelay?.stop();
      await retention.stop();
      await watcher.stop();
      await app.close();
      for (const { method } of gateway.methods.values()) await method.close?.();
      await gateway.push?.close();
      await store.close();
      await pool.end();
    },
  };
}

async function assemble(
  config: Config,
  deps: { clock: Clock; log: Logger; pool: pg.Pool; store: Store; processMetrics: boolean },
): Promise<Gateway> {
  const { clock, log, pool, store } = deps;
  const users = new PgUserRepository(pool);
  const ruleRepository = new PgRuleRepository(pool);
  const metrics = createMetrics(deps.processMetrics);
  countStoreErrors(metrics, pool, store);
  // Every audit event also goes to the pino log and the Prometheus counters.
  const audit = new MeteredAuditLog(new PgAuditLog(pool), log.child({ component: 'audit' }), metrics);
  const hasher = await createArgon2Hasher();
  // Each plugin's section is parsed here, once; a bad one ends start-up naming its key.
  const plugins = configuredPlugins(config);
  const catalogue = buildCatalogue(enabledMethodInfos(plugins));
  const rules = new RuleEngine(ruleRepository, catalogue, compileNetworks(config.networks));
  const secret = config.secret ?? randomBytes(32).toString('base64url');
  const keys = new PgKeyStore(pool, (purpose) => sealedBox(secret, `keys:${purpose}`));
  const pushLog = log.child({ component: 'push' });
  const push = config.push.enabled
    ? createPushService({ pool, store, clock, config, secret, audit, keys, log: pushLog })
    : null;
  // The VAPID key pair is read or made now, so a key store that cannot give one stops start-up.
  await push?.webPushKey();
  const services = push ? { push } : {};
  const credentials = new PgCredentialRepository(pool);
  const webauthn = new PgWebAuthnRepository(pool);
  const sealFor = (purpose: string) => sealedBox(secret, purpose);
  const clearPhone = (userId: string) => users.update(userId, { phone: null });
  const methods = await loadMethods(plugins, {
    ...{ config, store, clock, log, audit, secret, services },
    ...{ credentials, webauthn, sealFor, clearPhone },
  });
  const sessions = new SessionService(
    store,
    clock,
    {
      idleMs: config.session.idleTimeoutSeconds * 1000,
      absoluteMs: config.session.absoluteTimeoutSeconds * 1000,
    },
    config.sessionCache,
    // The entry being refreshed still expires on time; the next request then reads (and fails) itself.
    () => metrics.storeErrors.inc({ store: 'session' }),
    environmentWatch({
      ...{ store, secret, audit, days: config.push.knownEnvironmentDays },
      // Only while some rule says newdevice=: otherwise logins neither look up nor tell anything.
      enabled: () => rules.current.hasNewDevice,
      notify: notifyByChannel({ methods, users, clock }),
      onError: (error) => log.error({ err: error }, 'new-environment notice failed'),
    }),
  );
  await sessions.start();
  // A dropped store connection turns the session cache off at once, so requests fail closed.
  store.onConnectionLost(() => sessions.suspendCache());
  const policy = {
    maxFailures: config.password.maxFailures,
    lockoutMs: config.password.lockoutSeconds * 1000,
  };
  const readiness = new Readiness([
    {
      name: 'postgres',
      check: countedProbe(metrics, 'postgres', async () => void (await pool.query('SELECT 1'))),
    },
    {
      name: 'store',
      check: countedProbe(metrics, store.kind, () => store.ping()),
    },
  ]);
  return {
    config,
    clock,
    log,
    store,
    users,
    ruleRepository,
    rules,
    catalogue,
    sessions,
    passwordLogin: new PasswordLogin({ users, hasher, audit, clock }, policy),
    hasher,
    audit,
    auditTrail: new PgAuditLog(pool),
    readiness,
    metrics,
    methods,
    push,
    secret,
    keys,
    assertions: await startAssertions(config, keys, clock, log),
    sealFor,
    credentials,
    recoveryCodes: new PgRecoveryCodeRepository(pool),
    factorActivations: new PgFactorActivationRepository(pool),
  };
}

/** The admin service over a running gateway's repositories (the demo seeds with it, tests set up with it). */
export function createAdmin(gateway: Gateway): AdminService {
  return new AdminService({
    users: gateway.users,
    rules: gateway.ruleRepository,
    hasher: gateway.hasher,
    audit: gateway.audit,
    catalogue: gateway.catalogue,
    networks: gateway.rules.networks,
  });
}
