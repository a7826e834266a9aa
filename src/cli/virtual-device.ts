/**
 * The virtual authenticator behind `sekisho device`: a push device for headless use (scripts,
 * tests, a server that must approve its own logins). It speaks the same device API as the
 * authenticator page and signs with the same module (views/static/push/protocol.js); its key
 * is an extractable JWK kept in a store file of mode 0600.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'undici';
import {
  PATTERNS,
  activatePayload,
  generateDeviceKey,
  inboxPayload,
  newNonce,
  publicJwk,
  respondPayload,
  sign,
  subscribePayload,
} from '../../views/static/push/protocol.js';
import type { DevicePublicKey, PendingRequest } from '../ports/push-service.ts';
import { usageError } from './args.ts';

/** What `--store FILE` holds. */
export interface DeviceStoreFile {
  readonly origin: string;
  readonly deviceId: string;
  readonly userId: string;
  readonly privateJwk: JsonWebKey;
  readonly publicJwk: DevicePublicKey;
  /** The Web Push subscription it registered (`--push-endpoint`), to receive and decrypt pushes. */
  readonly webPush?: WebPushKeys;
}

/** A Web Push subscription's keys as a browser holds them, each base64url. */
export interface WebPushKeys {
  readonly endpoint: string;
  /** The 65-byte uncompressed P-256 public key. */
  readonly p256dh: string;
  /** The 16-byte auth secret. */
  readonly auth: string;
  /** The 32-byte private scalar. */
  readonly privateKey: string;
}

/** A device ready to sign: its store with the private key imported (non-extractable). */
export interface VirtualDevice {
  readonly origin: string;
  readonly deviceId: string;
  readonly userId: string;
  readonly privateKey: CryptoKey;
}

export type Decision = 'approve' | 'deny' | 'report';
export type Outcome = 'approved' | 'denied' | 'reported' | 'wrong_number';

const API = '/_sekisho/push/device';
/** The inbox's longest long-poll (docs/push.md §2). */
const MAX_WAIT_SECONDS = 25;

/** A failure the CLI reports as one line, exit 1. */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
}

/** `<origin>/_sekisho/push/app#activate=<code>` → the gateway's origin and the code. */
function parseActivationUrl(text: string): { origin: string; code: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError('the activation URL is not a URL');
  }
  const code = /^#activate=(.*)$/.exec(url.hash)?.[1] ?? '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !PATTERNS.code.test(code)) {
    throw usageError('expected an activation URL ending in #activate=<code> (from `sekisho push enroll`)');
  }
  return { origin: url.origin, code };
}

/** Makes a key pair and activates it with the code; the store to write on success. */
export async function activateDevice(activationUrl: string, name: string): Promise<DeviceStoreFile> {
  const { origin, code } = parseActivationUrl(activationUrl);
  const keys = await generateDeviceKey(true);
  const publicKey = await publicJwk(keys.publicKey);
  const signature = await sign(keys.privateKey, activatePayload(code));
  const answer = await post(origin, 'activate', { code, publicKey, name, signature }, 30_000);
  if (answer.status === 410)
    throw new DeviceError('this activation link has expired or was already used; ask for a new one');
  if (answer.status === 401) throw new DeviceError('the gateway refused the activation signature');
  const body = answer.body as { deviceId?: unknown; userId?: unknown };
  if (answer.status !== 200 || typeof body.deviceId !== 'string' || typeof body.userId !== 'string') {
    throw unexpected(answer);
  }
  const privateJwk = await crypto.subtle.exportKey('jwk', keys.privateKey);
  return { origin, deviceId: body.deviceId, userId: body.userId, privateJwk, publicJwk: publicKey };
}

/**
 * Makes a P-256 ECDH key and a 16-byte auth secret, as a browser does for a push subscription,
 * and registers them with `endpoint` through the signed device API.
 */
