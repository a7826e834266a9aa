import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushService } from '../../src/ports/push-service.ts';
import { addUser, startGateway, testSecret, type TestGateway } from '../support/gateway.ts';
import { databaseUrl, redisUrl } from '../support/env.ts';
import { enrolDevice, signedInbox } from '../support/push-harness.ts';
import { waitFor } from '../support/wait-for.ts';
import { runSekisho } from '../support/cli.ts';

const sekisho = (args: string[]) => runSekisho(args);

/** `sekisho push enroll` and the virtual authenticator against a real gateway. */
describe('sekisho push / sekisho device', () => {
  let gw: TestGateway;
  let push: PushService;
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-push-cli-'));
  const config = join(dir, 'sekisho.yaml');
  const store = join(dir, 'phone.json');
  let activationUrl = '';

  const startPush = async (userId = 'hanako') => {
    const started = await push.start({
      userId,
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36',
      path: '/bk02/report',
      decoy: false,
    });
    if (started.kind !== 'started') throw new Error(`push not started: ${started.kind}`);
    return started;
  };
  const lastSeen = async () => (await push.listDevices('hanako'))[0]?.lastSeenAt?.getTime() ?? 0;
  const stateOf = async (transactionId: string) => {
    const polled = await push.poll(transactionId);
    return polled.kind === 'state' ? polled.state : polled.kind;
  };

  beforeAll(async () => {
    gw = await startGateway({ config: { push: { maxPendingPerUser: 20 } } });
    if (!gw.runtime.gateway.push) throw new Error('the test gateway runs no push service');
    push = gw.runtime.gateway.push;
    await addUser(gw, 'hanako');
    // The CLI shares the gateway's schema and store; its publicUrl is where the gateway really listens.
    writeFileSync(
      config,
      [
        `publicUrl: ${gw.url}`,
        `database: { url: "${databaseUrl}", schema: ${gw.config.database.schema} }`,
        `redis: { url: "${redisUrl}", keyPrefix: "${gw.config.redis.keyPrefix}" }`,
        `secret: "${testSecret}"`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('push enroll prints the activation URL, the enrolment page and the expiry; an unknown user fails', async () => {
    const run = await sekisho(['push', 'enroll', 'hanako', '--config', config]);
    expect(run.code, run.stderr).toBe(0);
    const url = /activation URL[^:]*: (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(url).toMatch(new RegExp(`^${gw.url}/_sekisho/push/app#activate=[A-Za-z0-9_-]{43}$`));
    const code = url.split('#activate=')[1];
    expect(run.stdout).toContain(`${gw.url}/_sekisho/push/enroll#${code}`);
    expect(run.stdout).toMatch(/expires: \d{4}-\d\d-\d\dT/);
    // Not a TTY here: no QR code blocks.
    expect(run.stdout).not.toMatch(/[▀▄█]/);
    activationUrl = url;

    const unknown = await sekisho(['push', 'enroll', 'nobody', '--config', config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('nobody');
  });

  it('device enroll activates a key once, in a 0600 store that it will not overwrite', async () => {
    const run = await sekisho(['device', 'enroll', activationUrl, '--store', store, '--name', 'ci runner']);
    expect(run.code, run.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(store, 'utf8'));
    expect(saved).toMatchObject({ origin: gw.url, userId: 'hanako', publicJwk: { kty: 'EC', crv: 'P-256' } });
    expect(saved.deviceId).toMatch(/^dev_[A-Za-z0-9_-]{22}$/);
    expect(saved.privateJwk.d).toEqual(expect.any(String));
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(run.stdout).toContain(saved.deviceId);
    const devices = await push.listDevices('hanako');
    expect(devices.map((d) => [d.id, d.name])).toEqual([[saved.deviceId, 'ci runner']]);

    const reused = await sekisho(['device', 'enroll', activationUrl, '--store', join(dir, 'other.json')]);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/expired or was already used/);

    const fresh = await sekisho(['push', 'enroll', 'hanako', '--config', config]);
    const freshUrl = /activation URL[^:]*: (\S+)/.exec(fresh.stdout)?.[1] ?? '';
    const overwrite = await sekisho(['device', 'enroll', freshUrl, '--store', store]);
    expect(overwrite.code).toBe(1);
    expect(overwrite.stderr).toMatch(/exists already; pass --force/);
    expect(JSON.parse(readFileSync(store, 'utf8')).deviceId).toBe(saved.deviceId);

    const listed = await sekisho(['push', 'devices', 'hanako', '--config', config]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`${saved.deviceId}\tci runner\t`);
    expect(listed.stdout).toMatch(/\tactive\n$/);
  });

  it('refuses a URL without an activation code as bad usage', async () => {
    const run = await sekisho([
      'device',
      'enroll',
      `${gw.url}/_sekisho/push/app`,
      '--store',
      join(dir, 'x.json'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/#activate=/);
    const noStore = await sekisho(['device', 'approve']);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain('--store');
  });

  it('times out with exit 1 when no push arrives', async () => {
    const run = await sekisho(['device', 'approve', '--store', store, '--timeout', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('sekisho: no push request arrived within 1 s');
  });

  it('approves with the number shown on the login page', async () => {
    const started = await startPush();
    const run = await sekisho(['device', 'approve', '--store', store, '--number', String(started.number)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `push ${started.transactionId}: /bk02/report from 203.0.113.7 (Chrome on Windows)`,
    );
    expect(run.stdout.trim().split('\n').at(-1)).toBe('approved');
    expect(await stateOf(started.transactionId)).toBe('approved');
  });

  it('long-polls until a push arrives, and denies it', async () => {
    const seenBefore = await lastSeen();
    const denying = sekisho(['device', 'deny', '--store', store, '--timeout', '20']);
    // The inbox call marks the device as seen before it starts waiting.
    await waitFor(async () => (await lastSeen()) > seenBefore, 10_000, 'the device polling');
    const started = await startPush();
    const run = await denying;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`push ${started.transactionId}:`);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('denied');
    expect(await stateOf(started.transactionId)).toBe('denied');
  });

  it('a wrong number refuses the login and exits 1', async () => {
    const started = await startPush();
    const wrong = started.number === 99 ? 98 : (started.number ?? 10) + 1;
    const run = await sekisho(['device', 'approve', '--store', store, '--number', String(wrong)]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^sekisho: wrong number: /);
    expect(await stateOf(started.transactionId)).toBe('wrong_number');
  });

  it('approve without --number exits 2 when the push asks for a number; deny then denies it', async () => {
    const started = await startPush();
    const run = await sekisho(['device', 'approve', '--store', store]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('this push asks for the number shown on the login page: pass --number N');
    expect(await stateOf(started.transactionId)).toBe('pending');

    const denied = await sekisho(['device', 'deny', '--store', store]);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout.trim().split('\n').at(-1)).toBe('denied');
    expect(await stateOf(started.transactionId)).toBe('denied');
  });

  it('rejects bad flags as usage errors', async () => {
    expect((await sekisho(['device', 'approve', '--store', store, '--number', '7'])).code).toBe(2);
    expect((await sekisho(['device', 'approve', '--store', store, '--timeout', 'soon'])).code).toBe(2);
    expect((await sekisho(['device', 'deny', '--store', store, '--number', '42'])).code).toBe(2);
    expect((await sekisho(['device', 'frobnicate'])).code).toBe(2);
  });

  it('a revoked device is refused', async () => {
    const { deviceId } = JSON.parse(readFileSync(store, 'utf8'));
    const revoked = await sekisho(['push', 'revoke', deviceId, '--config', config]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = await sekisho(['push', 'revoke', deviceId, '--config', config]);
    expect(again.code).toBe(1);
    expect((await sekisho(['push', 'devices', 'hanako', '--config', config])).stdout).toMatch(
      /\trevoked \d{4}-/,
    );

    await startPush();
    const run = await sekisho(['device', 'approve', '--store', store, '--number', '10']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused this device/);
  });

  it("push revoke wakes the device's waiting long-poll, which then finds itself revoked", async () => {
    // A user with no pending push, so the inbox waits: 25 s that nothing else ends (left alone it
    // would answer `ok` with no requests).
    await addUser(gw, 'jiro');
    const device = await enrolDevice(push, 'jiro');
    const seen = async () => (await push.listDevices('jiro')).find((d) => d.id === device.id)?.lastSeenAt;
    const waiting = push.inbox(await signedInbox(device, Date.now(), 25_000));
    await waitFor(async () => (await seen()) != null, 10_000, 'the device waiting in its inbox');
    const revoked = await sekisho(['push', 'revoke', device.id, '--config', config]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await waiting).toEqual({ kind: 'unauthorized' });
  });

  it('push revoke ends a push in flight to the device: the login waiting on it finds it over', async () => {
    await addUser(gw, 'saburo');
    const device = await enrolDevice(push, 'saburo');
    const started = await push.start({
      userId: 'saburo',
      ip: '192.0.2.1',
      userAgent: 'x',
      path: '/',
      decoy: false,
    });
    if (started.kind !== 'started') throw new Error(`start: ${started.kind}`);
    const revoked = await sekisho(['push', 'revoke', device.id, '--config', config]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await push.poll(started.transactionId)).toEqual({ kind: 'state', state: 'revoked' });
  });

  it('push revoke changes nothing when the store cannot be reached', async () => {
    const device = await enrolDevice(push, 'hanako');
    const unreachable = join(dir, 'no-redis.yaml');
    writeFileSync(
      unreachable,
      readFileSync(config, 'utf8').replace(
        /redis: .*/,
        'redis: { url: "redis://127.0.0.1:1", startupTimeoutMs: 500 }',
      ),
    );
    const run = await sekisho(['push', 'revoke', device.id, '--config', unreachable]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect((await push.listDevices('hanako')).find((d) => d.id === device.id)?.revokedAt).toBeNull();
  });
});
