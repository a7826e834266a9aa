/**
 * The deployment files must stay valid and agree with each other: `docker-compose config -q` on EVERY
 * compose file in the repository (found by name, so a new one is covered without touching this test),
 * the Sekisho configs they mount pass Sekisho's own validation and the doctor's baseline, and the load
 * balancer, Prometheus and the Grafana dashboard name what really exists. Requires the `docker-compose`
 * binary (Debian package `docker-compose`); without it the test fails instead of skipping, so that a
 * broken compose file cannot slip through a CI machine that lacks it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { buildCatalogue } from '../../src/core/method-catalogue.ts';
import { checkConfig } from '../../src/doctor/config-checks.ts';
import { checkRules } from '../../src/doctor/rule-checks.ts';
import { parseRules } from '../../src/domain/rules/parse-rule.ts';
import { compileRuleSet } from '../../src/domain/rules/rule-set.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { methodInfos } from '../../src/plugins-registry.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE_NAME = /^(docker-compose.*|compose(\..+)?)\.ya?ml$/;
const SKIP_DIRS = new Set(['node_modules', '.git', 'coverage', '.sekisho-demo', 'test-results']);
const MISSING =
  'the docker-compose binary is not installed: run `apt-get install docker-compose` (Debian) to run this test';

/** Every compose file anywhere in the repository. */
function composeFiles(dir = ROOT): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) found.push(...composeFiles(join(dir, entry.name)));
    else if (entry.isFile() && COMPOSE_NAME.test(entry.name)) found.push(join(dir, entry.name));
  }
  return found.sort();
}

/** Runs docker-compose; throws a clear error when the binary is missing. */
function dockerCompose(args: string[]): string {
  try {
    return execFileSync('docker-compose', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(MISSING, { cause: err });
    const detail = e.stderr?.trim() ?? '';
    throw new Error(`docker-compose ${args.join(' ')} exited ${e.status ?? e.code}: ${detail}`, {
      cause: err,
    });
  }
}

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: { published?: number | string; target?: number | string }[] | string[];
  secrets?: { source: string }[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  healthcheck?: { test?: string[]; disable?: boolean };
  user?: string;
  profiles?: string[];
}
/** The compose file as docker-compose resolves it (anchors, merges, profiles all included). */
function resolved(file: string): { services: Record<string, Service> } {
  return parse(dockerCompose(['-f', file, '--profile', 'monitoring', 'config'])) as {
    services: Record<string, Service>;
  };
}
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const files = composeFiles();
const scratch = mkdtempSync(join(tmpdir(), 'sekisho-compose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('compose files', () => {
  it('docker-compose is installed', () => {
    expect(dockerCompose(['version'])).toMatch(/docker-compose version|Docker Compose/i);
  });

  it('finds the root file and the production example', () => {
    const names = files.map((f) => relative(ROOT, f));
    expect(names).toContain('docker-compose.yml');
    expect(names).toContain('deploy/production/docker-compose.yml');
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s passes `docker-compose config -q`', (_name, file) => {
    // Throws, with docker-compose's own message, when the file is invalid or the binary is missing.
    dockerCompose(['-f', file, 'config', '-q']);
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))(
    '%s keeps secrets out of the environment',
    (_name, file) => {
      for (const [name, service] of Object.entries(resolved(file).services)) {
        for (const [key, value] of Object.entries(service.environment ?? {})) {
          if (/PASSWORD|SECRET|TOKEN|_URL$/.test(key) && !key.endsWith('_FILE') && !key.endsWith('__FILE')) {
            // The sample stack's demo Postgres password is the one documented exception.
            expect(`${name}.${key}=${value}`).toBe('postgres.POSTGRES_PASSWORD=sekisho');
          }
        }
      }
    },
  );
});

describe('docker-compose.yml: the sample stack', () => {
  const { services } = resolved(join(ROOT, 'docker-compose.yml'));

  it('runs the gateway, Postgres, Redis, the migration and two sample backends', () => {
    expect(Object.keys(services).sort()).toEqual([
      'gateway',
      'intranet',
      'migrate',
      'postgres',
      'redis',
      'whoami',
    ]);
    expect(services.gateway?.healthcheck?.test?.join(' ')).toContain('/_sekisho/healthz');
    expect(services.intranet?.command).toEqual(['demo-intranet', '--port', '9201', '--host', '0.0.0.0']);
  });

  it('mounts a Sekisho config that validates, with the SMS sandbox and both backends', () => {
    const result = loadConfig({
      file: join(ROOT, 'deploy/sekisho.compose.yaml'),
      env: { SEKISHO_SECRET_FILE: join(ROOT, 'deploy/secrets/sekisho_secret.example') },
    });
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.demo).toBe(false);
    expect(result.config.sms.sandbox).toEqual({ enabled: true, page: true });
    expect(Object.keys(result.config.backends)).toEqual(expect.arrayContaining(['portal', 'whoami']));
    const hosts = Object.values(result.config.backends).map((b) => new URL(b.url).hostname);
    for (const host of hosts) expect(Object.keys(services)).toContain(host);
  });

  it('its sample rules parse and meet the rule baseline', () => {
    const config = loadConfig({ file: join(ROOT, 'deploy/sekisho.compose.yaml'), env: {} });
    if (!config.ok) throw new Error(config.errors.join('\n'));
    const catalogue = buildCatalogue(methodInfos(config.config));
    const parsed = parseRules(read('deploy/rules.example.txt'), catalogue);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const ruleSet = compileRuleSet(parsed.rules);
    const findings = checkRules({
      ruleSet,
      catalogue,
      adminPrefix: '/_sekisho/admin/',
      adminIsBuiltin: false,
    });
    expect(findings).toEqual([]);
  });
});

