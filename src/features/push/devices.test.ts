import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../ports/clock.ts';
import type { PushContext } from './context.ts';
import { revokeDevice } from './devices.ts';

describe('revokeDevice', () => {
  it('audits the revocation before waking the device, so a wake-up that fails leaves it recorded', async () => {
    const audited: unknown[] = [];
    const ctx = {
      devices: { revoke: async () => 'taro' } as unknown as PushContext['devices'],
      clock: new FakeClock(1_000),
      audit: async (event: unknown) => void audited.push(event),
      waiter: { notify: () => Promise.reject(new Error('store down')) } as unknown as PushContext['waiter'],
    };
    const device = `dev_${'a'.repeat(22)}`;
    await expect(revokeDevice(ctx, device, { actor: 'admin' })).rejects.toThrow('store down');
    expect(audited).toEqual([
      expect.objectContaining({ event: 'push.device_revoked', userId: 'taro', actor: 'admin' }),
    ]);
  });
});
