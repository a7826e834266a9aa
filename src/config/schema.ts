/**
 * The configuration schema: one zod schema per section, composed into {@link configSchema}, which is
 * the single source of the config types. Sections are strict (unknown keys are errors, so typos are
 * caught) except `plugins` and `admin`, whose contents belong to plugins and later features.
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { brandingSchema, timeZone } from './branding-schema.ts';
import { networksSchema } from './networks-schema.ts';
import { pushSchema } from './push-schema.ts';
import {
  cookieName,
  headerName,
  httpUrl,
  intIn,
  originUrl,
  port,
  trustProxy,
  urlWithSchemes,
} from './primitives.ts';
import { smsSchema } from './sms-schema.ts';

export { SMS_PROVIDERS, smsProviders } from './sms-schema.ts';
export type { SmsProviderName } from './sms-schema.ts';

/** Log levels accepted by pino (plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The gateway's cookies besides the session's, before any `__Host-`/`__Secure-` prefix
 * (web/session-cookie.ts names them from here): the session cookie may not take their names.
 */
export const GATEWAY_COOKIES = {
  csrf: 'sekisho_csrf',
  flow: 'sekisho_flow',
  lang: 'sekisho_lang',
  way: 'sekisho_way',
} as const;
const GATEWAY_OWN_COOKIES: ReadonlySet<string> = new Set(Object.values(GATEWAY_COOKIES));

/** Reserved for the gateway's own routes, so no backend may take it. */
const RESERVED_BACKEND = '_sekisho';
const BACKEND_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** 31 days: a sanity bound that catches milliseconds typed where seconds are meant. */
const MAX_SESSION_SECONDS = 2_678_400;

const listenSchema = z.strictObject({
  host: z.string().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
  port: port.default(8080),
});

/** `server`: how long clients may take; slow clients cannot hold the gateway's sockets. */
const serverSchema = z.strictObject({
  /** A client must send its request headers within this (slow-loris guard). */
  headersTimeoutMs: intIn(100, 600_000).default(20_000),
  /** A client must send its whole request (headers and body) within this; 0: no limit. */
  requestTimeoutMs: intIn(0, 86_400_000).default(300_000),
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: intIn(100, 600_000).default(72_000),
  /**
   * A form posted to the gateway's own pages (login, codes, console) must arrive whole within
   * this, from the start of its request; a slower one is cut off (a login held open for minutes
   * is a slow-loris on the pages every user needs). Proxied bodies keep `requestTimeoutMs`.
   */
  formTimeoutMs: intIn(100, 600_000).default(10_000),
});

/** `sessionCache`: the in-process session cache in front of Redis (see SessionCache). */
const sessionCacheSchema = z.strictObject({
  /**
   * How long a session read from Redis may be reused in process (ms; 0: off). At most 1 s, so
   * that a revocation lands within 1 s even without the pub/sub announcement.
   */
  ttlMs: intIn(0, 1000).default(1000),
  /** Most sessions kept per process. */
  maxEntries: intIn(1, 1_000_000).default(10_000),
});

/** `cluster.workers` > 1 runs that many gateway processes (node:cluster) sharing the port. */
const clusterSchema = z.strictObject({ workers: intIn(1, 256).default(1) });

const databaseSchema = z.strictObject({
  url: urlWithSchemes('postgres', 'postgresql').optional(),
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL identifier' })
    .default('public'),
  poolSize: intIn(1, 1000).default(10),
});

const redisSchema = z
  .strictObject({
    url: urlWithSchemes('redis', 'rediss').optional(),
    keyPrefix: z.string().max(64).default('sekisho:'),
    sentinels: z
      .array(z.strictObject({ host: z.string().min(1), port }))
      .min(1)
      .optional(),
    sentinelName: z.string().min(1).optional(),
    commandTimeoutMs: intIn(1, 60_000).default(1000),
    /** Start-up gives up (exit 1, naming the key) when Redis has not answered within this. */
    startupTimeoutMs: intIn(500, 600_000).default(15_000),
  })
  .superRefine((redis, ctx) => {
    // ioredis cannot find the primary without the sentinel group name.
    if (redis.sentinels && redis.sentinelName === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sentinelName'],
        message: 'required when redis.sentinels is set',
      });
    }
  });

const backendName = z.string().superRefine((name, ctx) => {
  if (name === RESERVED_BACKEND)
    ctx.addIssue({ code: 'custom', message: `"${RESERVED_BACKEND}" is reserved` });
  else if (!BACKEND_NAME_RE.test(name)) {
    ctx.addIssue({ code: 'custom', message: `backend name must match ${BACKEND_NAME_RE.source}` });
  }
});

const backendSchema = z.strictObject({
  url: httpUrl,
  timeoutMs: intIn(1, 3_600_000).default(30_000),
  connectTimeoutMs: intIn(1, 600_000).default(5000),
});

