/**
 * A fake Mamoru-style push service on 127.0.0.1 (docs/push.md §4–§5): the real paths, Bearer key,
 * snake_case JSON and `status` codes, transactions in memory with the service's rules (push-bombing
 * cap, decoys no one can approve, tokens released on the first poll after the approval, single-use
 * verify bound to the transaction and the user, expiry by an injected clock). Test hooks stand in
 * for the phone (approve, deny, pick a wrong number) and program faults for the next requests.
 * `client` speaks to the same state in process, as the gateway's own service would.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type {
  PushClient,
  PushPollResult,
  PushStartRequest,
  PushStartResult,
  PushTokens,
  PushVerifyRequest,
} from '../../src/plugin-api.ts';

/** What the next request gets instead of the normal answer. */
export type FakeMamoruFault =
  /** HTTP 500 with `status: "1500"`. */
  | 'server-error'
  /** HTTP 200, an HTML body. */
  | 'garbage'
  /** HTTP 200, JSON without a `status`. */
  | 'no-status'
  /** HTTP 200, `status: "0000"` and none of the call's fields (a valid answer only for verify). */
  | 'missing-fields'
  /** HTTP 200, `status: "0000"` and fields of the wrong type or out of range. */
  | 'bad-fields'
  /** No answer at all (the socket stays open until close()). */
  | 'hang';

export type FakeCall = 'start' | 'poll' | 'verify';

