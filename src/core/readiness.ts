/** A dependency the gateway cannot serve without. */
export interface Probe {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * Tracks whether Postgres and the store answer. The gate refuses to proxy while not ready
 * (fail closed), and readyz reports it to the load balancer.
 */
export class Readiness {
  private readonly probes: readonly Probe[];
  private failing = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;

  constructor(probes: readonly Probe[], timeoutMs = 1000) {
    this.probes = probes;
    this.timeoutMs = timeoutMs;
  }

  get isReady(): boolean {
    return this.failing.size === 0;
  }

  /** Names of failing dependencies with their error. */
  get problems(): ReadonlyMap<string, string> {
    return this.failing;
  }

  /** Marks a dependency as failing at once (e.g. a store call just failed). */
  markFailing(name: string, reason: string): void {
    this.failing.set(name, reason);
  }

  async check(): Promise<boolean> {
    const results = await Promise.all(this.probes.map((probe) => this.run(probe)));
    this.failing = new Map(results.filter((r): r is [string, string] => r !== null));
    return this.isReady;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async run(probe: Probe): Promise<[string, string] | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), this.timeoutMs);
    });
    try {
      await Promise.race([probe.check(), timeout]);
      return null;
    } catch (error) {
      return [probe.name, error instanceof Error ? error.message : String(error)];
    } finally {
      clearTimeout(timer);
    }
  }
}
