/**
 * A fake Web Push service on 127.0.0.1 (RFC 8030), checked with nothing of Sekisho's: it verifies
 * the VAPID header itself (RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`, an ES256 JWT whose
 * `aud` is the endpoint's origin, `exp` within 24 h, `sub` a mailto: or https: contact) with
 * node:crypto, and decrypts the aes128gcm body (RFC 8291) with `http_ece`, the reference
 * implementation, using the subscriber's own private key. Each subscription can be told to answer
 * 201, 404, 410, 429 or never.
 */
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';

export type PushServiceMode = 'accept' | 'not-found' | 'gone' | 'rate-limited' | 'hang' | 'redirect';

/** A browser's side of one subscription: what it gives the gateway, and its private key. */
export interface FakeSubscriber {
  readonly endpoint: string;
  /** Uncompressed P-256 public key, base64url. */
  readonly p256dh: string;
  readonly auth: string;
  /** The 32-byte private scalar, base64url (what the virtual authenticator keeps). */
  readonly privateKey: string;
  mode: PushServiceMode;
  /** Where `redirect` sends the request (301). */
  redirectTo?: string;
}

/** One message the service took, after checking it. */
export interface ReceivedPush {
  readonly endpoint: string;
  readonly headers: IncomingMessage['headers'];
  readonly claims: { aud: string; exp: number; sub: string };
  /** The VAPID public key (`k=`), base64url. */
  readonly vapidKey: string;
  /** The decrypted payload, parsed. */
  readonly payload: Record<string, unknown>;
  readonly plaintext: string;
}

export interface FakePushService {
  readonly origin: string;
  /** Messages that passed every check, oldest first. */
  readonly received: ReceivedPush[];
  /** Requests refused by the checks, with why (a correct gateway makes none). */
  readonly rejected: { endpoint: string; reason: string }[];
  /** Every request that reached the server, checked or not. */
  readonly hits: string[];
  /** A new subscription (as a browser would make) under this service, or with the keys given. */
  subscribe(keys?: { p256dh: string; auth: string; privateKey: string; path?: string }): FakeSubscriber;
  /** Resolves once `count` messages have been received. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

const DAY_S = 24 * 3600;

export async function startFakePushService(): Promise<FakePushService> {
  const subscribers = new Map<string, FakeSubscriber>();
  const received: ReceivedPush[] = [];
  const rejected: { endpoint: string; reason: string }[] = [];
  const hits: string[] = [];
  const hanging = new Set<ServerResponse>();
  let waiters: (() => void)[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const endpoint = `${origin}${req.url ?? ''}`;
      hits.push(endpoint);
      const subscriber = subscribers.get(req.url ?? '');
      if (req.method !== 'POST' || !subscriber) return answer(res, 404);
      if (subscriber.mode === 'hang') return void hanging.add(res);
      if (subscriber.mode === 'not-found') return answer(res, 404);
      if (subscriber.mode === 'gone') return answer(res, 410);
      if (subscriber.mode === 'rate-limited') return answer(res, 429, { 'retry-after': '120' });
      if (subscriber.mode === 'redirect') return answer(res, 301, { location: subscriber.redirectTo ?? '/' });
      try {
        received.push(check(req, Buffer.concat(chunks), subscriber, origin));
        answer(res, 201, { location: `${origin}/message/${randomBytes(8).toString('hex')}` });
      } catch (error) {
        rejected.push({ endpoint, reason: (error as Error).message });
        answer(res, 400);
      }
      const ready = waiters;
      waiters = [];
      for (const wake of ready) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    received,
    rejected,
    hits,
    subscribe(keys) {
      const ecdh = createECDH('prime256v1');
      if (keys) ecdh.setPrivateKey(Buffer.from(keys.privateKey, 'base64url'));
      else ecdh.generateKeys();
      const path = keys?.path ?? `/push/${randomBytes(12).toString('base64url')}`;
      const subscriber: FakeSubscriber = {
        endpoint: `${origin}${path}`,
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: keys?.auth ?? randomBytes(16).toString('base64url'),
        privateKey: ecdh.getPrivateKey().toString('base64url'),
        mode: 'accept',
      };
      subscribers.set(path, subscriber);
      return subscriber;
    },
    async waitForMessages(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${received.length} of ${count} pushes arrived`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers).end();
}

/** Every check a real push service makes before it takes a message, then the decryption. */
function check(req: IncomingMessage, body: Buffer, subscriber: FakeSubscriber, origin: string): ReceivedPush {
  const { claims, vapidKey } = checkVapid(req.headers.authorization, origin);
  const ttl = Number(req.headers.ttl);
  if (!/^\d+$/.test(String(req.headers.ttl ?? '')) || ttl < 0) throw new Error('no TTL');
  if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
  const ecdh: ECDH = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(subscriber.privateKey, 'base64url'));
  const plain = ece.decrypt(body, {
    version: 'aes128gcm',
    privateKey: ecdh,
    authSecret: subscriber.auth,
  }) as Buffer;
  const plaintext = plain.toString('utf8');
  return {
    endpoint: subscriber.endpoint,
    headers: req.headers,
    claims,
    vapidKey,
    payload: JSON.parse(plaintext) as Record<string, unknown>,
    plaintext,
  };
}

function checkVapid(header: string | undefined, origin: string): Pick<ReceivedPush, 'claims' | 'vapidKey'> {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(
    header ?? '',
  );
  if (!match) throw new Error('no vapid Authorization header');
  const [, jwt, key] = match as unknown as [string, string, string];
  const [head, body, signature] = jwt.split('.') as [string, string, string];
  const point = Buffer.from(key, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 key');
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = Buffer.from(`${head}.${body}`);
  const sig = Buffer.from(signature, 'base64url');
  if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig))
    throw new Error('bad JWT signature');
  const header2 = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
  if (header2.alg !== 'ES256') throw new Error('JWT alg is not ES256');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ReceivedPush['claims'];
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (!(claims.exp > now && claims.exp <= now + DAY_S)) throw new Error('exp not within 24 h');
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) throw new Error('sub is not mailto: or https:');
  return { claims, vapidKey: key };
}
