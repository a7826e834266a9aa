import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { codeIn } from '../fakes/smsotp-harness.ts';
import { startBackend, type FakeBackend } from '../support/backend.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice } from '../support/push-harness.ts';

/**
 * The steps an employee meets after the ID ("nobody gets stuck"): one chooser of ways named by what
 * they need, straight on after the password, a plain word when no phone is registered, and caps that
 * say when sending works again, what else to do and whom to ask. Real Postgres and Redis, the SMS
 * sandbox, the gateway's own push service, and a fake clock at 09:00 in Tokyo.
 */
const API_KEY = 'mfa-steps-api-key-'.repeat(3);

describe('the MFA steps after the ID', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  let backend: FakeBackend;
  let gw: TestGateway;
  const passwords = new Map<string, string>();

  beforeAll(async () => {
    backend = await startBackend();
    gw = await startGateway({
      clock,
      config: {
        backends: { bk01: { url: backend.url }, bk02: { url: backend.url }, bk03: { url: backend.url } },
        sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
        otp: { resendCooldownSeconds: 0, maxSendsPerWindow: 2 },
        push: { maxPendingPerUser: 2, apiKeys: [API_KEY] },
        branding: { helpDesk: { ja: '情報システム部 内線 1234', en: 'IT help desk, ext. 1234' } },
      },
    });
    await setRules(
      gw,
      '/bk01/=ALL;;',
      '/bk02/=ALL;;MAMORU',
      '/bk03/=ALL;;SMSOTP|MAMORU',
      '/_sekisho/admin/=jiro;;SMSOTP',
    );
    // taro: phone and push device; jiro: phone, no device; saburo: phone only, for the SMS cap.
    for (const [id, phone] of [
      ['taro', '+819012345678'],
      ['jiro', '+818011114321'],
      ['saburo', '+817022223333'],
    ] as const) {
      passwords.set(id, await addUser(gw, id, { phone }));
    }
    await enrolDevice(gw.runtime.gateway.push!, 'taro');
  });
  afterAll(async () => {
    await gw?.close();
    await backend?.close();
  });

  const password = (id: string) => passwords.get(id) ?? '';

  /** The newest code the sandbox "sent" to `phone`. */
  async function lastCode(phone: string): Promise<string> {
    const inbox = await new FormClient(gw.url).get('/_sekisho/sandbox/sms.json', {
      accept: 'application/json',
    });
    const messages = (JSON.parse(inbox.body) as { messages: { to: string; body: string }[] }).messages;
    const body = messages.find((m) => m.to === phone)?.body; // newest first
    if (!body) throw new Error(`no SMS to ${phone}`);
    return codeIn(body);
  }

  /** A browser with a password session for `id` (through a password-only rule). */
  async function signedIn(id: string): Promise<FormClient> {
    const client = new FormClient(gw.url);
    expect((await client.login(id, password(id), '/bk01/')).status).toBe(303);
    return client;
  }

  /** The ID-only page for `next`, then its form posted with `id`: the way to the wait page. */
  async function identify(client: FormClient, id: string, next: string) {
    const page = await client.get(`/_sekisho/mfa/MAMORU?next=${encodeURIComponent(next)}`);
    const form = { _csrf: csrfField(page.body), next, identify: '1', username: id };
    return { page, posted: await client.post('/_sekisho/mfa/MAMORU', form) };
  }

  async function pickWay(client: FormClient, page: string, next: string, way: string) {
    return client.post('/_sekisho/mfa', { _csrf: csrfField(page), next, way });
  }

  it('SMSOTP|MAMORU: one chooser naming what each way needs, then straight on after the password', async () => {
    const client = new FormClient(gw.url);
    const gate = await client.get('/bk03/');
    expect(gate.headers.location).toBe('/_sekisho/mfa?next=%2Fbk03%2F');
    const chooser = await client.get('/_sekisho/mfa?next=%2Fbk03%2F');
    expect(chooser.status).toBe(200);
    expect(chooser.body).toContain('>パスワード＋SMS認証コード</button>');
    expect(chooser.body).toContain('>スマートフォンで承認</button>');
    // Before the password nothing about anyone: no number, no "not registered".
    expect(chooser.body).not.toMatch(/\*\*\*\*|登録されていません/);

    const picked = await pickWay(client, chooser.body, '/bk03/', 'password,SMSOTP');
    expect(picked.status).toBe(303);
    expect(picked.headers.location).toBe('/_sekisho/login?next=%2Fbk03%2F');
    const login = await client.login('taro', password('taro'), '/bk03/');
    expect(login.headers.location).toBe('/_sekisho/mfa?next=%2Fbk03%2F');
    const straightOn = await client.get(String(login.headers.location));
    expect(straightOn.status).toBe(303);
    expect(straightOn.headers.location).toBe('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2F');
    expect(client.cookies.has('sekisho_way')).toBe(false);

    const otp = await client.get(String(straightOn.headers.location));
    expect(otp.body).toContain('<p class="step-phone" id="sms-phone">090-****-5678</p>');
    expect(otp.body).toContain('このページ（/bk03/）を開くには、追加の本人確認が必要です。');
    expect(otp.body).toContain('<a id="back-to-login" href="/_sekisho/login?next=%2Fbk03%2F">');
    const answer = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(otp.body),
      next: '/bk03/',
      otp: await lastCode('+819012345678'),
    });
    expect(answer.headers.location).toBe('/bk03/');
    expect((await client.get('/bk03/')).status).toBe(200);
  });

  it('refuses a way the rule does not offer, and takes the chooser again', async () => {
    const client = new FormClient(gw.url);
    const chooser = await client.get('/_sekisho/mfa?next=%2Fbk03%2F');
    const made = await pickWay(client, chooser.body, '/bk03/', 'password');
    expect(made.status).toBe(303);
    expect(made.headers.location).toBe('/_sekisho/mfa?next=%2Fbk03%2F');
    expect(client.cookies.has('sekisho_way')).toBe(false);
    const withoutToken = await client.post('/_sekisho/mfa', { next: '/bk03/', way: 'MAMORU' });
    expect(withoutToken.status).toBe(403);
  });

  it('after the password, the chooser says what the user has and has not', async () => {
    const jiro = await signedIn('jiro');
    const chooser = await jiro.get('/_sekisho/mfa?next=%2Fbk03%2F');
    expect(chooser.status).toBe(200);
    expect(chooser.body).toContain('>SMS認証コード（080-****-4321）</button>');
    expect(chooser.body).toMatch(
      /<p class="choice way-unavailable" data-way="MAMORU">スマートフォンで承認<span class="way-note">（登録されていません）<\/span><\/p>/,
    );
    expect(chooser.body).not.toContain('value="MAMORU"');

    const taro = await signedIn('taro');
    const english = await taro.get('/_sekisho/mfa?next=%2Fbk03%2F', { 'accept-language': 'en' });
    expect(english.body).toContain('>SMS code (090-****-5678)</button>');
    expect(english.body).toContain('name="way" value="MAMORU">Approve on my phone</button>');
  });

  it('says why a step-up asks: entering the admin console', async () => {
    const jiro = await signedIn('jiro');
    const gate = await jiro.get('/_sekisho/admin/');
    expect(gate.status).toBe(302);
    const page = await jiro.get('/_sekisho/mfa/SMSOTP?next=%2F_sekisho%2Fadmin%2F');
    expect(page.body).toContain(
      '<p class="step-reason" id="step-reason">管理コンソールに入るため、追加の本人確認が必要です。</p>',
    );
    const english = await jiro.get('/_sekisho/mfa/SMSOTP?next=%2F_sekisho%2Fadmin%2F', {
      'accept-language': 'en',
    });
    expect(english.body).toContain('Entering the admin console needs one more proof of who you are.');
  });

  it('no push device after the password: said plainly, with the other way and the help desk', async () => {
    const jiro = await signedIn('jiro');
    const page = await jiro.get('/_sekisho/mfa/MAMORU?next=%2Fbk03%2F');
    expect(page.status).toBe(403);
    expect(page.body).toContain('ログインの承認に使うスマートフォンが登録されていません。');
    expect(page.body).not.toContain('push-number');
    expect(page.body).toContain('name="way" value="SMSOTP">SMS認証コード（080-****-4321）</button>');
    expect(page.body).toContain('お困りの場合は、情報システム部 内線 1234 にお問い合わせください。');
    expect(page.body).toContain('<a id="back-to-login" href="/_sekisho/login?next=%2Fbk03%2F">');
    const taken = await pickWay(jiro, page.body, '/bk03/', 'SMSOTP');
    expect(taken.headers.location).toBe('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2F');
  });

  it('before the password, an ID without a device gets the same wait page as an unknown ID', async () => {
    const waitPageFor = async (id: string) => {
      const client = new FormClient(gw.url);
      const { posted } = await identify(client, id, '/bk02/');
      const page = await client.get(String(posted.headers.location));
      expect(page.status).toBe(200);
      return page.body
        .replace(/value="[^"]{30,}"/g, 'value="TOKEN"')
        .replace(/>\d\d</g, '>NN<')
        .replace(new RegExp(`value="${id}"`, 'g'), 'value="ID"');
    };
    const noDevice = await waitPageFor('jiro');
    expect(noDevice).toContain('id="push-number"');
    expect(noDevice).toBe(await waitPageFor('nobody-here'));
  });

  it('the SMS cap: when sending works again, the other way and the help desk', async () => {
    const client = await signedIn('saburo');
    const chooser = await client.get('/_sekisho/mfa?next=%2Fbk03%2F');
    const first = await client.get(
      String((await pickWay(client, chooser.body, '/bk03/', 'SMSOTP')).headers.location),
    );
    expect(first.status).toBe(200);
    const second = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(first.body),
      next: '/bk03/',
      resend: '1',
    });
    expect(second.status).toBe(200);
    const capped = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(second.body),
      next: '/bk03/',
      resend: '1',
    });
    expect(capped.status).toBe(503);
    expect(capped.body).toContain('SMSの送信回数が上限に達したため、しばらくの間SMSを送信できません。');
    // The window began with the first send at 09:00 in Tokyo and lasts an hour.
    expect(capped.body).toContain('10:00 以降にもう一度お試しいただけます（あと約60分）。');
    expect(capped.body).toMatch(
      /data-way="MAMORU">スマートフォンで承認<span class="way-note">（登録されていません）/,
    );
    expect(capped.body).toContain('情報システム部 内線 1234');
    const english = await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2F', { 'accept-language': 'en' });
    // The live code's page is still there: the cap refuses new sends, not the code already sent.
    expect(english.status).toBe(200);
    const cappedEn = await client.post(
      '/_sekisho/mfa/SMSOTP',
      { _csrf: csrfField(english.body), next: '/bk03/', resend: '1' },
      { 'accept-language': 'en' },
    );
    expect(cappedEn.body).toContain('You can try again from 10:00 (in about 60 min).');
    expect(cappedEn.body).toContain('Need help? Contact IT help desk, ext. 1234.');
  });

  it('a GET asking to prove a method again changes nothing pending: the SMS proof survives another method’s GET', async () => {
    const client = await signedIn('taro');
    const sms = '/_sekisho/mfa/SMSOTP?next=%2F_sekisho%2Fme&reprove=1';
    const page = await client.get(sms);
    expect(page.status).toBe(200);
    const code = await lastCode('+819012345678');
    expect((await client.get(sms)).body).toContain('090-****-5678');
    expect(await lastCode('+819012345678')).toBe(code);
    // Before, this GET replaced the pending SMS proof with a push one.
    expect((await client.get('/_sekisho/mfa/MAMORU?next=%2F_sekisho%2Fme&reprove=1')).status).toBe(200);
    const proved = await client.post('/_sekisho/mfa/SMSOTP', {
      _csrf: csrfField(page.body),
      next: '/_sekisho/me',
      otp: code,
    });
    expect(proved.status).toBe(303);
    expect(proved.headers.location).toBe('/_sekisho/me');
  });

  it('the push cap: when pushes work again and the other way, before the password as after it', async () => {
    const client = new FormClient(gw.url);
    const { page: idPage, posted } = await identify(client, 'taro', '/bk03/');
    expect(idPage.body).toContain('>パスワード＋SMS認証コード</button>');
    let page = await client.get(String(posted.headers.location));
    for (let push = 2; push <= 3; push++) {
      page = await client.post('/_sekisho/mfa/MAMORU', {
        _csrf: csrfField(page.body),
        next: '/bk03/',
        username: 'taro',
        resend: '1',
      });
    }
    expect(page.status).toBe(503);
    expect(page.body).toContain('安全のためこのアカウントへの通知を一時的に止めています。');
    // Two unanswered pushes at 09:00 in a 5-minute window with room for two: the first of them
    // weighs less than one from 09:07:30 as the window slides past it.
    expect(page.body).toContain('09:08 以降にもう一度お試しいただけます（あと約8分）。');
    expect(page.body).toContain('name="way" value="password,SMSOTP">パスワード＋SMS認証コード</button>');
  });

  it('the push API tells another gateway when pushes work again (retry_at)', async () => {
    const start = () =>
      request(`${gw.url}/_sekisho/push/api/v1/auth/start`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          user_id: 'api-user',
          ip: '192.0.2.1',
          user_agent: 'x',
          path: '/',
          decoy: true,
        }),
      }).then((res) => res.body.json() as Promise<Record<string, unknown>>);
    expect((await start()).status).toBe('0000');
    expect((await start()).status).toBe('0000');
    const busy = await start();
    expect(busy).toMatchObject({ status: '1429' });
    expect(busy.retry_at).toBeGreaterThan(clock.now());
  });
});
