import { afterEach, beforeEach } from 'vitest';
import { FakeClock } from '../../../src/ports/clock.ts';

/** Builds a fresh, empty store on the given clock; `dispose` removes what it made. */
export type StoreFactory<P> = (clock: FakeClock) => Promise<{ store: P; dispose: () => Promise<void> }>;

/** Gives each test of the suite a fresh store on a fresh fake clock, and disposes of it after. */
export function withFreshStore<P>(factory: StoreFactory<P>, use: (store: P, clock: FakeClock) => void): void {
  let dispose = async () => {};
  beforeEach(async () => {
    const clock = new FakeClock();
    const made = await factory(clock);
    dispose = made.dispose;
    use(made.store, clock);
  });
  afterEach(async () => dispose());
}
