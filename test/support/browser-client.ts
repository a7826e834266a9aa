import type { FastifyInstance } from 'fastify';
import { request } from 'undici';

/** Where requests go: a listening gateway's base URL, or an app to `inject()` into (test-app.ts). */
export type HttpTarget = string | Pick<FastifyInstance, 'inject'>;

/** One answer, whichever way the request went. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Sends one request: over HTTP with undici to a URL, or through `app.inject()`. Injected requests
 * send no user agent unless given one, as undici's `request` does not.
 */
export async function send(
  target: HttpTarget,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  if (typeof target === 'string') {
    const response = await request(target + path, { method, headers, body });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }
  const response = await target.inject({
    method,
    url: path,
    headers: { 'user-agent': undefined, ...headers },
    payload: body,
  });
  const answered: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    answered[name] = typeof value === 'number' ? String(value) : value;
  }
  return { status: response.statusCode, headers: answered, body: response.body };
}

/** A minimal cookie-keeping HTTP client that fills in forms like a browser. */
export class FormClient {
  readonly cookies = new Map<string, string>();
  private readonly target: HttpTarget;

  /** `target`: the gateway's base URL, or a test app to inject into. */
  constructor(target: HttpTarget) {
    this.target = target;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const answer = await send(this.target, 'GET', path, {
      accept: 'text/html',
      cookie: this.cookieHeader(),
      ...headers,
    });
    this.keep(answer.headers['set-cookie']);
    return answer;
  }

  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const answer = await send(
      this.target,
      'POST',
      path,
      {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: this.cookieHeader(),
        ...headers,
      },
      new URLSearchParams(form).toString(),
    );
    this.keep(answer.headers['set-cookie']);
    return answer;
  }

  /** Opens the login page and submits it; returns the POST's answer. */
  async login(username: string, password: string, next = '/') {
    const page = await this.get(`/_sekisho/login?next=${encodeURIComponent(next)}`);
    return this.post('/_sekisho/login', { _csrf: csrfField(page.body), username, password, next });
  }

  private keep(header: string | string[] | undefined): void {
    for (const line of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The hidden anti-CSRF field of the first form on a page. */
export function csrfField(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no anti-CSRF field on the page');
  return match[1];
}
