import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgChangeFeed } from '../../src/adapters/pg/pg-change-feed.ts';
import { ChangeWatcher } from '../../src/core/change-watcher.ts';
import type { ChangeFeed } from '../../src/ports/audit.ts';
import { createTestRuntime, type TestRuntime } from '../support/gateway.ts';

/**
 * `poll()` is what makes a change live at once on the instance that made it (the demo's rules,
 * every test's setRules): it must apply a change written while another run was in flight, a run
 * that had read the feed before the change existed.
 */
describe('ChangeWatcher.poll against the real change feed', () => {
  let gw: TestRuntime;

  beforeAll(async () => {
    // The gateway's own watcher polls rarely, so that only the watcher below applies changes.
    gw = await createTestRuntime({ config: { rules: { pollIntervalMs: 10_000 } } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('applies a change written while a run that read the feed before it was still in flight', async () => {
    const real = new PgChangeFeed(gw.runtime.pool);
    // Holds the next read's answer (already read from Postgres) until released.
    let hold: { read: () => void; release: Promise<void> } | null = null;
    const feed: ChangeFeed = {
      latest: () => real.latest(),
      since: async (seq) => {
        const changes = await real.since(seq);
        const held = hold;
        hold = null;
        if (held) {
          held.read();
          await held.release;
        }
        return changes;
      },
    };
    const { gateway } = gw.runtime;
    const watcher = new ChangeWatcher({ ...gateway, feed, rules: gateway.rules });
    await watcher.start(60_000);
    try {
      let release = () => {};
      const read = new Promise<void>((resolve) => {
        hold = { read: resolve, release: new Promise<void>((done) => (release = done)) };
      });
      const inFlight = watcher.poll();
      await read;
      // Written after the run in flight read the feed, as the timer's run and a caller's change race.
      await gw.admin.setRule('/later/=ALL;;', 'test', { unknownPrincipals: 'allow' });
      const applied = watcher.poll();
      release();
      await Promise.all([inFlight, applied]);
      expect(gateway.rules.current.match(null, '/later/page')?.prefix).toBe('/later/');
    } finally {
      await watcher.stop();
    }
  });
});
