import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { runSekisho } from '../support/cli.ts';
import { request } from '../support/gateway.ts';
import { launchDemo, welcomeValue, type Demo } from '../support/demo-process.ts';
import { isRefused, killIfRunning } from '../support/server-process.ts';
import { waitFor } from '../support/wait-for.ts';

/** The activation link the welcome prints on a line of its own under "Push:". */
function activationLink(stdout: string): string {
  const link = /^ +(http:\S+#activate=\S*)$/m.exec(stdout)?.[1];
  if (!link) throw new Error('the welcome prints no activation link');
  return link;
}

/** The row of one identity header in the sample intranet's "Identity from the gateway" panel. */
function identityRow(html: string, header: string): string | undefined {
  return new RegExp(`<th><code>${header}</code></th><td><code>([^<]*)</code>`).exec(html)?.[1];
}

describe('npm start: the demo on embedded storage, end to end', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sekisho-demo-state-'));
  const phoneDir = mkdtempSync(join(tmpdir(), 'sekisho-demo-phone-'));
  const cliEnv = { SEKISHO_DEMO_STATE_DIR: stateDir };
  // A demo a developer runs from this checkout keeps its state here; ours must leave it alone.
  const projectState = join(projectRoot, '.sekisho-demo', 'state.json');
  const readProjectState = () => (existsSync(projectState) ? readFileSync(projectState, 'utf8') : null);
  const projectStateBefore = readProjectState();
  let demo: Demo;
  let url: string;
  let port: number;
  let password: string;
  const output = () => demo.stdout();

  beforeAll(async () => {
    demo = launchDemo(stateDir);
    ({ url, port } = await demo.ready);
    password = welcomeValue(output(), 'Password');
  });
  afterAll(async () => {
    // Only if a test failed before the SIGTERM one: this process's own child, by its handle.
    await killIfRunning(demo);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(phoneDir, { recursive: true, force: true });
  });

  /** Logs `demo` in through the login form the gateway sends a browser to from `path`. */
  async function logIn(client: FormClient, path: string) {
    const first = await client.get(path);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(`/_sekisho/login?next=${encodeURIComponent(path)}`);
    const page = await client.get(String(first.headers.location));
    expect(page.status).toBe(200);
    return client.post('/_sekisho/login', {
      _csrf: csrfField(page.body),
      next: path,
      username: 'demo',
      password,
    });
  }

  it('prints a welcome naming where it listens, the demo user and a fresh password, the SMS sandbox and an activation link', () => {
    const out = output();
    expect(out).toContain('関所 Sekisho demo is running');
    expect(welcomeValue(out, 'Open')).toBe(`${url}/portal/`);
    expect(welcomeValue(out, 'User ID')).toBe('demo');
    expect(password).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(welcomeValue(out, 'SMS codes')).toBe(`${url}/_sekisho/sandbox/sms`);
    const [origin, code] = activationLink(out).split('/_sekisho/push/app#activate=');
    expect(origin).toBe(url);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(welcomeValue(out, 'Admin')).toBe(`${url}/_sekisho/admin/`);
    expect(welcomeValue(out, 'Yours')).toBe(`${url}/_sekisho/me`);
    // The password is printed once, in the welcome, and never in the log lines.
    expect(out.split(password)).toHaveLength(2);
    expect(demo.stderr()).toBe('');
  });

  it('keeps its state in the directory it was given, readable by its owner only', () => {
    expect(readdirSync(stateDir)).toEqual(['state.json']);
    expect(statSync(join(stateDir, 'state.json')).mode & 0o777).toBe(0o600);
    expect(readProjectState()).toBe(projectStateBefore);
  });

  it('sends / to the portal and the portal to the login page; the notice board needs no login', async () => {
    const client = new FormClient(url);
    const home = await client.get('/');
    expect(home.status).toBe(302);
    expect(home.headers.location).toBe('/portal/');
    const portal = await client.get('/portal/');
    expect(portal.status).toBe(302);
    expect(portal.headers.location).toBe('/_sekisho/login?next=%2Fportal%2F');

    const notices = await client.get('/public/');
    expect(notices.status).toBe(200);
    expect(notices.body).toContain('未ログイン (公開ページ)');
    expect(identityRow(notices.body, 'X-Remote-User')).toBeUndefined();
  });

  it('shows the login page in Japanese by default and in English to an English browser', async () => {
    const client = new FormClient(url);
    const ja = await client.get('/_sekisho/login?next=%2Fportal%2F');
    expect(ja.status).toBe(200);
    expect(ja.body).toContain('<html lang="ja">');
    expect(ja.body).toContain('ユーザーIDとパスワードを入力してください。');
    const en = await client.get('/_sekisho/login?next=%2Fportal%2F', { 'accept-language': 'en-US,en;q=0.9' });
    expect(en.status).toBe(200);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Enter your user ID and password.');
    expect(en.body).not.toContain('ユーザーIDとパスワード');
  });

  it('logs demo in with the printed password through the form, to the portal with the identity headers', async () => {
    const client = new FormClient(url);
    const login = await logIn(client, '/portal/');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/portal/');
    const portal = await client.get('/portal/');
    expect(portal.status).toBe(200);
    expect(portal.body).toContain('社内ポータル');
    expect(identityRow(portal.body, 'X-Remote-User')).toBe('demo');
    expect(identityRow(portal.body, 'X-Remote-Groups')?.split(',').sort()).toEqual([
      'admins',
      'eigyo',
      'gijutsu',
      'keiri',
    ]);
    expect(identityRow(portal.body, 'X-Remote-Auth-Methods')).toBe('password');
    // 営業部 needs only the password too, and the session carries over.
    const eigyo = await client.get('/eigyo/');
    expect(eigyo.status).toBe(200);
    expect(identityRow(eigyo.body, 'X-Remote-User')).toBe('demo');
  });

  it('asks for an SMS code at 経理部 and the admin console; the sandbox page shows the code', async () => {
    const client = new FormClient(url);
    const login = await logIn(client, '/keiri/');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/_sekisho/mfa?next=%2Fkeiri%2F');
    const step = await client.get(String(login.headers.location));
    expect(step.status).toBe(303);
    const otpPage = await client.get(String(step.headers.location));
    expect(otpPage.status).toBe(200);
    expect(otpPage.body).toContain('ワンタイムパスワード');
    const consoleBefore = await client.get('/_sekisho/admin/');
    expect(consoleBefore.status).toBe(302);

    // The newcomer opens the printed sandbox URL in another tab: no login needed there.
    const inbox = await new FormClient(url).get(new URL(welcomeValue(output(), 'SMS codes')).pathname);
    expect(inbox.status).toBe(200);
    const sms = /<span class="sms-to">([^<]*)<\/span><\/p>\s*<pre class="sms-body">([^<]*)<\/pre>/.exec(
      inbox.body,
    );
    expect(sms?.[1]).toBe('+819012345678');
    // The origin-bound last line names the port the demo really listens on.
    const code = new RegExp(`@127\\.0\\.0\\.1:${port} #(\\d{6})$`).exec(sms?.[2] ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);

    const answer = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(otpPage.body),
      next: '/keiri/',
      otp: code ?? '',
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/keiri/');
    const keiri = await client.get('/keiri/');
    expect(keiri.status).toBe(200);
    expect(identityRow(keiri.body, 'X-Remote-User')).toBe('demo');
    expect(identityRow(keiri.body, 'X-Remote-Auth-Methods')).toBe('password,SMSOTP');
    const adminConsole = await client.get('/_sekisho/admin/');
    expect(adminConsole.status).toBe(200);
    expect(adminConsole.body).toContain('<h1>概要</h1>');
  });

  it('lets the printed activation link make an authenticator that logs demo in to 技術部 with a push', async () => {
    const activation = activationLink(output());
    const store = join(phoneDir, 'phone.json');
    const enrolled = await runSekisho(['device', 'enroll', activation, '--store', store]);
    expect(enrolled.code, enrolled.stderr).toBe(0);

    const client = new FormClient(url);
    const first = await client.get('/gijutsu/');
    expect(first.status).toBe(302);
    const dispatcher = await client.get(String(first.headers.location));
    expect(dispatcher.status).toBe(303);
    const identify = await client.get(String(dispatcher.headers.location));
    expect(identify.status).toBe(200);
    expect(identify.body).not.toContain('type="password"');
    const identified = await client.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(identify.body),
      next: '/gijutsu/',
      identify: '1',
      username: 'demo',
    });
    expect(identified.status).toBe(303);
    const wait = await client.get(String(identified.headers.location));
    const number = /id="push-number"[^>]*>(\d\d)</.exec(wait.body)?.[1] ?? '';
    expect(number).toMatch(/^[1-9]\d$/);

    const approved = await runSekisho(['device', 'approve', '--store', store, '--number', number]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout.trim().split('\n').at(-1)).toBe('approved');
    const status = await client.get('/_sekisho/mfa/MAMORU/status?next=%2Fgijutsu%2F', {
      accept: 'application/json',
    });
    const ready = JSON.parse(status.body) as { state: string; fields?: Record<string, string> };
    expect(ready.state).toBe('ready');
    const done = await client.post('/_sekisho/mfa/MAMORU', {
      _csrf: csrfField(wait.body),
      next: '/gijutsu/',
      username: 'demo',
      ...ready.fields,
    });
    expect(done.status).toBe(303);
    const gijutsu = await client.get('/gijutsu/');
    expect(gijutsu.status).toBe(200);
    expect(identityRow(gijutsu.body, 'X-Remote-User')).toBe('demo');
    expect(identityRow(gijutsu.body, 'X-Remote-Auth-Methods')).toBe('MAMORU');
  });

  it('answers the admin CLI while it runs: rule list shows the demo rules, push enroll makes a working link', async () => {
    const run = await runSekisho(['rule', 'list'], { env: cliEnv });
    expect(run.code, run.stderr).toBe(0);
    for (const rule of [
      '/portal/=ALL;;',
      '/eigyo/=@eigyo,@admins;;',
      '/gijutsu/=ALL;;MAMORU',
      '/keiri/=@keiri;;SMSOTP',
      '/public/=ALL;;BYPASS',
    ]) {
      expect(run.stdout).toContain(rule);
    }

    const enrol = await runSekisho(['push', 'enroll', 'demo'], { env: cliEnv });
    expect(enrol.code, enrol.stderr).toBe(0);
    const link = /activation URL[^:]*: (\S+)/.exec(enrol.stdout)?.[1] ?? '';
    expect(link.startsWith(`${url}/_sekisho/push/app#activate=`), link).toBe(true);
    const second = await runSekisho(['device', 'enroll', link, '--store', join(phoneDir, 'second.json')]);
    expect(second.code, second.stderr).toBe(0);
  });

  it('answers /favicon.ico with the gateway icon; any other target stays under the rules', async () => {
    const icon = readFileSync(join(projectRoot, 'views', 'static', 'favicon.png'));
    const got = await request(`${url}/favicon.ico`);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(Buffer.from(await got.body.arrayBuffer())).toEqual(icon);
    const head = await request(`${url}/favicon.ico`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(icon.length));
    await head.body.dump();
    for (const target of ['/favicon.ico?v=2', '/favicon.ico/', '/favicon.png']) {
      const other = await request(`${url}${target}`);
      expect(other.statusCode, target).toBe(403);
      await other.body.dump();
    }
  });

  it('logs readable lines, warnings and errors only: no JSON and no request lines push the welcome away', () => {
    // Every test above sent requests; none of them left a line.
    const out = output();
    expect(out).not.toMatch(/request completed|incoming request/);
    const logLines = out.split('\n').filter((line) => /^\[\d\d:\d\d:\d\d\] /.test(line));
    for (const line of logLines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] (WARN|ERROR|FATAL): /);
    expect(out.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('prints its welcome again on Enter, and to `sekisho demo banner` in another terminal', async () => {
    const welcomes = () => output().split('関所 Sekisho demo is running').length - 1;
    expect(welcomes()).toBe(1);
    demo.child.stdin?.write('\n');
    await waitFor(() => welcomes() === 2, 5000, 'the welcome printed again');
    const again = output().slice(output().lastIndexOf('関所 Sekisho demo is running'));
    expect(welcomeValue(again, 'Password')).toBe(password);
    expect(again).toMatch(/^ +Again: +press Enter/m);

    const banner = await runSekisho(['demo', 'banner'], { env: cliEnv });
    expect(banner.code, banner.stderr).toBe(0);
    expect(welcomeValue(banner.stdout, 'Open')).toBe(`${url}/portal/`);
    expect(welcomeValue(banner.stdout, 'User ID')).toBe('demo');
    expect(welcomeValue(banner.stdout, 'Password')).toBe(password);
    expect(activationLink(banner.stdout)).toBe(activationLink(output()));
  });

  it('lets doctor check the running demo: its address, its settings and the rules in its database', async () => {
    const run = await runSekisho(['doctor'], { env: cliEnv });
    expect(run.stdout).toContain(`The running demo at ${url} (pid ${demo.child.pid})`);
    expect(run.stdout).toContain(`${url} is not https`);
    // Read from the demo's embedded database, not from any config.
    expect(run.stdout).toContain('/keiri/=@keiri;;SMSOTP [sms-only-factor]');
    expect(run.stdout).toContain('sms.sandbox.page [sms-sandbox-page]');
    expect(run.stdout).not.toContain('postgres-unreachable');
    // The demo is not production: its high findings fail doctor as they should.
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a second demo on the same state, and one on a taken port, each at once with one line', async () => {
    const second = await runSekisho(['serve'], { env: { ...cliEnv, PORT: '0' }, timeoutMs: 20_000 });
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`sekisho: demo: another demo (pid ${demo.child.pid}) is running at ${url}`),
    ]);

    const otherState = mkdtempSync(join(tmpdir(), 'sekisho-demo-state-'));
    try {
      const taken = await runSekisho(['serve'], {
        env: { PORT: String(port), SEKISHO_DEMO_STATE_DIR: otherState },
        timeoutMs: 20_000,
      });
      expect(taken.signal).toBeNull();
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim().split('\n')).toEqual([
        `sekisho: listen: 127.0.0.1:${port} is already in use (another Sekisho, or another program, listens there): stop it, or choose another port with PORT=… or listen.port (PORT=0 takes any free port)`,
      ]);
      expect(readdirSync(otherState)).toEqual([]);
    } finally {
      rmSync(otherState, { recursive: true, force: true });
    }
    // The first demo is untouched.
    expect(readdirSync(stateDir)).toEqual(['state.json']);
    expect((await new FormClient(url).get('/public/')).status).toBe(200);
  });

  it('stops cleanly on SIGTERM: exit 0, the port closed, its state removed', async () => {
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(await isRefused(port)).toBe(true);
    expect(readdirSync(stateDir)).toEqual([]);
    expect(readProjectState()).toBe(projectStateBefore);
    // With the demo gone, the CLI says so instead of talking to a stale address.
    const after = await runSekisho(['rule', 'list'], { env: cliEnv });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('start the demo with `npm start` first');
  });
});
