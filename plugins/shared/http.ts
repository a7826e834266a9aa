/**
 * What the plugins' HTTP clients of outside services (the Karaden SMS API, a remote push
 * service) share: a pool whose every phase is bounded by one timeout, a bounded read of the
 * answer, lenient JSON, and telling a timeout from any other failure. Plugins may import this;
 * like them it imports nothing from `src/` but the plugin API.
 */
import { Agent } from 'undici';

/** An answer larger than this is not one these services send; stop reading rather than buffer it. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A connection pool whose connect, headers and body phases each end after `timeoutMs`. */
export function timedAgent(timeoutMs: number): Agent {
  return new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
}

/** Reads at most `maxBytes` as UTF-8; null (and the body destroyed) when the answer is larger. */
export async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  maxBytes = MAX_ANSWER_BYTES,
): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON value of `text`, or undefined when there is none (no text, or not JSON). */
export function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a request failed by running out of time (our AbortSignal.timeout or undici's own timers). */
export function isTimeout(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code));
}
