import { describe, expect, it } from 'vitest';
import type { StoreConnection } from '../../../src/ports/store-connection.ts';
import { withFreshStore, type StoreFactory } from './fresh-store.ts';

/** What every {@link StoreConnection} must do while its store is reachable. */
export function storeConnectionContract(adapter: string, factory: StoreFactory<StoreConnection>): void {
  describe(`StoreConnection contract: ${adapter}`, () => {
    let store: StoreConnection;
    withFreshStore(factory, (fresh) => {
      store = fresh;
    });

    it('answers a ping, and reports neither a loss nor an error while healthy', async () => {
      const events: string[] = [];
      store.onConnectionLost(() => events.push('lost'));
      store.onError((error) => events.push(`error: ${error.message}`));
      await store.ping();
      await store.ping();
      expect(events).toEqual([]);
    });
  });
}