const sessionSchema = z
  .strictObject({
    idleTimeoutSeconds: intIn(60, MAX_SESSION_SECONDS).default(1800),
    absoluteTimeoutSeconds: intIn(60, MAX_SESSION_SECONDS).default(28_800),
    cookieName: cookieName
      .refine((name) => !GATEWAY_OWN_COOKIES.has(name.replace(/^__(Host|Secure)-/, '')), {
        error: `must not be one of the gateway's other cookies (${[...GATEWAY_OWN_COOKIES].join(', ')})`,
      })
      .default('sekisho_sid'),
    /** Omitted: true exactly when `publicUrl` is https (filled in after parsing). */
    secureCookie: z.boolean().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.idleTimeoutSeconds > s.absoluteTimeoutSeconds) {
      const message = 'must be ≤ session.absoluteTimeoutSeconds';
      ctx.addIssue({ code: 'custom', path: ['idleTimeoutSeconds'], message });
    }
  });

function isP256PrivateKey(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

/** The identity headers' names unless `identityHeaders` renames them. */
export const defaultIdentityHeaders = {
  user: 'X-Remote-User',
  groups: 'X-Remote-Groups',
  methods: 'X-Remote-Auth-Methods',
  assertion: 'X-Remote-Assertion',
} as const;

const identityHeadersSchema = z
  .strictObject({
    user: headerName.default(defaultIdentityHeaders.user),
    groups: headerName.default(defaultIdentityHeaders.groups),
    methods: headerName.default(defaultIdentityHeaders.methods),
    /** The signed identity assertion (a JWT; see the `assertion` section). */
    assertion: headerName.default(defaultIdentityHeaders.assertion),
  })
  .superRefine((h, ctx) => {
    // Header names are case-insensitive; two identical names would let one value overwrite the other.
    if (new Set([h.user, h.groups, h.methods, h.assertion].map((n) => n.toLowerCase())).size < 4) {
      ctx.addIssue({
        code: 'custom',
        message: 'user, groups, methods and assertion must be different headers',
      });
    }
  });

/**
 * `assertion`: the signed identity assertion (ES256 JWT) sent with the identity headers. Its key
 * is made once and kept in Postgres, or read from `privateKey` (`privateKeyFile`: a PKCS#8 PEM).
 */
const assertionSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** How long an assertion is valid (`exp - iat`); at most 300 s. */
  lifetimeSeconds: intIn(10, 300).default(60),
  /** An EC P-256 private key (PKCS#8 PEM) instead of the key kept in Postgres. */
  privateKey: z
    .string()
    .refine(isP256PrivateKey, { error: 'must be an EC P-256 private key in PEM (PKCS#8 or SEC1)' })
    .optional(),
});

const passwordSchema = z.strictObject({
  maxFailures: intIn(1, 100).default(5),
  lockoutSeconds: intIn(1, 604_800).default(900),
  /** Login POSTs (failed and successful) allowed per client IP per window. */
  ipMaxAttempts: intIn(1, 100_000).default(30),
  ipWindowSeconds: intIn(1, 86_400).default(300),
});

const otpSchema = z.strictObject({
  length: intIn(4, 8).default(6),
  ttlSeconds: z
    .int({ error: 'must be an integer' })
    .min(1, { error: 'must be at least 1' })
    .max(600, { error: 'must be at most 600: NIST SP 800-63B limits OTP validity to 10 minutes' })
    .default(300),
  maxAttempts: intIn(1, 10).default(5),
  resendCooldownSeconds: intIn(0, 3600).default(30),
  maxSendsPerWindow: intIn(1, 1000).default(5),
  sendWindowSeconds: intIn(1, 86_400).default(3600),
  globalMaxSendsPerMinute: intIn(1, 100_000).default(60),
});

/**
 * `audit`: how long audit rows are kept. The purge job (one instance at a time, under a Postgres
 * advisory lock) deletes older rows through `purge_audit_events()`, the only way rows may leave.
 */
const auditSchema = z.strictObject({
  /** At least 30 days (the database function refuses less); 36500 keeps rows for good. */
  retentionDays: intIn(30, 36_500).default(400),
  purgeIntervalSeconds: intIn(60, 86_400).default(3600),
});

/** `demo`: only read by `npm start` (no database, no Redis) and the admin CLI that talks to it. */
const demoSchema = z.strictObject({
  /** Where the running demo leaves its embedded database's address for the CLI; omitted: `.sekisho-demo/`. */
  stateDir: z.string().min(1, { error: 'must not be empty' }).optional(),
});