export async function registerWebPush(
  store: DeviceStoreFile,
  endpoint: string,
  locale: 'ja' | 'en' = 'en',
): Promise<WebPushKeys> {
  if (!PATTERNS.endpoint.test(endpoint)) throw usageError('--push-endpoint must be an http(s) URL');
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = {
    endpoint,
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
    // A scalar with leading zero bytes comes out short: always the full 32 bytes.
    privateKey: Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()])
      .subarray(-32)
      .toString('base64url'),
  };
  const privateKey = await crypto.subtle.importKey(
    'jwk',
    store.privateJwk,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const time = Date.now();
  const nonce = newNonce();
  const fields = { endpoint, p256dh: keys.p256dh, auth: keys.auth };
  const signature = await sign(privateKey, subscribePayload(store.deviceId, time, nonce, fields));
  const subscription = { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
  const body = { deviceId: store.deviceId, time, nonce, signature, subscription, locale };
  const answer = await post(store.origin, 'subscription', body, 30_000);
  if (answer.status === 403)
    throw new DeviceError('the gateway does not allow this push endpoint (push.webPush.allowedEndpoints)');
  if (answer.status === 404) throw new DeviceError('Web Push is turned off on this gateway');
  if (answer.status !== 200) throw unexpected(answer);
  return keys;
}

/** Writes the store readable by its owner only; an existing file is kept unless `overwrite`. */
export async function writeStore(file: string, store: DeviceStoreFile, overwrite: boolean): Promise<void> {
  const text = `${JSON.stringify(store, null, 2)}\n`;
  try {
    await writeFile(file, text, { mode: 0o600, flag: overwrite ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw storeExists(file);
    throw new DeviceError(`cannot write the device store ${file}: ${(error as Error).message}`);
  }
  await chmod(file, 0o600); // an overwritten file keeps its old mode otherwise
}

export function storeExists(file: string): DeviceError {
  return new DeviceError(`the device store ${file} exists already; pass --force to replace it`);
}

/** Reads and checks the store, and imports its key for signing only. */
export async function openDevice(file: string): Promise<{ device: VirtualDevice; openToOthers: boolean }> {
  let store: Partial<DeviceStoreFile>;
  let mode: number;
  try {
    store = JSON.parse(await readFile(file, 'utf8')) as Partial<DeviceStoreFile>;
    mode = (await stat(file)).mode;
  } catch (error) {
    throw new DeviceError(`cannot read the device store ${file}: ${(error as Error).message}`);
  }
  const { origin, deviceId, userId, privateJwk } = store;
  if (
    typeof origin !== 'string' ||
    typeof userId !== 'string' ||
    typeof deviceId !== 'string' ||
    !PATTERNS.deviceId.test(deviceId) ||
    typeof privateJwk !== 'object' ||
    privateJwk === null
  ) {
    throw new DeviceError(`the device store ${file} is not a sekisho device store`);
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey(
      'jwk',
      privateJwk,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
  } catch {
    throw new DeviceError(`the device store ${file} holds no usable P-256 private key`);
  }
  return { device: { origin, deviceId, userId, privateKey }, openToOthers: (mode & 0o077) !== 0 };
}

/**
 * Long-polls the inbox until a request is pending or `timeoutMs` has passed; the most recent
 * pending request, or null.
 */
export async function waitForRequest(
  device: VirtualDevice,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<PendingRequest | null> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const waitSeconds = Math.max(0, Math.min(MAX_WAIT_SECONDS, Math.floor((deadline - now()) / 1000)));
    const requests = await readInbox(device, waitSeconds);
    if (requests.length > 0) return requests.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
    if (waitSeconds === 0 || now() >= deadline) return null;
  }
}

async function readInbox(device: VirtualDevice, waitSeconds: number): Promise<PendingRequest[]> {
  const time = Date.now();
  const nonce = newNonce();
  const signature = await sign(device.privateKey, inboxPayload(device.deviceId, time, nonce));
  const body = { deviceId: device.deviceId, time, nonce, signature, waitSeconds };
  const answer = await post(device.origin, 'inbox', body, (waitSeconds + 15) * 1000);
  if (answer.status === 401) throw unauthorized();
  const requests = (answer.body as { requests?: unknown }).requests;
  if (answer.status !== 200 || !Array.isArray(requests)) throw unexpected(answer);
  return requests as PendingRequest[];
}

/** Signs and sends the decision; the outcome, or a DeviceError saying why there is none. */
export async function respond(
  device: VirtualDevice,
  pending: PendingRequest,
  decision: Decision,
  number: string,
): Promise<Outcome> {
  const base = { deviceId: device.deviceId, transactionId: pending.transactionId, decision, number };
  const signature = await sign(device.privateKey, respondPayload({ ...base, challenge: pending.challenge }));
  const answer = await post(device.origin, 'respond', { ...base, signature }, 30_000);
  if (answer.status === 401) throw unauthorized();
  if (answer.status === 404) throw new DeviceError('the push request expired or was withdrawn');
  if (answer.status === 409) throw new DeviceError('the push request was already answered');
  const outcome = (answer.body as { outcome?: unknown }).outcome;
  if (answer.status !== 200 || typeof outcome !== 'string') throw unexpected(answer);
  return outcome as Outcome;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

async function post(origin: string, call: string, body: unknown, timeoutMs: number): Promise<Answer> {
  try {
    const response = await request(`${origin}${API}/${call}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    return { status: response.statusCode, body: parsed ?? {} };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DeviceError(`cannot reach the gateway at ${origin} (${reason})`);
  }
}

function unauthorized(): DeviceError {
  return new DeviceError(
    "the gateway refused this device: it was revoked or is unknown there, or this machine's clock is off by more than 5 minutes",
  );
}

function unexpected(answer: Answer): DeviceError {
  const code = (answer.body as { error?: unknown }).error;
  return new DeviceError(
    `the gateway answered HTTP ${answer.status}${typeof code === 'string' ? ` (${code})` : ''}`,
  );
}
