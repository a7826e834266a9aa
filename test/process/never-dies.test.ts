import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSekisho } from '../support/cli.ts';
import { csrfField, FormClient } from '../support/browser-client.ts';
import { addUser, request, setRules, startGateway, type TestGateway } from '../support/gateway.ts';
import { chunked, openSocket, requestHead, write, type WireResponse } from '../support/raw-socket.ts';
import { RecordingBackend } from '../support/recording-backend.ts';
import {
  killIfRunning,
  startServerProcess,
  writeServerConfig,
  type Exit,
  type ServerFixture,
  type ServerProcess,
} from '../support/server-process.ts';

/**
 * No single request ends the process. The gateway runs at the production log level (`info`: the
 * lean path's completion log line is written, which `silent` skips), in process and as
 * `sekisho serve`, where a crash is an exit. Every carrier — the lean path, the Fastify path,
 * BYPASS, a refusal, the gateway's own pages — gets every awkward body: a form, a chunked
 * upload, a GET with one byte, a body cut off, half-closed sockets, a client that leaves before
 * the answer, pipelined requests. After each, the process is up and serves a normal request.
 */

const rules = ['/bk01/=ALL;;', '/open/=ALL;;BYPASS'];
const userId = 'taro';

// ---- what is sent where, and what must come back --------------------------------------------

/** A server under test: a gateway in this process, or `sekisho serve`. */
interface Target {
  readonly url: string;
  readonly backend: RecordingBackend;
  /** A session cookie of the logged-in user, and the login form's anti-CSRF cookie and field. */
  readonly cookie: string;
  readonly csrf: { cookie: string; field: string };
  readonly password: string;
}

/** One way into the gateway, and what a complete request through it must get. */
interface Carrier {
  readonly name: string;
  readonly path: string;
  /** Whether a complete request is proxied (and so recorded by the backend). */
  readonly proxied: boolean;
  headers(target: Target): [string, string][];
  body(target: Target): string;
  /** The answer to a complete request with `body`. */
  expectAnswer(target: Target, method: string, response: WireResponse, body: string, id: string): void;
  /** What the gateway may answer before it has the body (it decides on the headers). */
  readonly earlyStatus?: number;
}

const formBody = 'a=1&b=%E7%B5%8C%E7%90%86&c=' + 'x'.repeat(2000);

function proxiedCarrier(name: string, path: string, user: string | undefined): Carrier {
  return {
    name,
    path,
    proxied: true,
    headers: (target) => (user ? [['Cookie', target.cookie]] : []),
    body: () => formBody,
    expectAnswer: (target, method, response, body, id) => {
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({
        method,
        url: `/${path.split('/').slice(2).join('/')}`,
        user,
        body,
      });
      expect(target.backend.arrivals.get(id)?.complete).toBe(true);
    },
  };
}

const loggedInProxied = proxiedCarrier('a logged-in proxied request', '/bk01/echo', userId);
const bypass = proxiedCarrier('a BYPASS request', '/open/echo', undefined);
const refused: Carrier = {
  name: 'a proxied path without a session (refused by the gate)',
  path: '/bk01/echo',
  proxied: false,
  headers: () => [['Accept', 'application/json']],
  body: () => formBody,
  expectAnswer: (_target, _method, response) => {
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'authentication_required' });
  },
  earlyStatus: 401,
};
const loginPost: Carrier = {
  name: 'the login form (own page)',
  path: '/_sekisho/login',
  proxied: false,
  headers: (target) => [
    ['Cookie', target.csrf.cookie],
    ['Accept', 'text/html'],
  ],
  body: (target) =>
    new URLSearchParams({
      _csrf: target.csrf.field,
      username: userId,
      password: target.password,
      next: '/bk01/',
    }).toString(),
  expectAnswer: (_target, method, response) => {
    if (method === 'GET') {
      expect(response.status).toBe(200);
      expect(response.body).toContain('name="password"');
      return;
    }
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/bk01/');
    expect(response.headers['set-cookie']).toMatch(/^sekisho_sid=/);
  },
};
const ownPage: Carrier = {
  name: 'an own page (/_sekisho/healthz)',
  path: '/_sekisho/healthz',
  proxied: false,
  headers: () => [['Accept', 'application/json']],
  body: () => formBody,
  expectAnswer: (_target, method, response) => {
    // No POST route there: Fastify's 404, after reading or discarding the body.
    expect(response.status).toBe(method === 'GET' ? 200 : 404);
    if (method === 'GET') expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  },
};