const configObjectSchema = z.strictObject({
  listen: listenSchema.prefault({}),
  /** External origin of the gateway; omitted: `http://<listen.host>:<listen.port>`. */
  publicUrl: originUrl.optional(),
  trustProxy: trustProxy.default(false),
  /** Named client networks for rules' `from=` (see networks-schema.ts). */
  networks: networksSchema.prefault({}),
  database: databaseSchema.prefault({}),
  redis: redisSchema.prefault({}),
  backends: z.record(backendName, backendSchema).prefault({}),
  session: sessionSchema.prefault({}),
  identityHeaders: identityHeadersSchema.prefault({}),
  assertion: assertionSchema.prefault({}),
  password: passwordSchema.prefault({}),
  otp: otpSchema.prefault({}),
  sms: smsSchema.prefault({}),
  push: pushSchema.prefault({}),
  plugins: z.record(z.string(), z.unknown()).prefault({}),
  /** Server secret for HMACs and cookie signing; the demo generates one when absent. */
  secret: z
    .string({ error: 'must be a string' })
    .min(32, { error: 'must be at least 32 characters' })
    .optional(),
  /** Where `/` sends a browser (e.g. the intranet portal); omitted: `/` is handled like any path. */
  homePath: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*$/, { error: 'must be an absolute path such as /portal/' })
    .optional(),
  rules: z.strictObject({ pollIntervalMs: intIn(100, 10_000).default(1000) }).prefault({}),
  sessionCache: sessionCacheSchema.prefault({}),
  server: serverSchema.prefault({}),
  cluster: clusterSchema.prefault({}),
  /**
   * `proxy.leanPath`: allowed requests to backends skip Fastify (node:http → undici directly);
   * off routes every request through Fastify (for comparison and as an escape hatch).
   */
  proxy: z.strictObject({ leanPath: z.boolean().default(true) }).prefault({}),
  log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
  audit: auditSchema.prefault({}),
  admin: z.looseObject({}).prefault({}),
  demo: demoSchema.prefault({}),
  /** The organisation's name, logo and help-desk line on the gateway's own pages. */
  branding: brandingSchema.prefault({}),
  /** The zone clock times are written in on pages, in the console and in SMS texts. */
  timeZone: timeZone.default('Asia/Tokyo'),
});

type ParsedConfigObject = z.output<typeof configObjectSchema>;

/** Unspecified listen addresses are not reachable URLs; point the default at loopback instead. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Fills in the defaults that depend on other keys. */
function applyDerivedDefaults(c: ParsedConfigObject) {
  const publicUrl = c.publicUrl ?? `http://${urlHost(c.listen.host)}:${c.listen.port}`;
  const secureCookie = c.session.secureCookie ?? publicUrl.startsWith('https:');
  return { ...c, publicUrl, session: { ...c.session, secureCookie } };
}

/** The whole configuration file, with derived defaults (`publicUrl`, `session.secureCookie`) applied. */
export const configSchema = configObjectSchema.transform(applyDerivedDefaults);

/** The effective configuration (deep-frozen when produced by `loadConfig`). */
export type Config = z.output<typeof configSchema>;
/** What a config file (plus env and overrides) may contain before defaults are applied. */
export type ConfigInput = z.input<typeof configSchema>;

/** `listen`: address the HTTP server binds to. */
export type ListenConfig = Config['listen'];
/** `database`: PostgreSQL connection; no `url` means the embedded demo database. */
export type DatabaseConfig = Config['database'];
/** `redis`: shared store; no `url` means the in-process store. */
export type RedisConfig = Config['redis'];
/** One entry of `backends`: an upstream web app behind the gateway. */
export type BackendConfig = Config['backends'][string];
/** `session`: session lifetimes and cookie (with `secureCookie` resolved). */
export type SessionConfig = Config['session'];
/** `identityHeaders`: headers that carry the authenticated identity to backends. */
export type IdentityHeadersConfig = Config['identityHeaders'];
/** `assertion`: the signed identity assertion's lifetime and key. */
export type AssertionConfig = Config['assertion'];
/** `password`: lockout and per-IP login throttling. */
export type PasswordConfig = Config['password'];
/** `otp`: one-time-code length, lifetime, attempt and send limits. */
export type OtpConfig = Config['otp'];
/** `sms`: provider selection (see `smsProviders`) and provider credentials. */
export type SmsConfig = Config['sms'];
/** `push`: the push service the gateway runs for the MAMORU method. */
export type PushConfig = Config['push'];
/** `sms.karaden`: Karaden API settings (credentials validated only when Karaden is selected). */
export type KaradenConfig = NonNullable<SmsConfig['karaden']>;
/** `trustProxy`: passed unchanged to Fastify's `trustProxy` option. */
export type TrustProxyConfig = Config['trustProxy'];
/** `audit`: retention of the audit trail. */
export type AuditConfig = Config['audit'];
/** `log.level`. */
export type LogLevel = Config['log']['level'];
