/**
 * Retries `check` every `intervalMs` until it returns true; fails when `deadlineMs` passes.
 * Only for what is real time by nature (propagation between instances, a dropped
 * connection); timeouts the gateway computes from its clock use FakeClock instead.
 * Returns how long it took.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  deadlineMs: number,
  what = 'condition',
  intervalMs = 50,
): Promise<number> {
  const started = Date.now();
  let lastError: unknown = null;
  for (;;) {
    try {
      if (await check()) return Date.now() - started;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > deadlineMs) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${what} not met within ${deadlineMs} ms${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
