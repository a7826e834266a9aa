// The gateway's device API (/_sekisho/push/device/*, docs/push.md): activate, inbox and
// respond, each signed with the device key exactly as protocol.js lays the payloads out.
import {
  activatePayload,
  inboxPayload,
  newNonce,
  publicJwk,
  respondPayload,
  sign,
  subscribePayload,
  testPushPayload,
} from './protocol.js';

/**
 * @typedef {import('./device-store.js').Device} Device
 * @typedef {{transactionId: string, challenge: string, choices: number[], createdAt: number,
 *   expiresAt: number, client: {ip: string, userAgent: string, browser: string}, path: string,
 *   unknownEnvironment: boolean}} PendingRequest
 */

const API = '/_sekisho/push/device';
const WAIT_SECONDS = 25;

/**
 * @param {string} path
 * @param {unknown} body
 * @param {AbortSignal} [signal]
 */
function postJson(path, body, signal) {
  return fetch(`${API}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
    signal,
  });
}

/**
 * The activation body: the new public key, signed by its private half over the code.
 * @param {string} code
 * @param {string} name
 * @param {CryptoKeyPair} keys
 */
export async function activationBody(code, name, keys) {
  return {
    code,
    publicKey: await publicJwk(keys.publicKey),
    name,
    signature: await sign(keys.privateKey, activatePayload(code)),
  };
}

/** @param {Awaited<ReturnType<typeof activationBody>>} body */
export const postActivation = (body) => postJson('activate', body);

/**
 * One long-poll of the inbox; the gateway answers at once when requests are pending.
 * @param {Device} device
 * @param {AbortSignal} signal
 */
export async function postInbox(device, signal) {
  const time = Date.now();
  const nonce = newNonce();
  const signature = await sign(device.privateKey, inboxPayload(device.deviceId, time, nonce));
  const body = { deviceId: device.deviceId, time, nonce, signature, waitSeconds: WAIT_SECONDS };
  return postJson('inbox', body, signal);
}

/**
 * Answers a request; the signature binds the decision to the request's challenge.
 * @param {Device} device
 * @param {PendingRequest} request
 * @param {string} decision
 * @param {string} number
 */
export async function postDecision(device, request, decision, number) {
  const base = { deviceId: device.deviceId, transactionId: request.transactionId, decision, number };
  const signature = await sign(device.privateKey, respondPayload({ ...base, challenge: request.challenge }));
  return postJson('respond', { ...base, signature });
}

/** The gateway's VAPID public key (base64url), or null when it sends no Web Push. */
export async function getWebPushKey() {
  const response = await fetch(`${API}/web-push-key`, { cache: 'no-store', credentials: 'omit' });
  if (!response.ok) return null;
  const { publicKey } = await response.json();
  return typeof publicKey === 'string' ? publicKey : null;
}

/**
 * Registers the browser's push subscription for this device (signed, once per call).
 * @param {Device} device
 * @param {PushSubscription} subscription
 * @param {'ja' | 'en'} locale
 */
export async function postSubscription(device, subscription, locale) {
  const json = subscription.toJSON();
  const unpadded = (/** @type {string | undefined} */ value) => String(value ?? '').replace(/=+$/, '');
  const fields = {
    endpoint: subscription.endpoint,
    p256dh: unpadded(json.keys?.p256dh),
    auth: unpadded(json.keys?.auth),
  };
  const time = Date.now();
  const nonce = newNonce();
  const signature = await sign(device.privateKey, subscribePayload(device.deviceId, time, nonce, fields));
  const body = {
    deviceId: device.deviceId,
    time,
    nonce,
    signature,
    subscription: { endpoint: fields.endpoint, keys: { p256dh: fields.p256dh, auth: fields.auth } },
    locale,
  };
  return postJson('subscription', body);
}

/**
 * Asks the gateway for a test notification to this device.
 * @param {Device} device
 */
export async function postTestPush(device) {
  const time = Date.now();
  const nonce = newNonce();
  const signature = await sign(device.privateKey, testPushPayload(device.deviceId, time, nonce));
  return postJson('test-push', { deviceId: device.deviceId, time, nonce, signature });
}
