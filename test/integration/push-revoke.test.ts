import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushStartResult } from '../../src/plugin-api.ts';
import type { PendingRequest, PushService } from '../../src/ports/push-service.ts';
import {
  enrolDevice,
  loginStart,
  phone,
  pushHarness,
  secondInstance,
  signedAnswer,
  signedInbox,
  type PushHarness,
  type PushInstance,
  type TestDevice,
} from '../support/push-harness.ts';

/**
 * Revoking a phone ends the pushes in flight that were sent to it. Two push services (two gateway
 * instances) share Postgres and Redis: the phone is revoked through one, and the login's poll and
 * the other phone's answer go to the other.
 */
describe('revoking a phone while a login waits on it', () => {
  let h: PushHarness;
  let instanceB: PushInstance;
  let b: PushService;
  let lost: TestDevice;
  let spare: TestDevice;

  beforeEach(async () => {
    h = await pushHarness();
    await h.addUser('taro');
    await h.addUser('hanako');
    instanceB = await secondInstance(h);
    b = instanceB.service;
    lost = await enrolDevice(h.service, 'taro');
    spare = await enrolDevice(h.service, 'taro');
  });
  afterEach(async () => {
    await instanceB.close();
    await h.close();
  });

  async function start(userId: string): Promise<{ transactionId: string; number: number | null }> {
    const result: PushStartResult = await h.service.start(loginStart(userId));
    if (result.kind !== 'started') throw new Error(`start: ${result.kind}`);
    return result;
  }

  async function pendingOn(service: PushService, device: TestDevice): Promise<readonly PendingRequest[]> {
    const result = await service.inbox(await signedInbox(device, h.clock.now()));
    if (result.kind !== 'ok') throw new Error('inbox refused');
    return result.requests;
  }

  async function answer(device: TestDevice, request: PendingRequest, number: number | null) {
    return b.respond(await signedAnswer(device, request, 'approve', number ?? ''), phone);
  }

  it('ends the pending push at once on every instance: the login page learns it, no phone can approve it', async () => {
    const { transactionId, number } = await start('taro');
    const [request] = await pendingOn(b, spare);
    expect(request?.transactionId).toBe(transactionId);
    expect(await b.poll(transactionId)).toEqual({ kind: 'state', state: 'pending' });

    expect(await h.service.revokeDevice(lost.id, { actor: 'taro' })).toBe(true);

    // No time passes: the next poll of the wait page, on another instance, finds the push over.
    expect(await b.poll(transactionId)).toEqual({ kind: 'state', state: 'revoked' });
    expect(await answer(lost, request!, number)).toEqual({ kind: 'unauthorized' });
    expect(await answer(spare, request!, number)).toEqual({ kind: 'already_decided' });
    expect(await pendingOn(b, spare)).toEqual([]);
    expect(await b.poll(transactionId)).toEqual({ kind: 'state', state: 'revoked' });
  });

  it('keeps an answer given before the revocation, and leaves other users’ pushes alone', async () => {
    const approved = await start('taro');
    const [request] = await pendingOn(b, spare);
    expect(await answer(spare, request!, approved.number)).toEqual({ kind: 'decided', outcome: 'approved' });
    const hanakos = await enrolDevice(h.service, 'hanako');
    const other = await start('hanako');

    expect(await h.service.revokeDevice(lost.id, { actor: 'admin' })).toBe(true);

    const polled = await b.poll(approved.transactionId);
    expect(polled).toMatchObject({ kind: 'state', state: 'approved', tokens: expect.anything() });
    expect(await b.poll(other.transactionId)).toEqual({ kind: 'state', state: 'pending' });
    expect((await pendingOn(b, hanakos)).map((r) => r.transactionId)).toEqual([other.transactionId]);
  });

  it('sends the next push to the phones that are left, which can approve it', async () => {
    await start('taro');
    expect(await h.service.revokeDevice(lost.id, { actor: 'taro' })).toBe(true);
    const again = await start('taro');
    const [request] = await pendingOn(b, spare);
    expect(request?.transactionId).toBe(again.transactionId);
    expect(await answer(spare, request!, again.number)).toEqual({ kind: 'decided', outcome: 'approved' });
    expect(await b.poll(again.transactionId)).toMatchObject({ state: 'approved' });
  });

  it('audits the revocation as before: one push.device_revoked row', async () => {
    await start('taro');
    await h.service.revokeDevice(lost.id, { actor: 'taro' });
    const rows = (await h.auditRows()).filter((r) => r.event.startsWith('push.device_revoked'));
    expect(rows).toEqual([expect.objectContaining({ user_id: 'taro', detail: { deviceId: lost.id } })]);
  });
});
