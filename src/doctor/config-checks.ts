/**
 * Pure checks of the effective configuration against the security baseline. Each check returns
 * its findings; none reads files, the environment or the network.
 */
import type { Config } from '../config/schema.ts';
import { secretDigest } from './public-secrets.ts';
import type { Finding } from './types.ts';

/** NIST SP 800-63B AAL2: re-authenticate after 30 minutes of inactivity and 12 hours in all. */
export const AAL2_IDLE_SECONDS = 30 * 60;
export const AAL2_ABSOLUTE_SECONDS = 12 * 3600;
/** 256 bits of base64 (`openssl rand -base64 32`). */
const STRONG_SECRET_LENGTH = 43;
const PLACEHOLDER = /change|example|secret|password|placeholder|xxxx|dummy|test/i;

export interface ConfigFacts {
  readonly config: Config;
  /** Keys present in the config file itself (top level), so defaults can be told from choices. */
  readonly explicitKeys: ReadonlySet<string>;
  /** SHA-256 digests (hex) of secrets known to be public (the repository's example secret). */
  readonly publicSecretDigests: readonly string[];
}

export function checkConfig(facts: ConfigFacts): Finding[] {
  return [
    ...checkPublicUrl(facts.config),
    ...checkTimeouts(facts.config),
    ...checkSecret(facts.config, facts.publicSecretDigests),
    ...checkTrustProxy(facts.config, facts.explicitKeys),
    ...checkStores(facts.config),
    ...checkSms(facts.config),
    ...checkWebPush(facts.config),
    ...checkLogging(facts.config),
  ];
}

export function checkPublicUrl(config: Config): Finding[] {
  const https = config.publicUrl.startsWith('https:');
  if (!https) {
    return [
      {
        id: 'public-url-http',
        severity: 'high',
        subject: 'publicUrl',
        message: `${config.publicUrl} is not https: passwords, codes and session cookies cross the network in clear text`,
        fix: 'terminate TLS in front of Sekisho (or at the load balancer) and set publicUrl: https://<host>',
      },
    ];
  }
  if (!config.session.secureCookie) {
    return [
      {
        id: 'cookie-not-secure',
        severity: 'high',
        subject: 'session.secureCookie',
        message: 'the session cookie is not marked Secure: a browser will send it over plain http too',
        fix: 'remove session.secureCookie: false (with an https publicUrl it defaults to true)',
      },
    ];
  }
  return [];
}

export function checkTimeouts(config: Config): Finding[] {
  const { idleTimeoutSeconds: idle, absoluteTimeoutSeconds: absolute } = config.session;
  const findings: Finding[] = [];
  if (idle > AAL2_IDLE_SECONDS) {
    findings.push({
      id: 'idle-timeout-long',
      severity: 'high',
      subject: 'session.idleTimeoutSeconds',
      message: `${idle} s is longer than the 30 minutes of inactivity NIST SP 800-63B allows at AAL2`,
      fix: `set session.idleTimeoutSeconds: ${AAL2_IDLE_SECONDS} or less`,
    });
  }
  if (absolute > AAL2_ABSOLUTE_SECONDS) {
    findings.push({
      id: 'absolute-timeout-long',
      severity: 'high',
      subject: 'session.absoluteTimeoutSeconds',
      message: `${absolute} s is longer than the 12 hours NIST SP 800-63B allows at AAL2`,
      fix: `set session.absoluteTimeoutSeconds: ${AAL2_ABSOLUTE_SECONDS} or less (the default is 28800, 8 h)`,
    });
  }
  return findings;
}

export function checkSecret(config: Config, publicSecretDigests: readonly string[]): Finding[] {
  const fix =
    'generate one with `openssl rand -base64 32` and give it to every instance as SEKISHO_SECRET_FILE';
  const { secret } = config;
  if (secret === undefined) {
    const message =
      'no server secret: each process makes a random one, so instances disagree and restarts end sessions';
    return [{ id: 'secret-missing', severity: 'high', subject: 'secret', message, fix }];
  }
  if (publicSecretDigests.includes(secretDigest(secret))) {
    const message =
      'the secret is the example from the repository: anyone can forge its HMACs and signed cookies';
    return [{ id: 'secret-public', severity: 'high', subject: 'secret', message, fix }];
  }
  if (PLACEHOLDER.test(secret) || new Set(secret).size < 12) {
    const message = 'the secret looks like a placeholder, not random bytes';
    return [{ id: 'secret-weak', severity: 'high', subject: 'secret', message, fix }];
  }
  if (secret.length < STRONG_SECRET_LENGTH) {
    const message = `the secret has ${secret.length} characters; 43 base64 characters carry 256 bits`;
    return [{ id: 'secret-short', severity: 'low', subject: 'secret', message, fix }];
  }
  return [];
}

