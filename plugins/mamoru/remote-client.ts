/**
 * A `PushClient` over HTTP: the Mamoru-style API of docs/push.md §5 (`POST <url>/v1/auth/…`,
 * Bearer key, snake_case JSON, `status: "0000"` for success). Nothing is thrown: whatever keeps
 * the service from answering properly (timeout, network, 5xx, not JSON, an unexpected shape or
 * status) is `unavailable` for start and poll and `false` for verify, and one warn line without
 * secrets (never the key or a token) says why.
 */
import { request, type Agent } from 'undici';
import { z } from 'zod';
import type { PluginLogger, PushClient, PushPollResult, PushStartResult } from '../../src/plugin-api.ts';
import { isTimeout, parseJson, readLimited, timedAgent } from '../shared/http.ts';
import type { RemoteServiceConfig } from './config.ts';

/** The remote client, plus closing its connection pool. */
export interface RemotePushClient extends PushClient {
  close(): Promise<void>;
}

type Call = 'start' | 'poll' | 'verify';

/** Why a call gave nothing usable (logged, never shown). */
type FailureReason = 'timeout' | 'network' | 'http-status' | 'not-json' | 'bad-shape' | 'status';

/** A call's answer: the JSON of a well-formed envelope, or why there is none. */
type Answer =
  | { readonly ok: true; readonly status: string; readonly json: unknown }
  | { readonly ok: false; readonly reason: FailureReason; readonly httpStatus?: number };

const STATUS_OK = '0000';
const STATUS_BUSY = '1429';
const STATUS_REFUSED = '1401';

const transactionId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);
const token = z.string().regex(/^[\x21-\x7e]{1,512}$/);
const envelope = z.looseObject({ status: z.string().regex(/^\d{4}$/) });

const startAnswer = z.looseObject({
  transaction_id: transactionId,
  number: z.int().min(10).max(99).nullable().default(null),
  expires_at: z.int().positive(),
});

const busyDetail = z.looseObject({ retry_at: z.int().positive().optional() });

const pollAnswer = z
  .looseObject({
    state: z.enum(['pending', 'approved', 'denied', 'wrong_number', 'expired']),
    token1: token.optional(),
    token2: token.optional(),
  })
  // Tokens come both or neither, and only with an approval.
  .refine((a) => (a.token1 === undefined) === (a.token2 === undefined))
  .refine((a) => a.token1 === undefined || a.state === 'approved');

/** Creates the client; `close()` releases its pool. */
export function createRemotePushClient(settings: RemoteServiceConfig, log: PluginLogger): RemotePushClient {
  // Its own pool, so connect time is bounded too and shutdown can close it.
  const agent = timedAgent(settings.timeoutMs);
  const call = (name: Call, body: Record<string, unknown>) => callService(settings, agent, name, body);
  const warn = (name: Call, failure: Record<string, unknown>) =>
    log.warn({ call: name, ...failure }, 'push service call failed');
  let closing: Promise<void> | null = null;

  return {
    async start(req): Promise<PushStartResult> {
      const body = {
        user_id: req.userId,
        ip: req.ip,
        user_agent: req.userAgent,
        path: req.path,
        decoy: req.decoy,
      };
      const answer = await call('start', body);
      if (answer.ok && answer.status === STATUS_BUSY) return busyAnswer(answer.json);
      const parsed = answer.ok && answer.status === STATUS_OK ? startAnswer.safeParse(answer.json) : null;
      if (parsed?.success) {
        const { transaction_id, number, expires_at } = parsed.data;
        return { kind: 'started', transactionId: transaction_id, number, expiresAt: expires_at };
      }
      warn('start', failureOf(answer));
      return { kind: 'unavailable' };
    },

    async poll(id): Promise<PushPollResult> {
      const answer = await call('poll', { transaction_id: id });
      const parsed = answer.ok && answer.status === STATUS_OK ? pollAnswer.safeParse(answer.json) : null;
      if (parsed?.success) {
        const { state, token1, token2 } = parsed.data;
        const tokens = token1 !== undefined && token2 !== undefined ? { token1, token2 } : undefined;
        return tokens === undefined ? { kind: 'state', state } : { kind: 'state', state, tokens };
      }
      warn('poll', failureOf(answer));
      return { kind: 'unavailable' };
    },

    async verify(req): Promise<boolean> {
      const body = {
        transaction_id: req.transactionId,
        user_id: req.userId,
        token1: req.token1,
        token2: req.token2,
      };
      const answer = await call('verify', body);
      if (answer.ok && answer.status === STATUS_OK) return true;
      // A refusal is an answer, not a failure: the plugin audits it.
      if (!(answer.ok && answer.status === STATUS_REFUSED)) warn('verify', failureOf(answer));
      return false;
    },

    // Idempotent: undici throws when a closed pool is closed again, and shutdown paths may overlap.
    close: () => (closing ??= agent.close()),
  };
}

/** The cap's refusal, with when a push can be sent again where the service says so. */
function busyAnswer(json: unknown): PushStartResult {
  const parsed = busyDetail.safeParse(json);
  return parsed.success && parsed.data.retry_at !== undefined
    ? { kind: 'busy', retryAt: parsed.data.retry_at }
    : { kind: 'busy' };
}

/** The log fields of an answer that was not the expected one: reason and codes, nothing else. */
function failureOf(answer: Answer): Record<string, unknown> {
  if (!answer.ok) return { reason: answer.reason, httpStatus: answer.httpStatus };
  return answer.status === STATUS_OK ? { reason: 'bad-shape' } : { reason: 'status', status: answer.status };
}

async function callService(
  settings: RemoteServiceConfig,
  agent: Agent,
  call: Call,
  body: Record<string, unknown>,
): Promise<Answer> {
  try {
    const response = await request(`${settings.url}/v1/auth/${call}`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${settings.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'sekisho/0.1',
      },
      body: JSON.stringify(body),
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const text = await readLimited(response.body);
    return interpret(response.statusCode, text);
  } catch (error) {
    return { ok: false, reason: isTimeout(error) ? 'timeout' : 'network' };
  }
}

/**
 * 5xx is a failure whatever the body says; otherwise the JSON `status` decides (the service may
 * send its `1xxx` statuses with a 4xx or with 200).
 */
function interpret(httpStatus: number, text: string | null): Answer {
  if (httpStatus >= 500 || httpStatus < 200 || (httpStatus >= 300 && httpStatus < 400)) {
    return { ok: false, reason: 'http-status', httpStatus };
  }
  const json = parseJson(text);
  if (json === undefined) return { ok: false, reason: 'not-json', httpStatus };
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'bad-shape', httpStatus };
  return { ok: true, status: parsed.data.status, json };
}
