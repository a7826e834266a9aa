import { randomInt } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { Config } from '../config/schema.ts';
import { serveGateway } from '../server.ts';
import { withDemoSettings, writeDemoState } from './demo-state.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { startIntranet } from './intranet.ts';
import { createAdmin, type GatewayRuntime } from '../gateway-runtime.ts';

const departments = ['portal', 'eigyo', 'gijutsu', 'keiri', 'public'] as const;

/** The demo rules: one line per departmental site, IceWall style. */
export const demoRules = [
  '/portal/=ALL;;',
  '/eigyo/=@eigyo,@admins;;',
  '/gijutsu/=ALL;;MAMORU',
  '/keiri/=@keiri;;SMSOTP',
  '/public/=ALL;;BYPASS',
];

/**
 * `npm start` with nothing configured: embedded Postgres, the in-process store, the sample
 * intranet on its own port, demo rules and a demo user whose random password is printed once.
 */
export async function runDemo(base: Config): Promise<void> {
  const postgres = await startEmbeddedPostgres();
  const intranet = await startIntranet({ port: 0 });
  const backends = Object.fromEntries(
    departments.map((d) => [d, { url: `${intranet.url}/${d}`, timeoutMs: 30_000, connectTimeoutMs: 5000 }]),
  );
  const config = await withConcretePort({
    ...withDemoSettings(base),
    backends: { ...backends, ...base.backends },
  });
  const runtime = await serveGateway(config, { databaseUrl: postgres.url, ephemeralSecret: true });
  const password = await seed(runtime);
  const activation = await runtime.gateway.push?.createActivation('demo', { actor: 'demo' });
  writeDemoState(config, { databaseUrl: postgres.url, publicUrl: config.publicUrl, pid: process.pid });
  printWelcome(config, password, activation?.url ?? null);
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
  await admin.importRules(demoRules.join('\n'), 'demo', true);
  await runtime.watcher.poll();
  return password;
}

/** 14 letters and digits from a CSPRNG (no symbols, so it copies cleanly from a terminal). */
function demoPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return Array.from({ length: 14 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function printWelcome(config: Config, password: string, activationUrl: string | null): void {
  const url = `${config.publicUrl}/portal/`;
  console.log(`
  関所 Sekisho demo is running (embedded Postgres, in-process store, sample intranet).

    Open:      ${url}
    User ID:   demo
    Password:  ${password}     (shown once; a new one at every start)

  SMS codes: ${config.publicUrl}/_sekisho/sandbox/sms   (経理部 /keiri/ asks for one)
  Push:      技術部 /gijutsu/ asks for the ID only, then a tap in the authenticator.
             Open this once in another browser window to make it demo's authenticator
             (single use, valid one hour; \`npm run -s sekisho -- push enroll demo\` makes another):
             ${activationUrl ?? '(push is disabled in this config)'}
  Admin:     ${config.publicUrl}/_sekisho/admin/   (demo is in @admins; password + SMS code)
  Yours:     ${config.publicUrl}/_sekisho/me        (your sessions, devices and phone number)
  Rules:     ${demoRules.join('   ')}
  Admin CLI: npm run -s sekisho -- rule list     (talks to this demo while it runs)
  Stop:      Ctrl+C
`);
}