export function checkTrustProxy(config: Config, explicitKeys: ReadonlySet<string>): Finding[] {
  if (config.trustProxy === true) {
    return [
      {
        id: 'trust-proxy-any',
        severity: 'medium',
        subject: 'trustProxy',
        message:
          'X-Forwarded-For is believed from anyone: a client can choose the IP that rate limits and the audit trail see',
        fix: 'list the load balancers instead: trustProxy: [10.0.0.10, 10.0.0.11] (or a CIDR)',
      },
    ];
  }
  if (!explicitKeys.has('trustProxy')) {
    return [
      {
        id: 'trust-proxy-implicit',
        severity: 'low',
        subject: 'trustProxy',
        message:
          'trustProxy is not set: the default (false) is safe, but behind a load balancer every client then has its address',
        fix: 'say what is in front: trustProxy: false when clients connect directly, else the balancers’ addresses',
      },
    ];
  }
  return [];
}

export function checkStores(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (!config.database.url) {
    findings.push({
      id: 'database-embedded',
      severity: 'high',
      subject: 'database.url',
      message: 'no database.url: the embedded demo database is not for production',
      fix: 'set database.url (or DATABASE_URL_FILE) to a managed PostgreSQL and run `sekisho migrate`',
    });
  }
  if (!config.redis.url && !config.redis.sentinels) {
    findings.push({
      id: 'redis-in-process',
      severity: 'medium',
      subject: 'redis.url',
      message:
        'no Redis: sessions and codes live in one process, so only one instance can run and a restart logs everyone out',
      fix: 'set redis.url, or redis.sentinels with redis.sentinelName for a highly available Redis',
    });
  }
  return findings;
}

/**
 * Web Push endpoints allowed over plain http are for test set-ups: the push (encrypted, but with
 * its VAPID header and the subscription's address) would cross the network in clear text.
 */
export function checkWebPush(config: Config): Finding[] {
  if (!config.push.enabled || !config.push.webPush.enabled) return [];
  return config.push.webPush.allowedEndpoints
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.toLowerCase().startsWith('http://'))
    .map(({ entry, index }) => ({
      id: 'web-push-http-endpoint',
      severity: 'high' as const,
      subject: `push.webPush.allowedEndpoints.${index}`,
      message: `${entry} lets the gateway post pushes over plain http: meant for tests only`,
      fix: "allow only https:// push services (the default list: the browser vendors' push services)",
    }));
}

/**
 * The SMS sandbox is for the demo only, which turns it on by itself (src/demo/demo-state.ts) and
 * never through a config file: any config that enables it is outside the demo, whatever its URL.
 */
export function checkSms(config: Config): Finding[] {
  const providers = Array.isArray(config.sms.provider) ? config.sms.provider : [config.sms.provider];
  const findings: Finding[] = [];
  if (config.sms.sandbox.enabled) {
    findings.push({
      id: 'sms-sandbox-enabled',
      severity: 'high',
      subject: 'sms.sandbox.enabled',
      message: providers.includes('sandbox')
        ? 'the SMS sandbox provider is in use: the codes it "sends" never reach a phone and stay readable in the gateway (in a failover list, every code while Karaden is down)'
        : 'the SMS sandbox provider is enabled: listing it in sms.provider would keep codes inside the gateway',
      fix: 'remove sms.sandbox and take sandbox out of sms.provider (offer a second method instead: SMSOTP|MAMORU)',
    });
  }
  if (config.sms.sandbox.page) {
    findings.push({
      id: 'sms-sandbox-page',
      severity: 'high',
      subject: 'sms.sandbox.page',
      message: 'the SMS sandbox page shows every code the sandbox "sent" to anyone who can reach the gateway',
      fix: 'remove sms.sandbox.page (only the demo needs it, and turns it on by itself)',
    });
  }
  if (providers.includes('karaden') && !config.sms.callbackSecret) {
    findings.push({
      id: 'sms-no-callback',
      severity: 'low',
      subject: 'sms.callbackSecret',
      message: 'no delivery reports: failed SMS deliveries are not recorded in the audit trail',
      fix: 'set sms.callbackSecret (16+ characters) and register {publicUrl}/_sekisho/sms/callback/<secret> with Karaden',
    });
  }
  return findings;
}

export function checkLogging(config: Config): Finding[] {
  if (config.log.level !== 'debug' && config.log.level !== 'trace') return [];
  return [
    {
      id: 'log-verbose',
      severity: 'low',
      subject: 'log.level',
      message: `log level ${config.log.level} writes far more than operations need`,
      fix: 'set log.level: info',
    },
  ];
}
