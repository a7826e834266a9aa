import { describe, expect, it } from 'vitest';
import type { PubSub } from '../../../src/ports/pub-sub.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

/** What every {@link PubSub} must do. */
export function pubSubContract(adapter: string, factory: StoreFactory<PubSub>): void {
  describe(`PubSub contract: ${adapter}`, () => {
    let store: PubSub;
    withFreshStore(factory, (fresh) => {
      store = fresh;
    });

    it('delivers published messages to subscribers', async () => {
      let deliver: (message: string) => void = () => {};
      const received = new Promise<string>((resolve) => (deliver = resolve));
      await store.subscribe('events', (message) => deliver(message));
      await store.publish('events', 'hello');
      expect(await received).toBe('hello');
    });

    it("delivers a channel's messages in order, and none of another channel", async () => {
      const received: string[] = [];
      let done: () => void = () => {};
      const last = new Promise<void>((resolve) => (done = resolve));
      await store.subscribe('events', (message) => {
        received.push(message);
        if (message === 'end') done();
      });
      await store.publish('other', 'elsewhere');
      for (const message of ['one', 'two', 'end']) await store.publish('events', message);
      await last;
      expect(received).toEqual(['one', 'two', 'end']);
    });
  });
}
