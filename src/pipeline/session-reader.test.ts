import { describe, expect, it } from 'vitest';
import type { ActiveSession } from '../core/session-service.ts';
import { SessionReader, type SessionOutcome, type SessionSource } from './session-reader.ts';

const session = (token: string): ActiveSession =>
  ({ token, hash: `h-${token}`, data: { userId: 'taro' } }) as unknown as ActiveSession;

/** A session source whose cache and store the test sets. */
function source(initial: { cached?: ActiveSession | null; stored?: ActiveSession | null | Error }) {
  const state = { ...initial, storeReads: 0 };
  const sessions: SessionSource = {
    readCached: () => state.cached,
    read: async () => {
      state.storeReads++;
      if (state.stored instanceof Error) throw state.stored;
      return state.stored ?? null;
    },
  };
  return { state, sessions };
}

function read(reader: SessionReader, token: string | undefined): Promise<SessionOutcome> {
  return reader.readAsync(token);
}

describe('SessionReader: one way to read a session, one way to fail closed', () => {
  it('answers a cookie that cannot be a session at once, without the store', async () => {
    const { state, sessions } = source({ cached: null });
    expect(await read(new SessionReader(sessions, () => {}), 'x')).toEqual({ ok: true, session: null });
    expect(state.storeReads).toBe(0);
  });

  it('serves a cache hit only after the rest of the turn: a cache turned off meanwhile sends it to the store', async () => {
    const hit = session('a');
    const { state, sessions } = source({ cached: hit, stored: new Error('connection lost') });
    const errors: unknown[] = [];
    const reader = new SessionReader(sessions, (error) => errors.push(error));
    const pending = read(reader, 'a');
    // The store connection drops in the same turn: the cache is suspended.
    state.cached = undefined;
    const outcome = await pending;
    expect(outcome.ok).toBe(false);
    expect(state.storeReads).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('serves a confirmed cache hit without a store read', async () => {
    const hit = session('a');
    const { state, sessions } = source({ cached: hit });
    expect(await read(new SessionReader(sessions, () => {}), 'a')).toEqual({ ok: true, session: hit });
    expect(state.storeReads).toBe(0);
  });

  it('reads the store on a miss, and reports a failing store once per read', async () => {
    const stored = session('b');
    const { sessions, state } = source({ cached: undefined, stored });
    const errors: unknown[] = [];
    const reader = new SessionReader(sessions, (error) => errors.push(error));
    expect(await read(reader, 'b')).toEqual({ ok: true, session: stored });
    state.stored = new Error('down');
    const failed = await read(reader, 'b');
    expect(failed.ok).toBe(false);
    expect(errors).toEqual([state.stored]);
  });

  it('answers every hit of turn after turn once, each with its own session; hits read while a turn is answered wait for the next', async () => {
    const byToken = new Map(['a', 'b', 'c', 'd'].map((token) => [token, session(token)]));
    const sessions: SessionSource = {
      readCached: (token) => (token === undefined ? null : byToken.get(token)),
      read: async () => null,
    };
    const reader = new SessionReader(sessions, () => {});
    const answered: Array<[string, string | undefined]> = [];
    const readNoting = (token: string, then?: () => void) =>
      reader.read(token, (outcome) => {
        answered.push([token, outcome.ok ? outcome.session?.token : 'failed']);
        then?.();
      });
    for (let turn = 0; turn < 3; turn++) {
      answered.length = 0;
      const turnDone = new Promise<void>((resolve) => {
        readNoting('a', () => {
          readNoting('d');
          readNoting('a');
        });
        readNoting('b');
        readNoting('c', resolve);
      });
      await turnDone;
      // The hits read while answering this turn ('d', 'a') are not answered in it, nor lost.
      expect(answered).toEqual([
        ['a', 'a'],
        ['b', 'b'],
        ['c', 'c'],
      ]);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(answered.slice(3)).toEqual([
        ['d', 'd'],
        ['a', 'a'],
      ]);
    }
  });
});
