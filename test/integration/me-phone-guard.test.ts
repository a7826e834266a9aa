import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/ports/clock.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, startGateway, type TestGateway } from '../support/gateway.ts';
import { enrolDevice } from '../support/push-harness.ts';
import { provenClient } from '../support/me-session.ts';

const NEW = '+818087654321';

/**
 * Registering or changing the SMS number is a factor change, held to the same bar as every other
 * on /me: a factor besides the password proven in the last 10 minutes (else the code to the old
 * number, a proof made now), and the password.
 */
describe('the phone number and the 10-minute enrolment guard', () => {
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 10, 0, 0));
  let gw: TestGateway;
  const passwords = new Map<string, string>();

  beforeAll(async () => {
    gw = await startGateway({
      clock,
      config: { sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } } },
    });
    passwords.set('aki', await addUser(gw, 'aki'));
    passwords.set('mio', await addUser(gw, 'mio', { phone: '+819012345678' }));
    // aki holds a push phone (a factor) but no number yet.
    await enrolDevice(gw.runtime.gateway.push!, 'aki');
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function post(client: FormClient, userId: string, phone = NEW) {
    const page = await client.get('/_sekisho/me');
    return client.post('/_sekisho/me/phone', {
      _csrf: csrfField(page.body),
      password: passwords.get(userId) ?? '',
      phone,
    });
  }

  const phoneOf = async (id: string) => (await gw.runtime.gateway.users.find(id))?.phone;
  const changes = async (id: string) =>
    (
      await gw.runtime.pool.query<{ outcome: string; detail: Record<string, unknown> }>(
        `SELECT outcome, detail FROM audit_events WHERE user_id = $1 AND event = 'me.phone.change' ORDER BY id`,
        [id],
      )
    ).rows;

  it('a first number with a push proven 11 minutes ago: prove it again first; nothing typed is looked at', async () => {
    const client = await provenClient(gw, gw.url, 'aki', 'MAMORU');
    clock.advance(11 * 60_000);
    const form = await client.get('/_sekisho/me/phone');
    expect(form.status).toBe(401);
    expect(form.body).toContain('id="me-step-up"');
    expect(form.body).toContain('/_sekisho/mfa/MAMORU?next=%2F_sekisho%2Fme%2Fphone&amp;reprove=1');
    expect(form.body).not.toContain('id="me-phone-form"');
    const forced = await post(client, 'aki');
    expect(forced.status).toBe(401);
    expect(forced.body).toContain('id="me-step-up"');
    expect(await phoneOf('aki')).toBeNull();
    expect((await gw.runtime.gateway.users.find('aki'))?.failedCount).toBe(0);
    expect(await changes('aki')).toEqual([]);
  });

  it('a first number within 10 minutes of the proof: the password registers it, audited', async () => {
    const client = await provenClient(gw, gw.url, 'aki', 'MAMORU');
    clock.advance(9 * 60_000);
    const form = await client.get('/_sekisho/me/phone');
    expect(form.status).toBe(200);
    expect(form.body).toContain('id="me-phone-form"');
    const done = await post(client, 'aki');
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/_sekisho/me?notice=phone-changed');
    expect(await phoneOf('aki')).toBe(NEW);
    expect(await changes('aki')).toEqual([
      { outcome: 'success', detail: { from: null, to: '+********4321', confirmedBy: 'recent-proof' } },
    ]);
  });

  it('a change with an SMS code proven minutes ago needs no second code; twenty minutes ago, a code to the old number', async () => {
    const recent = await provenClient(gw, gw.url, 'mio', 'SMSOTP');
    clock.advance(60_000);
    const sandbox = async () =>
      (
        JSON.parse((await new FormClient(gw.url).get('/_sekisho/sandbox/sms.json')).body) as {
          messages: unknown[];
        }
      ).messages.length;
    const sent = await sandbox();
    const done = await post(recent, 'mio');
    expect(done.status).toBe(303);
    expect(await phoneOf('mio')).toBe(NEW);
    expect(await sandbox()).toBe(sent);

    const stale = await provenClient(gw, gw.url, 'mio', 'SMSOTP');
    clock.advance(20 * 60_000);
    const codePage = await post(stale, 'mio', '+819011112222');
    expect(codePage.status).toBe(200);
    expect(codePage.body).toContain('action="/_sekisho/me/phone/confirm"');
    expect(await sandbox()).toBe(sent + 1);
    expect(await phoneOf('mio')).toBe(NEW);
  });
});
