import { randomInt } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import pretty from 'pino-pretty';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { SekishoError } from '../domain/errors.ts';
import { ensurePortFree, serveGateway } from '../server.ts';
import { demoBanner, demoRules } from './banner.ts';
import { demoStatePath, readDemoState, withDemoSettings, writeDemoState } from './demo-state.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { answerFavicon } from './favicon.ts';
import { startIntranet } from './intranet.ts';
import { createAdmin, createLogger, type GatewayRuntime } from '../gateway-runtime.ts';

const departments = ['portal', 'eigyo', 'gijutsu', 'keiri', 'public'] as const;

/**
 * `npm start` with nothing configured: embedded Postgres, the in-process store, the sample
 * intranet on its own port, demo rules and a demo user whose random password is printed in the
 * welcome, which Enter in this terminal (or `sekisho demo banner`) prints again.
 */
export async function runDemo(base: Config): Promise<void> {
  refuseSecondDemo(base);
  // A taken port is said in a second, not after the database has started.
  if (base.listen.port !== 0) await ensurePortFree(base);
  const postgres = await startEmbeddedPostgres();
  const intranet = await startIntranet({ port: 0 });
  const backends = Object.fromEntries(
    departments.map((d) => [d, { url: `${intranet.url}/${d}`, timeoutMs: 30_000, connectTimeoutMs: 5000 }]),
  );
  const config = await withConcretePort({
    ...withDemoSettings(base),
    backends: { ...backends, ...base.backends },
  });
  let runtime: GatewayRuntime;
  try {
    runtime = await serveGateway(config, {
      databaseUrl: postgres.url,
      ephemeralSecret: true,
      log: demoLog(config),
    });
  } catch (error) {
    await Promise.all([postgres.close(), intranet.close()]);
    throw error;
  }
  answerFavicon(runtime.app.server);
  const password = await seed(runtime);
  const activation = await runtime.gateway.push?.createActivation('demo', { actor: 'demo' });
  const facts = { publicUrl: config.publicUrl, password, activationUrl: activation?.url ?? null };
  writeDemoState(config, { ...facts, databaseUrl: postgres.url, port: config.listen.port, pid: process.pid });
  const banner = demoBanner(facts);
  console.log(banner);
  // Enter in this terminal shows the welcome again, when the logs have scrolled it away.
  process.stdin.setEncoding('utf8').on('data', (text: string) => {
    if (text.includes('\n')) console.log(banner);
  });
}

/**
 * Two demos with one state directory would each take the other's CLI: the second is refused
 * before it starts anything, with the way to run it beside the first.
 */
function refuseSecondDemo(base: Config): void {
  const running = readDemoState(base);
  if (!running) return;
  throw new SekishoError(
    'SEKISHO_ERR_CONFIG',
    `demo: another demo (pid ${running.pid}) is running at ${running.publicUrl} with its state in ${demoStatePath(base)}: ` +
      'use that one (`npm run demo:banner` shows its welcome), stop it, or run this one beside it with ' +
      'SEKISHO_DEMO_STATE_DIR=/tmp/demo2 PORT=0 npm start',
  );
}

/**
 * The demo's log: readable lines (pino-pretty) and, at the default level, warnings and errors
 * only, so that the welcome stays in view; any other `log.level` (`SEKISHO_LOG_LEVEL=debug`
 * shows every request) is taken as given. `sekisho serve` with a config keeps JSON lines.
 */
function demoLog(config: Config): Logger {
  const level = config.log.level === 'info' ? 'warn' : config.log.level;
  const stream = pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true,
  });
  return createLogger({ ...config, log: { level } }, stream);
}

/**
 * `PORT=0` asks for any free port. The demo picks one before it starts, so that the URLs it
 * prints, the activation link and the SMS origin line (all made from `publicUrl`) name the port
 * it really listens on, not `:0`.
 */
async function withConcretePort(config: Config): Promise<Config> {
  if (config.listen.port !== 0) return config;
  const port = await freePort(config.listen.host);
  const publicUrl = new URL(config.publicUrl);
  if (publicUrl.port === '0') publicUrl.port = String(port);
  return { ...config, listen: { ...config.listen, port }, publicUrl: publicUrl.origin };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function seed(runtime: GatewayRuntime): Promise<string> {
  const { gateway } = runtime;
  const admin = createAdmin(gateway);
  for (const group of ['eigyo', 'gijutsu', 'keiri', 'admins']) await admin.addGroup(group, 'demo');
  const password = demoPassword();
  await admin.addUser(
    {
      id: 'demo',
      displayName: 'デモ 太郎',
      groups: ['eigyo', 'gijutsu', 'keiri', 'admins'],
      phone: '+819012345678',
      password,
    },
    'demo',
  );
  // Checked like any import: the groups the rules name were created above, so an unknown name
  // would be a mistake in demoRules, and the demo refuses to start on it rather than save it.
  await admin.importRules(demoRules.join('\n'), 'demo', true);
  await runtime.watcher.poll();
  return password;
}

/** 14 letters and digits from a CSPRNG (no symbols, so it copies cleanly from a terminal). */
function demoPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return Array.from({ length: 14 }, () => alphabet[randomInt(alphabet.length)]).join('');
}
