import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/memory/memory-store.ts';
import { FakeClock } from '../../ports/clock.ts';
import type { PushContext } from './context.ts';
import { revokeDevice } from './devices.ts';
import { pushKeys, readDecision, saveTransaction, type TransactionRecord } from './transactions.ts';

const device = `dev_${'a'.repeat(22)}`;

describe('revokeDevice', () => {
  it('audits the revocation before waking the device, so a wake-up that fails leaves it recorded', async () => {
    const audited: unknown[] = [];
    const ctx = {
      devices: { revoke: async () => 'taro' } as unknown as PushContext['devices'],
      clock: new FakeClock(1_000),
      audit: async (event: unknown) => void audited.push(event),
      waiter: { notify: () => Promise.reject(new Error('store down')) } as unknown as PushContext['waiter'],
    };
    await expect(revokeDevice(ctx, device, { actor: 'admin' })).rejects.toThrow('store down');
    expect(audited).toEqual([
      expect.objectContaining({ event: 'push.device_revoked', userId: 'taro', actor: 'admin' }),
    ]);
  });

  it('ends the pushes in flight after the audit and before the wake-up', async () => {
    const clock = new FakeClock(1_000);
    const store = new MemoryStore(clock);
    const tx = pendingPush(clock.now());
    await saveTransaction(store, tx, clock.now());
    await store.addToSet(pushKeys.inbox('taro'), 60_000, tx.id);
    const seen: string[] = [];
    const decided = async () => ((await readDecision(store, tx.id)) ? 'ended' : 'pending');
    const ctx = {
      devices: { revoke: async () => 'taro' } as unknown as PushContext['devices'],
      clock,
      store,
      audit: async () => void seen.push(`audit: ${await decided()}`),
      waiter: {
        notify: async () => void seen.push(`wake: ${await decided()}`),
      } as unknown as PushContext['waiter'],
    };
    expect(await revokeDevice(ctx, device, { actor: 'taro' })).toBe(true);
    expect(seen).toEqual(['audit: pending', 'wake: ended']);
    expect(await readDecision(store, tx.id)).toEqual({
      outcome: 'revoked',
      at: 1_000,
      deviceId: device,
      nonce: '',
    });
    expect(await store.setMembers(pushKeys.inbox('taro'))).toEqual([]);
  });
});

function pendingPush(now: number): TransactionRecord {
  return {
    id: `ptx_${'b'.repeat(22)}`,
    userId: 'taro',
    challenge: 'c'.repeat(43),
    number: 42,
    choices: [42, 17, 88],
    createdAt: now,
    expiresAt: now + 60_000,
    retainUntil: now + 180_000,
    client: { ip: '192.0.2.10', userAgent: 'test', browser: 'Chrome on Windows' },
    path: '/app/',
    unknownEnvironment: false,
    decoy: false,
  };
}
