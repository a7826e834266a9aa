import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAdmin, buildConsoleApp, CONSOLE, consoleClient } from '../support/admin-harness.ts';
import type { TestApp } from '../support/test-app.ts';

/** The console wears the organisation's name and keeps the language switch, like every other page. */
describe('the admin console: branding and language', () => {
  let gw: TestApp;
  let password: string;

  beforeAll(async () => {
    gw = await buildConsoleApp({
      config: { branding: { name: { ja: '株式会社サンプル', en: 'Sample Corp.' } } },
    });
    password = await addAdmin(gw, 'boss');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("names the organisation in the header and title, in the page's language", async () => {
    const client = await consoleClient(gw, 'boss', password);
    const ja = await client.get(CONSOLE);
    expect(ja.status).toBe(200);
    expect(ja.body).toMatch(/<span class="brand-name">株式会社サンプル — [^<]+<\/span>/);
    expect(ja.body).toMatch(/<title>[^<]+ — 株式会社サンプル<\/title>/);
    const en = await client.get(`${CONSOLE}users?lang=en`);
    expect(en.status).toBe(200);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toMatch(/<span class="brand-name">Sample Corp\. — [^<]+<\/span>/);
  });

  it('offers the language switch, which keeps the console page and sticks', async () => {
    const client = await consoleClient(gw, 'boss', password);
    const page = await client.get(`${CONSOLE}users?q=boss`);
    const switcher = /<nav class="lang-switch"[\s\S]*?<\/nav>/.exec(page.body)?.[0] ?? '';
    const english = /<a href="([^"]+)" lang="en"/.exec(switcher)?.[1]?.replaceAll('&amp;', '&');
    expect(english).toBeDefined();
    expect(new URL(english ?? '', 'http://x').pathname).toBe(`${CONSOLE}users`);
    expect(new URL(english ?? '', 'http://x').searchParams.get('q')).toBe('boss');
    expect((await client.get(english ?? '')).body).toContain('<html lang="en">');
    // The cookie the switch set keeps English on the next console page, without `?lang=`.
    expect((await client.get(`${CONSOLE}rules`)).body).toContain('<html lang="en">');
  });
});
