/**
 * Long-polling for device inboxes: a waiting `inbox` call wakes as soon as a push for its user
 * is started on any gateway instance (the store's pub/sub), or gives up when its wait ends.
 * One subscription per service; waiters are kept per user in memory.
 */
import type { PubSub } from '../../ports/pub-sub.ts';
import { INBOX_CHANNEL } from './transactions.ts';

type Wake = () => void;

export class InboxWaiter {
  private readonly channel: PubSub;
  private readonly waiting = new Map<string, Set<Wake>>();
  private subscribed: Promise<void> | null = null;
  private closed = false;

  constructor(channel: PubSub) {
    this.channel = channel;
  }

  /** Tells every instance's waiters that the user has a new request. */
  async notify(userId: string): Promise<void> {
    await this.channel.publish(INBOX_CHANNEL, userId);
  }

  /**
   * Lists until `list` finds something, a wake finds nothing new and the wait runs out, or the
   * service closes. The wake is armed before each listing, so a push between the two is not missed.
   */
  async waitFor<T>(userId: string, waitMs: number, list: () => Promise<readonly T[]>): Promise<readonly T[]> {
    await this.subscribe();
    const deadline = timer(waitMs);
    try {
      for (;;) {
        const wake = this.arm(userId);
        try {
          const found = await list();
          if (found.length > 0 || this.closed) return found;
          const why = await Promise.race([wake.promise, deadline.promise]);
          if (why !== 'wake') return found;
        } finally {
          // Also when `list` throws: no armed wake is left behind for this user.
          wake.cancel();
        }
      }
    } finally {
      deadline.cancel();
    }
  }

  /** Answers every waiting call now (with what it has); later waits return at once. */
  close(): void {
    this.closed = true;
    for (const wakes of this.waiting.values()) for (const wake of wakes) wake();
    this.waiting.clear();
  }

  private async subscribe(): Promise<void> {
    this.subscribed ??= this.channel.subscribe(INBOX_CHANNEL, (userId) => this.wakeUser(userId));
    try {
      await this.subscribed;
    } catch (error) {
      this.subscribed = null;
      throw error;
    }
  }

  private wakeUser(userId: string): void {
    const wakes = this.waiting.get(userId);
    if (!wakes) return;
    this.waiting.delete(userId);
    for (const wake of wakes) wake();
  }

  private arm(userId: string): { promise: Promise<'wake' | 'closed'>; cancel: () => void } {
    let wake: Wake = () => {};
    const promise = new Promise<'wake' | 'closed'>((resolve) => {
      wake = () => resolve(this.closed ? 'closed' : 'wake');
    });
    const wakes = this.waiting.get(userId) ?? new Set<Wake>();
    wakes.add(wake);
    this.waiting.set(userId, wakes);
    const cancel = () => {
      wakes.delete(wake);
      if (wakes.size === 0 && this.waiting.get(userId) === wakes) this.waiting.delete(userId);
    };
    return { promise, cancel };
  }
}

function timer(ms: number): { promise: Promise<'timeout'>; cancel: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((resolve) => {
    handle = setTimeout(() => resolve('timeout'), ms);
  });
  return { promise, cancel: () => clearTimeout(handle) };
}
