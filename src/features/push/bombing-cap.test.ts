import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/memory/memory-store.ts';
import { FakeClock } from '../../ports/clock.ts';
import { takePushSlot } from './bombing-cap.ts';

function capOf(maxPendingPerUser: number) {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const store = new MemoryStore(clock);
  return { store, clock, settings: { maxPendingPerUser, pendingWindowSeconds: 300 } };
}

describe('the push-bombing cap', () => {
  it('gives the last slot to exactly one of two pushes started at once', async () => {
    const ctx = capOf(2);
    expect(await takePushSlot(ctx, 'taro')).toEqual({ ok: true });
    const both = await Promise.all([takePushSlot(ctx, 'taro'), takePushSlot(ctx, 'taro')]);
    expect(both.filter((slot) => slot.ok)).toHaveLength(1);
    expect(await takePushSlot(ctx, 'taro')).toMatchObject({ ok: false });
  });
});
