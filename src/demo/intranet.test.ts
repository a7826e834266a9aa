import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { escapeHtml, startIntranet } from './intranet.ts';
import type { RunningIntranet } from './intranet.ts';

let intranet: RunningIntranet;

beforeAll(async () => {
  intranet = await startIntranet({ port: 0 });
});

afterAll(async () => {
  await intranet.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${intranet.url}${path}`, { headers });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('sample intranet', () => {
  it('listens on a free loopback port', () => {
    expect(intranet.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('welcomes the user the gateway names, HTML-escaped, and shows the identity headers', async () => {
    const res = await get('/portal/', {
      'X-Remote-User': '<script>',
      'X-Remote-Groups': 'eigyo,"admins"',
      'X-Remote-Auth-Methods': 'password,SMSOTP',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('ようこそ、<b>&lt;script&gt;</b> さん');
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('&quot;admins&quot;');
    expect(res.text).toContain('password,SMSOTP');
    expect(res.text).toContain('href="/_sekisho/logout"');
    for (const site of ['/eigyo/', '/gijutsu/', '/keiri/', '/public/']) {
      expect(res.text).toContain(`href="${site}"`);
    }
  });

  it('says "not logged in" on the public page when no identity header arrives', async () => {
    const res = await get('/public/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('未ログイン (公開ページ)');
  });

  it('serves every departmental site with or without the trailing slash', async () => {
    for (const path of ['/portal', '/eigyo/', '/gijutsu/', '/keiri/', '/public?x=1']) {
      const res = await get(path, { 'X-Remote-User': 'taro' });
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain('<b>taro</b>');
    }
  });

  it('echoes the request method and path, escaped', async () => {
    const res = await get('/gijutsu/?a=1&b=2');
    expect(res.text).toContain('<code>GET</code>');
    expect(res.text).toContain('<code>/gijutsu/?a=1&amp;b=2</code>');
  });

  it('echoes a posted daily report back, escaped', async () => {
    const res = await request(`${intranet.url}/eigyo/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Remote-User': 'hanako' },
      body: new URLSearchParams({ nippo: '東都精機を訪問 <b>受注</b> & 見積提出' }).toString(),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(text).toContain('日報を受け付けました');
    expect(text).toContain(
      `<pre id="nippo-echo">${escapeHtml('東都精機を訪問 <b>受注</b> & 見積提出')}</pre>`,
    );
    expect(text).toContain('<code>POST</code>');
  });

  it('refuses POST on read-only pages and oversized bodies', async () => {
    const res = await request(`${intranet.url}/keiri/`, { method: 'POST', body: 'x' });
    await res.body.dump();
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    const big = await request(`${intranet.url}/eigyo/`, { method: 'POST', body: 'x'.repeat(100_000) });
    await big.body.dump();
    expect(big.statusCode).toBe(413);
  });

  it('answers 404 for unknown paths', async () => {
    for (const path of ['/', '/nope/', '/portal/secret', '/keiri//']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
    }
  });
});
