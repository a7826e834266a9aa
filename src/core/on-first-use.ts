/**
 * A library loaded when it is first needed instead of at start-up. The ceremony and enrolment
 * libraries (WebAuthn, Web Push, QR codes) serve a few requests a day, yet loading them with the
 * rest would hold ~13 MiB of every instance's memory from the first second (docs/performance.md,
 * "Memory"). Callers at once share one load; a failed load is not kept, so the next use tries again.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };
}