describe('the image', () => {
  const dockerfile = read('Dockerfile');

  it('runs as a non-root user with a health check on /_sekisho/healthz', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/_sekisho\/healthz/m);
  });

  it('runs the bundle that test/process/compiled-build.test.ts lays out and runs', () => {
    expect(dockerfile).toMatch(/^RUN node scripts\/bundle\.ts \/build\b/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/build\/src\/ \.\/src\/$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", ("--[a-z-]+(=\d+)?", )*"src\/cli\/main\.js"\]$/m);
  });
});

describe('deploy/production: two gateways behind haproxy, Redis Sentinel, secrets from files', () => {
  const { services } = resolved(join(ROOT, 'deploy/production/docker-compose.yml'));
  const haproxy = read('deploy/production/haproxy.cfg');
  const gateways = Object.keys(services).filter((name) => services[name]?.command?.[0] === 'serve');

  it('runs two gateway replicas of one image and config', () => {
    expect(gateways).toEqual(['gateway1', 'gateway2']);
    const [one, two] = gateways.map((name) => services[name]);
    expect(one?.image).toBe(two?.image);
    expect(one?.environment).toEqual(two?.environment);
    expect(Object.keys(one?.environment ?? {})).toEqual(
      expect.arrayContaining(['SEKISHO_SECRET_FILE', 'DATABASE_URL_FILE', 'REDIS_URL_FILE']),
    );
  });

  it('puts haproxy in front of exactly those gateways, health-checked on readyz', () => {
    const servers = [...haproxy.matchAll(/^\s*server\s+(\S+)\s+(\S+):8080/gm)].map((m) => [m[1], m[2]]);
    expect(servers).toEqual(gateways.map((g) => [g, g]));
    expect(haproxy).toContain('http-check send meth GET uri /_sekisho/readyz');
    expect(haproxy).toContain('crt /run/secrets/tls_pem');
    expect(services.haproxy?.secrets?.map((s) => s.source)).toEqual(['tls_pem']);
    const published = (services.haproxy?.ports ?? []).map((p) =>
      typeof p === 'string' ? p : String(p.published),
    );
    expect(published.join(' ')).toMatch(/443/);
    for (const gateway of gateways) expect(services[gateway]?.ports ?? []).toEqual([]);
  });

  it('runs Redis with a replica and three sentinels that the config names', () => {
    const sentinels = Object.keys(services).filter((name) => name.startsWith('sentinel'));
    expect(sentinels).toEqual(['sentinel1', 'sentinel2', 'sentinel3']);
    expect(services['redis-replica']?.command?.join(' ')).toContain('--replicaof redis-primary 6379');
    const config = parse(read('deploy/production/sekisho.yaml')) as {
      redis: { sentinels: { host: string }[]; sentinelName: string };
    };
    expect(config.redis.sentinels.map((s) => s.host)).toEqual(sentinels);
    expect(read('deploy/production/redis/sentinel.conf')).toContain(
      `sentinel monitor ${config.redis.sentinelName} redis-primary 6379 2`,
    );
  });

  it('its Sekisho config validates with the secrets from files and passes the doctor with no high finding', () => {
    const secret = (name: string, value: string) => {
      const file = join(scratch, name);
      writeFileSync(file, `${value}\n`);
      return file;
    };
    const file = join(ROOT, 'deploy/production/sekisho.yaml');
    const result = loadConfig({
      file,
      env: {
        SEKISHO_SECRET_FILE: secret('sekisho_secret', 'q8V1mZp3Lr7Tn2Ks9Wd4Hy6Bc0Fj5Gx1Nv8Re3Ua7Yt'),
        DATABASE_URL_FILE: secret('database_url', 'postgres://sekisho:pw@postgres:5432/sekisho'),
        REDIS_URL_FILE: secret('redis_url', 'redis://:pw@redis-primary:6379'),
        KARADEN_TOKEN_FILE: secret('karaden_token', 'token'),
        SEKISHO_SMS_CALLBACK_SECRET_FILE: secret('sms_callback_secret', 'callback-0123456789abcdef'),
      },
    });
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    const explicitKeys = new Set(Object.keys(parse(readFileSync(file, 'utf8')) as object));
    const findings = checkConfig({ config: result.config, explicitKeys, publicSecretDigests: [] });
    expect(findings.filter((f) => f.severity !== 'low')).toEqual([]);
    // Only haproxy's fixed address may set X-Forwarded-For.
    const address = services.haproxy?.networks?.edge?.ipv4_address;
    expect(result.config.trustProxy).toEqual([address]);
  });

  it('keeps the operations endpoints off the public side of haproxy', () => {
    const pattern = /path,url_dec,lower -m reg (\S+)/.exec(haproxy)?.[1] ?? 'missing';
    const internal = new RegExp(pattern);
    for (const path of [
      '/_sekisho/metrics',
      '//_sekisho/metrics',
      '/_sekisho/x/../metrics',
      '/_sekisho/sandbox/sms',
    ])
      expect(internal.test(path), path).toBe(true);
    for (const path of ['/_sekisho/login', '/_sekisho/me', '/portal/metrics'])
      expect(internal.test(path), path).toBe(false);
  });
});

