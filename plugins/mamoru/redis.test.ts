import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTestStore } from '../../test/fakes/redis-test-store.ts';
import { buildMamoru } from '../../test/fakes/mamoru-harness.ts';
import type { MamoruHarness } from '../../test/fakes/mamoru-harness.ts';

// The same flows against real Redis: the flow's record, its replacement and its removal. Expiry
// there follows real time, so the clock-driven cases stay in mamoru.test.ts.
describe('MAMORU on Redis', () => {
  const redis = redisTestStore('mamoru');
  let h: MamoruHarness;

  beforeAll(async () => {
    h = await buildMamoru({ store: (clock) => redis.make(clock) });
    await redis.connect();
  });

  afterAll(async () => {
    await h?.close();
    await redis.dispose();
  });

  it('logs in once; a replay is dead', async () => {
    expect((await h.start({ flowId: 'r1' })).kind).toBe('started');
    const answer = await h.approveAndFetch({ flowId: 'r1' });
    expect(await h.verify(answer, { flowId: 'r1' })).toEqual({ kind: 'ok' });
    expect(await h.verify(answer, { flowId: 'r1' })).toEqual({ kind: 'dead', messageKey: 'expired' });
  });

  it('shows the live push again, and replaces it on resend', async () => {
    await h.start({ flowId: 'r2' });
    await h.start({ flowId: 'r2' });
    const before = h.fake.count('start');
    await h.start({ flowId: 'r2', resend: true });
    expect(h.fake.count('start')).toBe(before + 1);
    const answer = await h.approveAndFetch({ flowId: 'r2' });
    expect(await h.verify(answer, { flowId: 'r2' })).toEqual({ kind: 'ok' });
  });
});
