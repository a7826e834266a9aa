import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfField, FormClient, type Answer } from '../support/browser-client.ts';
import { addUser } from '../support/gateway.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"><rect width="64" height="32" fill="#0b57d0"/></svg>';

/** The language a page is in, by its `<html lang>`. */
function pageLanguage(html: string): string | undefined {
  return /<html lang="([a-z]+)">/.exec(html)?.[1];
}

/** The language switch's links, by language. */
function switchLinks(html: string): Record<string, string> {
  const links = [...html.matchAll(/<a href="([^"]*)" lang="([a-z]+)" hreflang/g)];
  return Object.fromEntries(links.map((m) => [m[2], (m[1] ?? '').replaceAll('&amp;', '&')]));
}

/** Posts the login form of `page` (its anti-CSRF field) with these fields. */
function logIn(
  client: FormClient,
  page: Answer,
  fields: { next: string; username: string; password: string },
) {
  return client.post('/_sekisho/login', { _csrf: csrfField(page.body), ...fields });
}

function setCookies(headers: Record<string, string | string[] | undefined>): string[] {
  return [headers['set-cookie'] ?? []].flat();
}

describe('the login page: language, branding and the form', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sekisho-branding-'));
  let gw: TestApp;
  let password: string;

  beforeAll(async () => {
    const logo = join(dir, 'logo.svg');
    writeFileSync(logo, LOGO_SVG);
    gw = await buildTestApp({
      config: {
        branding: {
          name: { ja: '株式会社サンプル', en: 'Sample Corp.' },
          logo,
          helpDesk: { ja: '情報システム部 内線 1234', en: 'IT help desk, ext. 1234' },
          forgotPasswordUrl: 'https://password.example.co.jp/reset',
        },
      },
    });
    password = await addUser(gw, 'demo');
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('?lang= picks the language and keeps it in a year-long cookie, which then beats Accept-Language', async () => {
    const client = new FormClient(gw.app);
    const english = await client.get('/_sekisho/login?lang=en', { 'accept-language': 'ja' });
    expect(pageLanguage(english.body)).toBe('en');
    const [cookie] = setCookies(english.headers).filter((c) => c.startsWith('sekisho_lang='));
    expect(cookie).toMatch(/^sekisho_lang=en;/);
    expect(cookie).toMatch(/; Max-Age=31536000/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).not.toMatch(/; Secure/);

    // The cookie, without ?lang=, wins over the browser's Japanese; it is not set again.
    const again = await client.get('/_sekisho/logout', { 'accept-language': 'ja' });
    expect(pageLanguage(again.body)).toBe('en');
    expect(setCookies(again.headers).some((c) => c.startsWith('sekisho_lang='))).toBe(false);

    // ?lang= beats the cookie, and changes it; a language the gateway does not speak is ignored.
    const japanese = await client.get('/_sekisho/login?lang=ja', { 'accept-language': 'en' });
    expect(pageLanguage(japanese.body)).toBe('ja');
    expect(client.cookies.get('sekisho_lang')).toBe('ja');
    const french = await client.get('/_sekisho/login?lang=fr', { 'accept-language': 'en' });
    expect(pageLanguage(french.body)).toBe('ja');
    expect(setCookies(french.headers).some((c) => c.startsWith('sekisho_lang='))).toBe(false);
  });

  it('without a choice, Accept-Language decides, Japanese by default', async () => {
    const client = new FormClient(gw.app);
    expect(pageLanguage((await client.get('/_sekisho/login', { 'accept-language': 'en-US,en' })).body)).toBe(
      'en',
    );
    expect(pageLanguage((await client.get('/_sekisho/login')).body)).toBe('ja');
  });

  it('the switch links to this page with only lang changed, and a failed login keeps where it was going', async () => {
    const client = new FormClient(gw.app);
    const page = await client.get('/_sekisho/login?next=%2Fportal%2F%3Fq%3D1');
    expect(switchLinks(page.body)).toEqual({
      ja: '/_sekisho/login?next=%2Fportal%2F%3Fq%3D1&lang=ja',
      en: '/_sekisho/login?next=%2Fportal%2F%3Fq%3D1&lang=en',
    });
    expect(page.body).toMatch(
      /<a href="[^"]*lang=ja" lang="ja" hreflang="ja" aria-current="true">日本語<\/a>/,
    );

    const failed = await logIn(client, page, { next: '/portal/', username: 'demo', password: 'wrong' });
    expect(failed.status).toBe(401);
    expect(switchLinks(failed.body).en).toBe('/_sekisho/login?next=%2Fportal%2F&lang=en');
    // A `next` that is not a same-origin path is not carried over.
    const crafted = await logIn(client, failed, {
      next: '//evil.example/',
      username: 'demo',
      password: 'wrong',
    });
    expect(switchLinks(crafted.body).en).toBe('/_sekisho/login?next=%2F&lang=en');
  });

  it('the form: ID hints for phones and IMEs; after a wrong password the ID stays and the password has focus', async () => {
    const client = new FormClient(gw.app);
    const page = await client.get('/_sekisho/login?lang=ja');
    const id = /<input id="username"[^>]*>/.exec(page.body)?.[0] ?? '';
    for (const attribute of ['autocapitalize="none"', 'autocorrect="off"', 'spellcheck="false"', 'autofocus'])
      expect(id).toContain(attribute);
    expect(id).toContain('autocomplete="username');
    expect(page.body).toMatch(/<input id="password"[^>]*autocomplete="current-password"/);

    const failed = await logIn(client, page, { next: '/', username: 'Demo', password: 'wrong' });
    expect(/<input id="username"[^>]*>/.exec(failed.body)?.[0]).toContain('value="Demo"');
    expect(/<input id="username"[^>]*>/.exec(failed.body)?.[0]).not.toContain('autofocus');
    expect(/<input id="password"[^>]*>/.exec(failed.body)?.[0]).toContain('autofocus');
    expect(failed.body).toContain('<p class="error" role="alert">');
    expect(failed.body).toContain(
      'ログインできない場合は、情報システム部 内線 1234 までお問い合わせください。',
    );

    const right = await logIn(client, failed, { next: '/', username: 'Demo', password: password });
    expect(right.status).toBe(303);
  });

  it('shows the organisation: name, logo, help desk and the forgotten-password link, in each language', async () => {
    const ja = await new FormClient(gw.app).get('/_sekisho/login?lang=ja');
    expect(ja.body).toContain('<span class="brand-name">株式会社サンプル</span>');
    expect(ja.body).toContain('<title>ログイン — 株式会社サンプル</title>');
    expect(ja.body).toContain('<img class="brand-logo" src="/_sekisho/static/branding/logo"');
    expect(ja.body).toContain('お問い合わせ: 情報システム部 内線 1234');
    expect(ja.body).toContain(
      '<a id="forgot-password" href="https://password.example.co.jp/reset">パスワードをお忘れの場合</a>',
    );
    const en = await new FormClient(gw.app).get('/_sekisho/login?lang=en');
    expect(en.body).toContain('<span class="brand-name">Sample Corp.</span>');
    expect(en.body).toContain('Help desk: IT help desk, ext. 1234');
    expect(en.body).toContain('Forgot your password?');
  });

  it('serves the logo from its own origin, typed, as an inert document', async () => {
    const logo = await gw.app.inject({ method: 'GET', url: '/_sekisho/static/branding/logo' });
    expect(logo.statusCode).toBe(200);
    expect(logo.headers['content-type']).toBe('image/svg+xml');
    expect(logo.headers['x-content-type-options']).toBe('nosniff');
    expect(logo.headers['content-security-policy']).toContain('sandbox');
    expect(logo.body).toBe(LOGO_SVG);
  });
});

