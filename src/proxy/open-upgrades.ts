import type { Socket } from 'node:net';

/** How often open websockets are checked against their sessions: the revocation bound for them. */
export const upgradeSweepMs = 1000;

/** Whether the session behind a stored hash is still live (without renewing its idle timer). */
export type SessionCheck = (hash: string) => Promise<boolean>;

/**
 * The websockets proxied for a session. A session checked at the upgrade may end later
 * (logout, an admin's revocation, a locked user, idle or absolute expiry); once a second every
 * open websocket's session is checked again and the connection of an ended one is closed, so
 * an open socket outlives its session by at most {@link upgradeSweepMs} (plus one store read).
 * A websocket's own messages do not renew the session's idle timer: only HTTP requests do.
 */
export class OpenUpgrades {
  private readonly open = new Map<Socket, string>();
  private readonly isLive: SessionCheck;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(isLive: SessionCheck, onError: (error: unknown) => void) {
    this.isLive = isLive;
    this.onError = onError;
  }

  /** Watches an upgraded connection of the session stored under `hash`. */
  track(socket: Socket, hash: string): void {
    if (socket.destroyed) return;
    this.open.set(socket, hash);
    socket.once('close', () => this.open.delete(socket));
    if (!this.timer) {
      this.timer = setInterval(() => void this.sweep(), upgradeSweepMs);
      this.timer.unref();
    }
  }

  /** How many upgraded connections are watched now. */
  get size(): number {
    return this.open.size;
  }

  /** Checks every watched connection once; closes those whose session has ended. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const verdicts = new Map<string, Promise<boolean>>();
      const checks = [...this.open].map(async ([socket, hash]) => {
        let live = verdicts.get(hash);
        // A store that cannot answer closes the socket too: fail closed, as for requests. The
        // failure is reported once per session checked, not once per socket.
        if (!live)
          verdicts.set(hash, (live = this.isLive(hash).catch((error: unknown) => this.failed(error))));
        if (!(await live)) socket.destroy();
      });
      await Promise.all(checks);
    } finally {
      this.sweeping = false;
      if (this.open.size === 0) this.stop();
    }
  }

  private failed(error: unknown): false {
    this.onError(error);
    return false;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
