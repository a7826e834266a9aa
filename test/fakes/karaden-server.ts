/**
 * A fake Karaden SMS API (version 2024-03-01) on 127.0.0.1: the real path, headers, form fields,
 * message objects and error objects, plus faults a test can program for the
 * next request. Also a helper that POSTs a delivery callback the way Karaden does.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the next request gets instead of the normal answer. */
export type KaradenFault = 'server-error' | 'rate-limited' | 'validation' | 'garbage' | 'hang';

/** A message object as Karaden answers it. */
export interface KaradenMessage {
  readonly id: string;
  readonly object: 'message';
  readonly service_id: number;
  readonly to: string;
  readonly body: string;
  readonly result: string;
  readonly status: string;
  readonly sent_result: string;
  readonly carrier: string;
  readonly [field: string]: unknown;
}

/** One accepted message, with the headers it came with. */
export interface ReceivedMessage {
  readonly message: KaradenMessage;
  readonly headers: IncomingMessage['headers'];
}

export interface FakeKaraden {
  /** Use as `sms.karaden.baseUrl`. */
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly serviceId: number;
  readonly token: string;
  /** Messages accepted (200), oldest first. */
  readonly received: ReceivedMessage[];
  /** How many requests arrived, answered or not. */
  requestCount(): number;
  /** Programs the next request's fault (queued: call twice for two faults). */
  failNext(kind: KaradenFault): void;
  close(): Promise<void>;
}

/** The `sms.karaden` config section that points the gateway (or the plugin) at `fake`. */
export function karadenSettings(fake: FakeKaraden) {
  return { baseUrl: fake.baseUrl, tenantId: fake.tenantId, serviceId: fake.serviceId, token: fake.token };
}

const VERSION = '2024-03-01';

/** Starts the fake on a free port. */
export async function startFakeKaraden(): Promise<FakeKaraden> {
  const tenantId = randomUUID();
  const token = `fake-token-${randomUUID()}`;
  const state = {
    tenantId,
    token,
    serviceId: 1,
    received: [] as ReceivedMessage[],
    faults: [] as KaradenFault[],
    count: 0,
  };
  const server = createServer((req, res) => void handle(state, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    tenantId,
    serviceId: state.serviceId,
    token,
    received: state.received,
    requestCount: () => state.count,
    failNext: (kind) => void state.faults.push(kind),
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests hold their sockets open: drop them so close() returns.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type State = {
  tenantId: string;
  token: string;
  serviceId: number;
  received: ReceivedMessage[];
  faults: KaradenFault[];
  count: number;
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  errors: Record<string, string[]> | null = null,
) {
  sendJson(res, status, { object: 'error', code, message: `fake karaden: ${code}`, errors });
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.count += 1;
  const raw = await readBody(req);
  const fault = state.faults.shift();
  if (fault === 'hang') return;
  if (fault === 'server-error') return sendError(res, 500, 'unknown');
  if (fault === 'rate-limited') return sendError(res, 429, 'too_many_requests');
  if (fault === 'validation') return sendError(res, 422, 'validation_error', { to: ['fake refusal'] });
  if (fault === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops');

  const match = /^\/api\/([^/]+)\/messages$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !match) return sendError(res, 404, 'model_not_found');
  if (match[1] !== state.tenantId) return sendError(res, 400, 'invalid_tenant');
  if (req.headers.authorization !== `Bearer ${state.token}`) return sendError(res, 401, 'unauthentication');
  if (req.headers['karaden-version'] !== VERSION) return sendError(res, 400, 'invalid_version');
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return sendError(res, 400, 'invalid_content_type');
  }
  const form = new URLSearchParams(raw);
  const errors = validate(state, form);
  if (errors) return sendError(res, 422, 'validation_error', errors);
  const message = messageObject(state.serviceId, form.get('to') ?? '', form.get('body') ?? '');
  state.received.push({ message, headers: req.headers });
  sendJson(res, 200, message);
}

function validate(state: State, form: URLSearchParams): Record<string, string[]> | null {
  const errors: Record<string, string[]> = {};
  if (form.get('service_id') !== String(state.serviceId)) errors.service_id = ['service_id is invalid'];
  if (!/^\d{11}$/.test(form.get('to') ?? '')) errors.to = ['to must be 11 digits'];
  const body = form.get('body') ?? '';
  if (body.length === 0 || [...body].length > 660) errors.body = ['body must be 1 to 660 characters'];
  return Object.keys(errors).length > 0 ? errors : null;
}

function messageObject(serviceId: number, to: string, body: string): KaradenMessage {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    object: 'message',
    service_id: serviceId,
    billing_address_id: 1,
    to,
    body,
    tags: [],
    is_shorten: false,
    result: 'processing',
    status: 'waiting',
    sent_result: 'none',
    carrier: 'docomo',
    charged_count_per_sent: 1,
    scheduled_at: null,
    limited_at: null,
    sent_at: null,
    received_at: null,
    charged_at: null,
    created_at: now,
    updated_at: now,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The message object as Karaden reports it once the carrier answered (default: received). */
export function deliveryReport(
  message: KaradenMessage,
  sentResult: 'received' | 'unconnected' | 'error' | 'unknown' = 'received',
): KaradenMessage & { project_id: number } {
  const now = new Date().toISOString();
  const status = sentResult === 'received' ? 'done' : 'error';
  return {
    ...message,
    result: 'done',
    status,
    sent_result: sentResult,
    sent_at: now,
    received_at: now,
    project_id: 1,
  };
}

/** POSTs a delivery callback to `url` as Karaden does (JSON, with `Karaden-Version`). */
export async function postDeliveryCallback(
  url: string,
  report: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'karaden-version': VERSION, ...headers },
    body: JSON.stringify(report),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    return { status: response.status, json: text };
  }
}