describe('monitoring: Prometheus scrape config and the Grafana dashboard', () => {
  const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
  };
  const dashboard = JSON.parse(read('deploy/grafana/sekisho-dashboard.json')) as {
    panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
  };

  it('scrapes every gateway directly on /_sekisho/metrics', () => {
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'sekisho');
    expect(job?.metrics_path).toBe('/_sekisho/metrics');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual(['gateway1:8080', 'gateway2:8080']);
  });

  it('charts only metrics the gateway exports', async () => {
    const exported = new Set(
      (await createMetrics(true).registry.getMetricsAsJSON()).map((m) => m.name).concat('up'),
    );
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\b(sekisho_[a-z0-9_]+|up)\{/g)].map((m) => m[1] ?? '')),
    );
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(exported, name).toContain(name.replace(/_(bucket|count|sum)$/, ''));
  });

  it('has the panels the issue asks for, all on the chosen data source', () => {
    const charted = dashboard.panels.filter((p) => p.type !== 'row');
    const titles = charted.map((p) => p.title).join(' | ');
    for (const part of [
      'Logins by method',
      'SMS sends by provider',
      'Push outcomes',
      'Denials by rule',
      'Upstream latency per backend',
      'Redis / Postgres errors',
    ])
      expect(titles).toContain(part);
    for (const panel of charted) expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    const exprs = charted
      .flatMap((p) => p.targets ?? [])
      .map((t) => t.expr)
      .join('\n');
    expect(exprs).toContain('sekisho_access_decisions_total{decision="forbidden"');
    expect(exprs).toContain('sekisho_upstream_seconds_bucket');
  });
});
