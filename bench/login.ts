import { request } from 'undici';

/** Cookies from Set-Cookie lines, as `name=value` pairs. */
function cookiesOf(header: string | string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
    const pair = line.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return cookies;
}

/**
 * Logs in through the real form: GET the login page (anti-CSRF cookie and field), POST the
 * credentials. Returns the session cookie's value.
 */
export async function loginThroughForm(base: string, user: string, password: string): Promise<string> {
  const page = await request(`${base}/_sekisho/login?next=%2Fapp%2F`, { headers: { accept: 'text/html' } });
  const html = await page.body.text();
  const field = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!field) throw new Error(`no anti-CSRF field on the login page (status ${page.statusCode})`);
  const cookie = [...cookiesOf(page.headers['set-cookie'])].map(([k, v]) => `${k}=${v}`).join('; ');
  const answer = await request(`${base}/_sekisho/login`, {
    method: 'POST',
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: field, username: user, password, next: '/app/' }).toString(),
  });
  await answer.body.dump();
  const session = cookiesOf(answer.headers['set-cookie']).get('sekisho_sid');
  if (answer.statusCode !== 303 || !session) throw new Error(`login failed: ${answer.statusCode}`);
  return session;
}

/** Full form logins per second, `concurrency` at a time, for `seconds`. */
export async function loginsPerSecond(
  base: string,
  user: string,
  password: string,
  seconds: number,
  concurrency: number,
): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await loginThroughForm(base, user, password);
        done++;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}
