import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushStartResult } from '../../src/plugin-api.ts';
import { FakeClock } from '../../src/ports/clock.ts';
import type { PushService } from '../../src/ports/push-service.ts';
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
 * The push-bombing cap counts what bothers the user: unanswered, denied and wrong-number pushes, not
 * the ones they approved; and it says when a push can be sent again. Two push services (two gateway
 * instances) share Postgres and Redis, each with its own fake clock, moved together.
 */
describe('push-bombing cap across two instances', () => {
  let h: PushHarness;
  let clockB: FakeClock;
  let instanceB: PushInstance;
  let b: PushService;
  let device: TestDevice;

  beforeEach(async () => {
    h = await pushHarness({ maxPendingPerUser: 3, pendingWindowSeconds: 300 });
    await h.addUser('taro');
    clockB = new FakeClock(h.clock.now());
    instanceB = await secondInstance(h, clockB);
    b = instanceB.service;
    device = await enrolDevice(h.service, 'taro');
  });
  afterEach(async () => {
    await instanceB.close();
    await h.close();
  });

  const advance = (ms: number) => {
    h.clock.advance(ms);
    clockB.advance(ms);
  };

  /**
   * Starts a push on `on` and, unless `decision` is null, answers it from the phone through
   * `answerOn`, picking `pick(shown)` (the number shown, unless told); returns the outcome.
   */
  async function pushAndAnswer(
    on: PushService,
    answerOn: PushService,
    decision: 'approve' | 'deny' | null,
    pick: (shown: number) => number = (shown) => shown,
  ): Promise<string | null> {
    const started = await on.start(loginStart('taro'));
    if (started.kind !== 'started') throw new Error(`start: ${started.kind}`);
    if (decision === null) return null;
    const inbox = await answerOn.inbox(await signedInbox(device, h.clock.now()));
    const request =
      inbox.kind === 'ok' ? inbox.requests.find((r) => r.transactionId === started.transactionId) : null;
    if (!request) throw new Error('push not in the inbox');
    const number = started.number === null ? '' : pick(started.number);
    const answer = await answerOn.respond(await signedAnswer(device, request, decision, number), phone);
    return answer.kind === 'decided' ? answer.outcome : answer.kind;
  }

  const busyUntil = (result: PushStartResult) => (result.kind === 'busy' ? result.retryAt : null);

  it('an approved push leaves the cap; unanswered and denied ones stay in it, and the refusal says until when', async () => {
    const t0 = h.clock.now();
    // Three approved pushes, started on A and approved through B: none of them counts.
    for (let i = 0; i < 3; i++) expect(await pushAndAnswer(h.service, b, 'approve')).toBe('approved');
    // So three more fit: one left unanswered (B), one denied (through A), one unanswered (A).
    await pushAndAnswer(b, b, null);
    expect(await pushAndAnswer(b, h.service, 'deny')).toBe('denied');
    await pushAndAnswer(h.service, h.service, null);
    const refused = await h.service.start(loginStart('taro'));
    expect(refused.kind).toBe('busy');
    const retryAt = busyUntil(refused);
    // Three in the bucket that began at t0, two allowed besides a new one: the window must slide a
    // third of the way past them (100 s into the next bucket), plus the second of slack.
    expect(retryAt).toBe(t0 + 300_000 + 100_000 + 1000);
    // A refusal is not a push: asking again (on either instance) does not move the time.
    expect(busyUntil(await b.start(loginStart('taro')))).toBe(retryAt);

    advance((retryAt ?? 0) - h.clock.now() - 5000);
    expect((await b.start(loginStart('taro'))).kind).toBe('busy');
    advance(5000);
    expect((await b.start(loginStart('taro'))).kind).toBe('started');
    const busy = (await h.auditRows()).filter((row) => row.event === 'push.busy');
    expect(busy[0]?.detail).toMatchObject({ decoy: false, retryAt });
  });

  it('counts a wrong number like a denial', async () => {
    for (let i = 0; i < 3; i++) {
      // Always a two-digit number other than the one shown.
      const outcome = await pushAndAnswer(h.service, b, 'approve', (shown) => (shown % 89) + 11);
      expect(outcome).toBe('wrong_number');
    }
    expect((await h.service.start(loginStart('taro'))).kind).toBe('busy');
  });
});
