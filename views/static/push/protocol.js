// The Sekisho push protocol (docs/push.md §1): signed payloads, shared by the authenticator
// page in the browser and the virtual authenticator (`sekisho device`) in Node. Plain
// JavaScript on purpose: the browser loads it as a module, unbuilt.

export const PROTOCOL = 'sekisho-push/1';

/** @type {Record<string, RegExp>} */
export const PATTERNS = {
  code: /^[A-Za-z0-9_-]{43}$/,
  challenge: /^[A-Za-z0-9_-]{43}$/,
  deviceId: /^dev_[A-Za-z0-9_-]{22}$/,
  transactionId: /^ptx_[A-Za-z0-9_-]{22}$/,
  number: /^[1-9][0-9]$/,
  time: /^[0-9]{1,16}$/,
  nonce: /^[A-Za-z0-9_-]{22}$/,
  decision: /^(approve|deny|report)$/,
  // Web Push (docs/push.md, Web Push): a subscription's endpoint (printable ASCII, no spaces),
  // the browser's P-256 ECDH public key (65 bytes) and its auth secret (16 bytes), base64url.
  endpoint: /^https?:\/\/[\x21-\x7e]{1,2040}$/,
  p256dh: /^B[A-Za-z0-9_-]{86}$/,
  auth: /^[A-Za-z0-9_-]{22}$/,
};

/**
 * @param {string} name
 * @param {string} value
 */
function field(name, value) {
  const pattern = PATTERNS[name];
  if (!pattern || !pattern.test(value)) throw new Error(`push protocol: bad ${name}`);
  return value;
}

/** @param {string} code */
export function activatePayload(code) {
  return [PROTOCOL, 'activate', field('code', code)].join('\n');
}

/**
 * The nonce makes every inbox call a statement of its own, which the gateway accepts once; without
 * one (clients from before nonces) the same device and millisecond work once.
 * @param {string} deviceId
 * @param {number | string} time
 * @param {string} [nonce]
 */
export function inboxPayload(deviceId, time, nonce) {
  const fields = [PROTOCOL, 'inbox', field('deviceId', deviceId), field('time', String(time))];
  if (nonce !== undefined) fields.push(field('nonce', nonce));
  return fields.join('\n');
}

/**
 * Registers (or replaces) this device's Web Push subscription; with no subscription, removes it.
 * Signed with a time and nonce like the inbox, so each call works once.
 * @param {string} deviceId
 * @param {number | string} time
 * @param {string} nonce
 * @param {{endpoint: string, p256dh: string, auth: string} | null} subscription
 */
export function subscribePayload(deviceId, time, nonce, subscription) {
  const head = [PROTOCOL, subscription ? 'subscribe' : 'unsubscribe', field('deviceId', deviceId)];
  const fields = [...head, field('time', String(time)), field('nonce', nonce)];
  if (subscription) {
    fields.push(
      field('endpoint', subscription.endpoint),
      field('p256dh', subscription.p256dh),
      field('auth', subscription.auth),
    );
  }
  return fields.join('\n');
}

/**
 * Asks the gateway to send this device a test notification.
 * @param {string} deviceId
 * @param {number | string} time
 * @param {string} nonce
 */
export function testPushPayload(deviceId, time, nonce) {
  return [
    PROTOCOL,
    'test-push',
    field('deviceId', deviceId),
    field('time', String(time)),
    field('nonce', nonce),
  ].join('\n');
}

/** 16 random bytes, base64url: a fresh one for every inbox call. */
export function newNonce() {
  return toBase64url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * @param {{deviceId: string, transactionId: string, challenge: string, decision: string, number?: string | number | null}} r
 */
export function respondPayload(r) {
  const number =
    r.decision === 'approve' && r.number != null && r.number !== '' ? field('number', String(r.number)) : '';
  return [
    PROTOCOL,
    'respond',
    field('deviceId', r.deviceId),
    field('transactionId', r.transactionId),
    field('challenge', r.challenge),
    field('decision', r.decision),
    number,
  ].join('\n');
}

/** @param {ArrayBuffer | Uint8Array} bytes */
export function toBase64url(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new P-256 key pair; `extractable` only for the virtual authenticator's file store. */
export function generateDeviceKey(extractable = false) {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify']);
}

/**
 * The public half as the JWK the server stores: {kty, crv, x, y} only.
 * @param {CryptoKey} publicKey
 */
export async function publicJwk(publicKey) {
  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
  return { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
}

/**
 * ECDSA P-256 / SHA-256 over the UTF-8 payload; raw r||s (IEEE P1363), base64url.
 * @param {CryptoKey} privateKey
 * @param {string} payload
 */
export async function sign(privateKey, payload) {
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(payload),
  );
  return toBase64url(signature);
}
