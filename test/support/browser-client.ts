import { request } from 'undici';

/** A minimal cookie-keeping HTTP client that fills in forms like a browser. */
export class FormClient {
  readonly cookies = new Map<string, string>();
  private readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}) {
    const response = await request(this.base + path, {
      headers: { accept: 'text/html', cookie: this.cookieHeader(), ...headers },
    });
    this.keep(response.headers['set-cookie']);
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await request(this.base + path, {
      method: 'POST',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: this.cookieHeader(),
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
    this.keep(response.headers['set-cookie']);
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
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