describe('the language cookie and the logo on other configurations', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('behind https: Secure, with the __Host- prefix, like the gateway’s other cookies', async () => {
    const gw = await buildTestApp({ config: { publicUrl: 'https://gw.example.co.jp' } });
    apps.push(gw);
    const page = await new FormClient(gw.app).get('/_sekisho/login?lang=en');
    const cookie = setCookies(page.headers).find((c) => c.includes('sekisho_lang='));
    expect(cookie).toMatch(/^__Host-sekisho_lang=en;/);
    expect(cookie).toMatch(/; Secure/);
    const remembered = await new FormClient(gw.app).get('/_sekisho/login', {
      cookie: '__Host-sekisho_lang=en',
    });
    expect(pageLanguage(remembered.body)).toBe('en');
  });

  it('without branding: 関所 Sekisho, no logo route, no help-desk line', async () => {
    const gw = await buildTestApp();
    apps.push(gw);
    const page = await new FormClient(gw.app).get('/_sekisho/login');
    expect(page.body).toContain('<span class="brand-name">関所 Sekisho</span>');
    expect(page.body).not.toContain('brand-logo');
    expect(page.body).not.toContain('id="help-desk"');
    expect(page.body).not.toContain('forgot-password');
    const logo = await gw.app.inject({ method: 'GET', url: '/_sekisho/static/branding/logo' });
    expect(logo.statusCode).toBe(404);
  });
});