/** One request shape: sends through `carrier`, asserts what came of it. */
type Shape = (target: Target, carrier: Carrier) => Promise<void>;

/** The head of a request through `carrier`, with its headers, the case's id and `extra`. */
function headFor(target: Target, carrier: Carrier, method: string, id: string, extra: [string, string][]) {
  const { host } = new URL(target.url);
  return requestHead(method, carrier.path, host, [...carrier.headers(target), ['X-Case-Id', id], ...extra]);
}

const formHeaders = (length: number): [string, string][] => [
  ['Content-Type', 'application/x-www-form-urlencoded'],
  ['Content-Length', String(length)],
];

/** The request `id` never reached the backend whole (a cut-off body must not be delivered as complete). */
function expectNotDelivered(target: Target, id: string): void {
  expect(target.backend.arrivals.get(id)?.complete ?? false).toBe(false);
}

/**
 * The answers to a request whose body never arrived whole: none, the gate's refusal when it
 * decides on the headers alone, and a 4xx for the unfinished body (Node's 400) — never a 5xx.
 */
function expectCutOffAnswers(carrier: Carrier, responses: WireResponse[]): void {
  expect(responses.length).toBeLessThanOrEqual(2);
  for (const { status, body } of responses) {
    if (status === carrier.earlyStatus) continue;
    expect(status, `answered ${status}: ${body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(status, `answered ${status}: ${body.slice(0, 200)}`).toBeLessThan(500);
  }
}

const shapes = {
  'a form POST body': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const { socket, received } = openSocket(target.url);
    const extra = [...formHeaders(Buffer.byteLength(body)), ['Connection', 'close']] as [string, string][];
    await write(socket, `${headFor(target, carrier, 'POST', id, extra)}\r\n\r\n${body}`);
    const responses = await received;
    expect(responses).toHaveLength(1);
    carrier.expectAnswer(target, 'POST', responses[0] as WireResponse, body, id);
  },

  'a chunked upload': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const { socket, received } = openSocket(target.url);
    const extra: [string, string][] = [
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'close'],
    ];
    await write(socket, `${headFor(target, carrier, 'POST', id, extra)}\r\n\r\n`);
    for (const chunk of chunked(body)) await write(socket, chunk);
    const responses = await received;
    expect(responses).toHaveLength(1);
    carrier.expectAnswer(target, 'POST', responses[0] as WireResponse, body, id);
  },

  'a GET with a 1-byte body': async (target, carrier) => {
    const id = randomUUID();
    const { socket, received } = openSocket(target.url);
    const extra: [string, string][] = [
      ['Content-Length', '1'],
      ['Connection', 'close'],
    ];
    await write(socket, `${headFor(target, carrier, 'GET', id, extra)}\r\n\r\nx`);
    const responses = await received;
    expect(responses).toHaveLength(1);
    const response = responses[0] as WireResponse;
    // Forwarded whole, or refused whole (400); never half of each.
    if (response.status === 400) expect(target.backend.arrivals.has(id)).toBe(false);
    else carrier.expectAnswer(target, 'GET', response, 'x', id);
  },

  'a body cut off halfway (socket destroyed)': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const half = body.slice(0, body.length / 2);
    const { socket, received } = openSocket(target.url);
    await write(socket, `${headFor(target, carrier, 'POST', id, formHeaders(body.length))}\r\n\r\n${half}`);
    // Proxied: cut it while the gateway is streaming it to the backend.
    if (carrier.proxied) await target.backend.until(id, 'the first half', (a) => a.body.length > 0);
    socket.destroy();
    await received;
    if (carrier.proxied) await target.backend.until(id, 'the upstream request ended', (a) => a.closed);
    expectNotDelivered(target, id);
  },

  'a socket half-closed after the headers': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const { socket, received } = openSocket(target.url);
    await write(socket, `${headFor(target, carrier, 'POST', id, formHeaders(body.length))}\r\n\r\n`);
    socket.end();
    expectCutOffAnswers(carrier, await received);
    if (carrier.proxied && target.backend.arrivals.has(id))
      await target.backend.until(id, 'the upstream request ended', (a) => a.closed);
    expectNotDelivered(target, id);
  },

  'a socket half-closed after part of the body': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const { socket, received } = openSocket(target.url);
    await write(
      socket,
      `${headFor(target, carrier, 'POST', id, formHeaders(body.length))}\r\n\r\n${body.slice(0, 100)}`,
    );
    if (carrier.proxied) await target.backend.until(id, 'part of the body', (a) => a.body.length > 0);
    socket.end();
    expectCutOffAnswers(carrier, await received);
    if (carrier.proxied) await target.backend.until(id, 'the upstream request ended', (a) => a.closed);
    expectNotDelivered(target, id);
  },

  'a socket half-closed after the whole request': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const { socket, received } = openSocket(target.url);
    await write(socket, `${headFor(target, carrier, 'POST', id, formHeaders(body.length))}\r\n\r\n${body}`);
    socket.end();
    const responses = await received;
    // Node's server (httpAllowHalfOpen off) drops a request whose client half-closed before its
    // answer was ready; one that was ready in time is the full, right answer.
    expect(responses.length).toBeLessThanOrEqual(1);
    if (responses[0]) carrier.expectAnswer(target, 'POST', responses[0], body, id);
    else if (carrier.proxied && target.backend.arrivals.has(id))
      await target.backend.until(id, 'the upstream request ended', (a) => a.closed);
  },

  'a client that leaves before the answer': async (target, carrier) => {
    const id = randomUUID();
    const body = carrier.body(target);
    const path = carrier.proxied ? `${carrier.path.replace(/\/[^/]*$/, '')}/hold` : carrier.path;
    const held = { ...carrier, path };
    const { socket, received } = openSocket(target.url);
    await write(socket, `${headFor(target, held, 'POST', id, formHeaders(body.length))}\r\n\r\n${body}`);
    if (carrier.proxied) await target.backend.until(id, 'the whole request', (a) => a.complete);
    socket.destroy();
    await received;
    if (!carrier.proxied) return;
    // The backend answers after the client has gone: the gateway writes into a closed response.
    target.backend.release(id);
    await target.backend.until(id, 'the backend connection done', (a) => a.closed);
  },

  'pipelined requests': async (target, carrier) => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const body = carrier.body(target);
    const { socket, received } = openSocket(target.url);
    const first = `${headFor(target, carrier, 'POST', ids[0] ?? '', formHeaders(body.length))}\r\n\r\n${body}`;
    const second =
      `${headFor(target, carrier, 'POST', ids[1] ?? '', [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['Transfer-Encoding', 'chunked'],
      ])}\r\n\r\n` + chunked(body).join('');
    const third = `${headFor(target, carrier, 'GET', ids[2] ?? '', [['Connection', 'close']])}\r\n\r\n`;
    await write(socket, first + second + third);
    const responses = await received;
    expect(responses.map((r) => r.status)).toHaveLength(3);
    carrier.expectAnswer(target, 'POST', responses[0] as WireResponse, body, ids[0] ?? '');
    carrier.expectAnswer(target, 'POST', responses[1] as WireResponse, body, ids[1] ?? '');
    carrier.expectAnswer(target, 'GET', responses[2] as WireResponse, '', ids[2] ?? '');
  },
} satisfies Record<string, Shape>;
const shapeNames = Object.keys(shapes) as (keyof typeof shapes)[];

/** The process answers its health check and serves the logged-in user a normal proxied request. */
async function expectServing(target: Target): Promise<void> {
  const health = await request(`${target.url}/_sekisho/healthz`);
  expect(health.statusCode).toBe(200);
  expect(await health.body.json()).toEqual({ status: 'ok' });
  const normal = await request(`${target.url}/bk01/after`, { headers: { cookie: target.cookie } });
  expect(normal.statusCode).toBe(200);
  expect(await normal.body.json()).toMatchObject({ method: 'GET', url: '/after', user: userId });
}

/** Logs the user in through the gateway at `url`; the session cookie and a fresh login form's anti-CSRF pair. */
async function loggedIn(url: string, backend: RecordingBackend, password: string): Promise<Target> {
  const client = new FormClient(url);
  expect((await client.login(userId, password, '/bk01/')).status).toBe(303);
  const cookie = client.cookieHeader();
  const form = new FormClient(url);
  const page = await form.get('/_sekisho/login');
  return {
    url,
    backend,
    cookie,
    csrf: { cookie: form.cookieHeader(), field: csrfField(page.body) },
    password,
  };
}

// ---- in process, at log level info ----------------------------------------------------------

/** What would have ended a real process: a handler's throw nobody caught. */
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => void uncaught.push(error);

describe.each([
  { leanPath: true, carriers: [loggedInProxied, bypass, refused, loginPost, ownPage] },
  { leanPath: false, carriers: [loggedInProxied, bypass] },
])('in process at log level info (proxy.leanPath: $leanPath)', ({ leanPath, carriers }) => {
  const backend = new RecordingBackend();
  const logLines: string[] = [];
  let gw: TestGateway;
  let target: Target;

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    process.on('unhandledRejection', recordUncaught);
    await backend.start();
    gw = await startGateway({
      logLines,
      config: {
        proxy: { leanPath },
        password: { ipMaxAttempts: 10_000 },
        backends: { bk01: { url: backend.url }, open: { url: backend.url } },
      },
    });
    await setRules(gw, ...rules);
    const password = await addUser(gw, userId);
    target = await loggedIn(gw.url, backend, password);
  });
  afterAll(async () => {
    process.off('uncaughtException', recordUncaught);
    process.off('unhandledRejection', recordUncaught);
    await gw?.close();
    await backend.close();
  });
  beforeEach(() => {
    uncaught.length = 0;
  });

  it('logs at info, so the completion log line is written', async () => {
    await expectServing(target);
    expect(logLines.some((line) => /"msg":"request completed"/.test(line))).toBe(true);
  });

  for (const carrier of carriers) {
    describe(carrier.name, () => {
      it.each(shapeNames)('%s', async (shape) => {
        await shapes[shape](target, carrier);
        await expectServing(target);
        expect(uncaught.map(String)).toEqual([]);
      });
    });
  }
});

// ---- sekisho serve, where a crash is an exit ------------------------------------------------

describe('sekisho serve at log level info (a crash is an exit)', () => {
  const backend = new RecordingBackend();
  let fixture: ServerFixture;
  let server: ServerProcess | undefined;
  let target: Target;
  let password: string;
  /** What the running server wrote to stderr (where Node reports the exception that ended it). */
  let stderr = '';

  /** Starts the server again if a previous case killed it, so each case is judged on its own. */
  async function serving(): Promise<Target> {
    if (server && server.child.exitCode === null && server.child.signalCode === null) return target;
    server = await startServerProcess(fixture.file);
    stderr = '';
    server.child.stderr?.on('data', (text: string) => (stderr += text));
    target = await loggedIn(server.url, backend, password);
    return target;
  }

  beforeAll(async () => {
    await backend.start();
    fixture = writeServerConfig({
      log: { level: 'info' },
      password: { ipMaxAttempts: 10_000 },
      backends: { bk01: { url: backend.url }, open: { url: backend.url } },
    });
    for (const rule of rules) {
      const set = await runSekisho(['rule', 'set', rule, '--config', fixture.file]);
      expect(set.code, set.stderr).toBe(0);
    }
    password = `pw-${randomUUID()}`;
    const add = await runSekisho(['user', 'add', userId, '--password-stdin', '--config', fixture.file], {
      stdin: `${password}\n`,
    });
    expect(add.code, add.stderr).toBe(0);
  });
  afterAll(async () => {
    await killIfRunning(server);
    await backend.close();
    await fixture?.cleanup();
  });

  /**
   * Runs one case against the running server. A failure while the server exited is reported as
   * the exit (with what Node wrote to stderr), and a server left in doubt is stopped, so the next
   * case starts on a fresh one and is judged on its own.
   */
  async function judged(run: (target: Target) => Promise<void>): Promise<void> {
    const current = await serving();
    const running = server as ServerProcess;
    const exitReport = (exit: Exit) =>
      `sekisho serve exited (${exit.code ?? exit.signal}): ${stderr.slice(0, 800)}`;
    const died = running.exited.then((exit) => Promise.reject(new Error(exitReport(exit))));
    died.catch(() => {});
    try {
      await Promise.race([died, run(current)]);
      expect(running.child.exitCode).toBeNull();
    } catch (error) {
      // A refused connection usually comes just before the exit is reported: wait for it a moment.
      const exit = await Promise.race([running.exited, new Promise<null>((r) => setTimeout(r, 1000, null))]);
      await killIfRunning(running);
      throw exit ? new Error(exitReport(exit), { cause: error }) : error;
    }
  }

  for (const carrier of [loggedInProxied, bypass, loginPost]) {
    describe(carrier.name, () => {
      it.each(shapeNames)('%s', (shape) =>
        judged(async (target) => {
          await shapes[shape](target, carrier);
          await expectServing(target);
        }),
      );
    });
  }
});
