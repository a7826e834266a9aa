/**
 * The Karaden SMS API (version 2024-03-01), exactly as docs/sms.md describes it: one form-encoded
 * `POST {baseUrl}/{tenantId}/messages` per message, a JSON message object back. Every failure is
 * returned as a reason, never thrown, and neither the token nor the text ever reaches a log.
 */
import { request, type Agent } from 'undici';
import { z } from 'zod';
import { isTimeout, parseJson, readLimited, timedAgent } from '../../shared/http.ts';
import { toDomesticMobile } from '../sms-message.ts';
import { characterCount, MAX_SMS_CHARACTERS } from './types.ts';
import type { SendFailureReason, SendOutcome, SmsMessage, SmsProvider } from './types.ts';

/** What the provider needs from `sms.karaden`. */
export interface KaradenSettings {
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly serviceId: number;
  readonly token: string;
  readonly version: string;
  readonly timeoutMs: number;
}

const messageObject = z.looseObject({ object: z.literal('message'), id: z.string().min(1).max(128) });
const errorObject = z.looseObject({ object: z.literal('error'), code: z.string().max(64) });

/** Creates the Karaden provider; `close()` releases its connection pool. */
export function createKaradenProvider(settings: KaradenSettings): SmsProvider {
  // Its own pool, so connect time is bounded too and shutdown can close it.
  const agent = timedAgent(settings.timeoutMs);
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(settings.tenantId)}/messages`;
  let closing: Promise<void> | null = null;
  return {
    name: 'karaden',
    send: (message) => sendOne(settings, agent, url, message),
    // Idempotent: undici throws when a closed pool is closed again, and shutdown paths may overlap.
    close: () => (closing ??= agent.close()),
  };
}

async function sendOne(
  settings: KaradenSettings,
  agent: Agent,
  url: string,
  message: SmsMessage,
): Promise<SendOutcome> {
  const to = toDomesticMobile(message.to);
  if (to === null) return { ok: false, reason: 'invalid-number' };
  // Karaden would answer 422; refusing here saves a round trip and a billed attempt.
  if (characterCount(message.body) > MAX_SMS_CHARACTERS) return { ok: false, reason: 'rejected' };
  const form = new URLSearchParams({ service_id: String(settings.serviceId), to, body: message.body });
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${settings.token}`,
        'karaden-version': settings.version,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'sekisho/0.1',
        accept: 'application/json',
      },
      body: form.toString(),
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const text = await readLimited(response.body);
    return interpret(response.statusCode, text);
  } catch (error) {
    return { ok: false, reason: failureOf(error) };
  }
}

/** Maps Karaden's status and answer to an outcome. */
function interpret(status: number, text: string | null): SendOutcome {
  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    const parsed = messageObject.safeParse(json);
    return parsed.success
      ? { ok: true, messageId: parsed.data.id }
      : { ok: false, reason: 'bad-response', status };
  }
  const parsedError = errorObject.safeParse(json);
  const code =
    parsedError.success && /^[\w.-]+$/.test(parsedError.data.code) ? parsedError.data.code : undefined;
  const reason = reasonForStatus(status);
  return code === undefined ? { ok: false, reason, status } : { ok: false, reason, status, code };
}

function reasonForStatus(status: number): SendFailureReason {
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'rejected';
  return 'bad-response';
}

/** Timeouts (ours or undici's) versus everything else that kept the request from being answered. */
function failureOf(error: unknown): SendFailureReason {
  return isTimeout(error) ? 'timeout' : 'network';
}
