import { EventEmitter } from 'node:events';
import { createServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** How long `until` waits for what the gateway should do at once. */
const eventTimeoutMs = 5000;

/** What the backend has of one request (identified by its X-Case-Id). */
export interface Arrival {
  readonly method: string;
  /** The request target as the backend received it. */
  readonly url: string;
  /** The X-Remote-User the gateway sent, if any. */
  readonly user: string | undefined;
  /** The body so far. */
  body: string;
  /** The whole body arrived. */
  complete: boolean;
  /** The connection it came on is gone (answered, or cut by the gateway). */
  closed: boolean;
}

/**
 * A backend that reports each request as it arrives (headers, every piece of the body, the end,
 * the connection going), so a test can act at the moment the gateway is streaming; it echoes
 * what it got as JSON. Paths ending in `/hold` are answered only on release.
 */
export class RecordingBackend {
  readonly arrivals = new Map<string, Arrival>();
  private readonly changes = new EventEmitter();
  private readonly held = new Map<string, ServerResponse>();
  private readonly server: HttpServer;
  private port = 0;

  constructor() {
    this.changes.setMaxListeners(0);
    this.server = createServer((req, res) => {
      const id = String(req.headers['x-case-id'] ?? randomUUID());
      const user = req.headers['x-remote-user'];
      const arrival: Arrival = {
        method: req.method ?? '',
        url: req.url ?? '',
        user: typeof user === 'string' ? user : undefined,
        body: '',
        complete: false,
        closed: false,
      };
      this.arrivals.set(id, arrival);
      this.changed();
      req.setEncoding('utf8');
      req.on('data', (text: string) => {
        arrival.body += text;
        this.changed();
      });
      res.on('close', () => {
        arrival.closed = true;
        this.changed();
      });
      req.on('end', () => {
        arrival.complete = true;
        this.changed();
        if (arrival.url.endsWith('/hold')) this.held.set(id, res);
        else echo(res, arrival);
      });
    });
  }

  /** Listens on a free port. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Its URL, once started. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once the request `id` is in a state `test` accepts; `what` names it in a timeout. */
  until(id: string, what: string, test: (arrival: Arrival) => boolean): Promise<Arrival> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const arrival = this.arrivals.get(id);
        if (!arrival || !test(arrival)) return;
        clearTimeout(timer);
        this.changes.off('change', check);
        resolve(arrival);
      };
      const timer = setTimeout(() => {
        this.changes.off('change', check);
        reject(new Error(`backend: ${what} did not happen within ${eventTimeoutMs} ms`));
      }, eventTimeoutMs);
      this.changes.on('change', check);
      check();
    });
  }

  /** Answers a held (`/hold`) request with the echo. */
  release(id: string): void {
    const response = this.held.get(id);
    const arrival = this.arrivals.get(id);
    if (response && arrival) echo(response, arrival);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private changed(): void {
    this.changes.emit('change');
  }
}

function echo(response: ServerResponse, arrival: Arrival): void {
  const { method, url, user, body } = arrival;
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ method, url, user, body }));
}