/** One request as it arrived. */
export interface FakeRequest {
  readonly call: FakeCall | null;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/** A transaction, as the test may inspect it. */
export interface FakeTransaction {
  readonly id: string;
  readonly userId: string;
  readonly number: number | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decoy: boolean;
  readonly ip: string;
  readonly userAgent: string;
  readonly path: string;
  readonly decision: { readonly outcome: 'approved' | 'denied' | 'wrong_number'; readonly at: number } | null;
  /** True once a poll handed out the tokens. */
  readonly released: boolean;
  /** True once verify accepted the tokens. */
  readonly used: boolean;
}

export interface FakeMamoruOptions {
  /** `push.requestTtlSeconds`, in ms (default 60 s). */
  readonly requestTtlMs?: number;
  /** `push.tokenTtlSeconds`, in ms (default 120 s). */
  readonly tokenTtlMs?: number;
  /** `push.maxPendingPerUser` starts per `pendingWindowMs` (default 3 per 300 s). */
  readonly maxPendingPerUser?: number;
  readonly pendingWindowMs?: number;
  /** `push.numberMatching` (default true): false answers `number: null`. */
  readonly numberMatching?: boolean;
}

export interface FakeMamoru {
  /** Use as `plugins.MAMORU.service.url`. */
  readonly url: string;
  /** The one key the fake accepts. */
  readonly apiKey: string;
  /** Every request, oldest first. */
  readonly requests: readonly FakeRequest[];
  /** Transactions, oldest first. */
  readonly transactions: readonly FakeTransaction[];
  /** The same service in process: what `ctx.services.push` is for `service: 'local'`. */
  readonly client: PushClient;
  /** Requests that reached `call` (answered or not). */
  count(call: FakeCall): number;
  /** Moves expiry onto the test's clock (default: a fixed clock that never moves). */
  useClock(clock: { now(): number }): void;
  /** The newest transaction of `userId`; throws when there is none. */
  latest(userId: string): FakeTransaction;
  /** The phone approves, picking `number` (default: the right one; another one: `wrong_number`). */
  approve(transactionId: string, number?: number): void;
  /** The phone denies. */
  deny(transactionId: string): void;
  /** Queues a fault for the next request (call twice for two). */
  failNext(fault: FakeMamoruFault): void;
  /** Queues a raw JSON answer for the next request, whatever it asks. */
  answerNext(body: unknown, httpStatus?: number): void;
  close(): Promise<void>;
}

interface Transaction extends FakeTransaction {
  decision: FakeTransaction['decision'];
  released: boolean;
  used: boolean;
  readonly tokens: PushTokens;
}

const startBody = z.strictObject({
  user_id: z.string().min(1),
  ip: z.string(),
  user_agent: z.string(),
  path: z.string().startsWith('/'),
  decoy: z.boolean(),
});
const pollBody = z.strictObject({ transaction_id: z.string().min(1) });
const verifyBody = z.strictObject({
  transaction_id: z.string().min(1),
  user_id: z.string().min(1),
  token1: z.string(),
  token2: z.string(),
});

/** HTTP codes as the gateway's own API sends them (src/push/api-routes.ts): business outcomes are 200. */
const STATUS_HTTP: Readonly<Record<string, number>> = {
  '0000': 200,
  '1400': 400,
  '1401': 200,
  '1403': 401,
  '1429': 200,
  '1500': 500,
};

/** Served below a path, as a gateway serves it below `/_sekisho/push/api`: the client must keep it. */
const PREFIX = '/mamoru-api';
const CALL_PATH = /^\/mamoru-api\/v1\/auth\/(start|poll|verify)$/;

const randomId = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Starts the fake on a free port. */
export async function startFakeMamoru(options: FakeMamoruOptions = {}): Promise<FakeMamoru> {
  const service = createService(options);
  const requests: FakeRequest[] = [];
  const faults: (FakeMamoruFault | { readonly body: unknown; readonly httpStatus: number })[] = [];
  const apiKey = `fake-mamoru-key-${randomId(24)}`;
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const call = CALL_PATH.exec(req.url ?? '')?.[1] as FakeCall | undefined;
    requests.push({ call: call ?? null, authorization: req.headers.authorization, body: parseJson(raw) });
    const fault = faults.shift();
    if (typeof fault === 'object') return void sendJson(res, fault.httpStatus, fault.body);
    if (fault === 'hang') return;
    if (fault === 'server-error') return answer(res, '1500');
    if (fault === 'garbage')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops');
    if (fault === 'no-status') return answer(res, '0000', {}, { result: 'ok' });
    if (fault === 'missing-fields') return answer(res, '0000');
    if (fault === 'bad-fields') return answer(res, '0000', BAD_FIELDS);
    if (req.method !== 'POST' || call === undefined) return answer(res, '1400');
    if (req.headers.authorization !== `Bearer ${apiKey}`) return answer(res, '1403');
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return answer(res, '1400');
    const [status, fields] = await serve(service, call, parseJson(raw));
    answer(res, status, fields);
  }

  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    apiKey,
    requests,
    transactions: service.transactions,
    client: service.client,
    count: (call) => requests.filter((r) => r.call === call).length,
    useClock: (clock) => service.useClock(clock),
    latest: service.latest,
    approve: service.approve,
    deny: service.deny,
    failNext: (fault) => void faults.push(fault),
    answerNext: (body, httpStatus = 200) => void faults.push({ body, httpStatus }),
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests hold their sockets open: drop them so close() returns.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One call on the wire: validates the body, asks the service, answers status and fields. */
async function serve(
  service: Service,
  call: FakeCall,
  body: unknown,
): Promise<[string, Record<string, unknown>?]> {
  if (call === 'start') {
    const parsed = startBody.safeParse(body);
    if (!parsed.success) return ['1400'];
    const { user_id, ip, user_agent, path, decoy } = parsed.data;
    const result = await service.client.start({ userId: user_id, ip, userAgent: user_agent, path, decoy });
    if (result.kind === 'busy') return ['1429'];
    if (result.kind !== 'started') return ['1500'];
    const fields = {
      transaction_id: result.transactionId,
      number: result.number,
      expires_at: result.expiresAt,
    };
    return ['0000', fields];
  }
  if (call === 'poll') {
    const parsed = pollBody.safeParse(body);
    if (!parsed.success) return ['1400'];
    const result = await service.client.poll(parsed.data.transaction_id);
    if (result.kind !== 'state') return ['1500'];
    return ['0000', { state: result.state, ...result.tokens }];
  }
  const parsed = verifyBody.safeParse(body);
  if (!parsed.success) return ['1400'];
  const { transaction_id, user_id, token1, token2 } = parsed.data;
  const ok = await service.client.verify({ transactionId: transaction_id, userId: user_id, token1, token2 });
  return [ok ? '0000' : '1401'];
}

/** Every call's fields, each wrong: a number out of range, an unknown state, one token alone. */
const BAD_FIELDS = { transaction_id: 42, number: 7, expires_at: 'soon', state: 'maybe', token1: 'lonely' };

function answer(
  res: ServerResponse,
  status: string,
  fields: Record<string, unknown> = {},
  raw?: unknown,
): void {
  const body =
    raw ?? (status === '0000' ? { status, ...fields } : { status, message: `fake mamoru: ${status}` });
  sendJson(res, STATUS_HTTP[status] ?? 500, body);
}

function sendJson(res: ServerResponse, httpStatus: number, body: unknown): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

interface Service {
  useClock(clock: { now(): number }): void;
  readonly transactions: Transaction[];
  readonly client: PushClient;
  latest(userId: string): FakeTransaction;
  approve(transactionId: string, number?: number): void;
  deny(transactionId: string): void;
}

/** The service's rules over in-memory transactions (docs/push.md §4). */
function createService(options: FakeMamoruOptions): Service {
  const requestTtlMs = options.requestTtlMs ?? 60_000;
  const tokenTtlMs = options.tokenTtlMs ?? 120_000;
  const maxPending = options.maxPendingPerUser ?? 3;
  const windowMs = options.pendingWindowMs ?? 300_000;
  const numberMatching = options.numberMatching ?? true;
  const transactions: Transaction[] = [];
  const startsByUser = new Map<string, number[]>();
  let clock = { now: () => Date.UTC(2026, 0, 1) };
  const now = () => clock.now();

  const find = (id: string) => transactions.find((tx) => tx.id === id);
  /** A transaction the phone can still answer; throws otherwise (a test that cheats must fail). */
  const answerable = (id: string): Transaction => {
    const tx = find(id);
    if (tx === undefined) throw new Error(`fake mamoru: no transaction ${id}`);
    if (tx.decoy) throw new Error('fake mamoru: a decoy transaction reaches no phone and cannot be answered');
    if (tx.decision !== null) throw new Error('fake mamoru: already decided');
    if (now() >= tx.expiresAt) throw new Error('fake mamoru: the transaction has expired');
    return tx;
  };

  const start = async (req: PushStartRequest): Promise<PushStartResult> => {
    const recent = (startsByUser.get(req.userId) ?? []).filter((at) => at > now() - windowMs);
    if (recent.length >= maxPending) return { kind: 'busy' };
    startsByUser.set(req.userId, [...recent, now()]);
    const tx: Transaction = {
      id: `ptx_${randomId(16)}`,
      userId: req.userId,
      number: numberMatching ? randomInt(10, 100) : null,
      createdAt: now(),
      expiresAt: now() + requestTtlMs,
      decoy: req.decoy,
      ip: req.ip,
      userAgent: req.userAgent,
      path: req.path,
      decision: null,
      released: false,
      used: false,
      tokens: { token1: randomId(32), token2: randomId(32) },
    };
    transactions.push(tx);
    return { kind: 'started', transactionId: tx.id, number: tx.number, expiresAt: tx.expiresAt };
  };

  const poll = async (id: string): Promise<PushPollResult> => {
    const tx = find(id);
    if (tx === undefined || tx.decision === null) {
      const state = tx === undefined || now() >= tx.expiresAt ? 'expired' : 'pending';
      return { kind: 'state', state };
    }
    if (tx.decision.outcome !== 'approved') return { kind: 'state', state: tx.decision.outcome };
    // As the real service does: an approval whose tokens could no longer be verified has expired.
    if (now() - tx.decision.at > tokenTtlMs) return { kind: 'state', state: 'expired' };
    if (tx.released) return { kind: 'state', state: 'approved' };
    tx.released = true;
    return { kind: 'state', state: 'approved', tokens: tx.tokens };
  };

  const verify = async (req: PushVerifyRequest): Promise<boolean> => {
    const tx = find(req.transactionId);
    if (tx === undefined || tx.decoy || tx.used || tx.decision?.outcome !== 'approved') return false;
    if (now() - tx.decision.at > tokenTtlMs || tx.userId !== req.userId) return false;
    if (!same(req.token1, tx.tokens.token1) || !same(req.token2, tx.tokens.token2)) return false;
    tx.used = true;
    return true;
  };

  return {
    useClock: (next) => void (clock = next),
    transactions,
    client: { start, poll, verify },
    latest: (userId) => {
      const tx = transactions.findLast((t) => t.userId === userId);
      if (tx === undefined) throw new Error(`fake mamoru: no transaction for ${userId}`);
      return tx;
    },
    approve: (id, number) => {
      const tx = answerable(id);
      const right = number === undefined || tx.number === null || number === tx.number;
      tx.decision = { outcome: right ? 'approved' : 'wrong_number', at: now() };
    },
    deny: (id) => {
      answerable(id).decision = { outcome: 'denied', at: now() };
    },
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
