import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SECRET_FAILURES, SECRET_FAILURE_WINDOW_MS } from '../../plugins/smsotp/routes/callback-route.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import { FormClient } from '../support/browser-client.ts';
import { addUser, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import {
  deliveryReport,
  karadenSettings,
  postDeliveryCallback,
  startFakeKaraden,
  type FakeKaraden,
  type KaradenMessage,
} from '../fakes/karaden-server.ts';

const SECRET = 'callback-secret-0123456789';

/**
 * Karaden's delivery callback carries its secret in the path: wrong guesses are counted per client
 * address (store counters on the gateway's clock, in Redis), and past the limit that address is
 * refused before its secret is even compared. The gateway trusts the loopback proxy, so
 * X-Forwarded-For stands for the callers' addresses.
 */
describe('SMS delivery callback: wrong secrets are rate limited per address', () => {
  const clock = new FakeClock(Date.now());
  let karaden: FakeKaraden;
  let gw: TestGateway;
  let message: KaradenMessage;
  const logLines: string[] = [];

  beforeAll(async () => {
    karaden = await startFakeKaraden();
    gw = await startGateway({
      clock,
      logLines,
      config: {
        trustProxy: ['127.0.0.1'],
        backends: { bk03: { url: 'http://127.0.0.1:9' } },
        sms: {
          provider: 'karaden',
          callbackSecret: SECRET,
          karaden: karadenSettings(karaden),
        },
      },
    });
    await setRules(gw, '/bk03/=ALL;;SMSOTP');
    const password = await addUser(gw, 'taro', { phone: '+819012345678' });
    // A real send, so that a right secret has a delivery to report (200).
    const client = new FormClient(gw.url);
    await client.login('taro', password, '/bk03/');
    await client.get('/_sekisho/mfa/SMSOTP?next=%2Fbk03%2F');
    const sent = karaden.received.at(-1)?.message;
    if (!sent) throw new Error('nothing was sent');
    message = sent;
  });
  afterAll(async () => {
    await gw?.close();
    await karaden?.close();
  });

  const callback = (secret: string, from: string) =>
    postDeliveryCallback(`${gw.url}/_sekisho/sms/callback/${secret}`, deliveryReport(message), {
      'x-forwarded-for': from,
    });

  it(`answers ${MAX_SECRET_FAILURES} wrong secrets with 404, then 429 even for the right one; other addresses and a later window are not affected`, async () => {
    const guesser = '198.51.100.20';
    for (let guess = 0; guess < MAX_SECRET_FAILURES; guess++) {
      expect(
        (await callback(`${SECRET.slice(0, -2)}${String(guess).padStart(2, '0')}`, guesser)).status,
      ).toBe(404);
    }
    expect(await callback('one-more-guess-0123456789', guesser)).toEqual({
      status: 429,
      json: { error: 'too many requests' },
    });
    // The right secret from that address is not even compared.
    expect((await callback(SECRET, guesser)).status).toBe(429);

    // Karaden's own address is another budget, and right secrets never use one up.
    const karadenAddress = '203.0.113.5';
    for (let call = 0; call <= MAX_SECRET_FAILURES; call++)
      expect((await callback(SECRET, karadenAddress)).status).toBe(200);

    clock.advance(SECRET_FAILURE_WINDOW_MS);
    expect((await callback(SECRET, guesser)).status).toBe(200);
  });

  it('never writes the secret to the log, right or wrong (it is in the path)', () => {
    expect(logLines.some((line) => line.includes('/_sekisho/sms/callback/[redacted]'))).toBe(true);
    expect(logLines.filter((line) => line.includes(SECRET))).toEqual([]);
    expect(logLines.filter((line) => line.includes('one-more-guess'))).toEqual([]);
  });
});
