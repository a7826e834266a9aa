import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserRecord } from '../../src/ports/users.ts';
import type { FormClient } from '../support/browser-client.ts';
import type { TestApp } from '../support/test-app.ts';
import { addAdmin, buildConsoleApp, consoleClient, unescapeHtml } from '../support/admin-harness.ts';

const USERS = '/_sekisho/admin/users';
const en = { 'accept-language': 'en' };
const COUNT = 1200;
/** People with realistic numbers, for finding a phone typed the way people write it. */
const PHONE_PEOPLE = [
  ['ph-tanaka', '+819012345678'],
  ['ph-sato', '+818012340000'],
  ['ph-office', '+81312345678'],
  ['ph-us', '+14155550123'],
] as const;

/** The console's search as it used to run in memory: the oracle the SQL must agree with. */
function matches(user: UserRecord, text: string): boolean {
  const needle = text.toLowerCase();
  return [user.id, user.displayName, user.email ?? '', user.phone ?? '', ...user.groups].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

describe('admin console: the users list searches and pages in the database', () => {
  let gw: TestApp;
  let boss: FormClient;

  beforeAll(async () => {
    gw = await buildConsoleApp();
    boss = await consoleClient(gw, 'boss', await addAdmin(gw, 'boss'));
    await addPeople(gw);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Every ID the list shows for `text`, following its "Older" links, and the count it states. */
  async function browse(text: string): Promise<{ ids: string[]; stated: number }> {
    const ids: string[] = [];
    let stated = -1;
    for (let next: string | null = `${USERS}?q=${encodeURIComponent(text)}`; next !== null;) {
      const page = await boss.get(next, en);
      expect(page.status).toBe(200);
      const body = unescapeHtml(page.body);
      stated = Number(/<p class="muted">(\d+) users<\/p>/.exec(body)?.[1] ?? -1);
      ids.push(
        ...[...body.matchAll(/<a href="\/_sekisho\/admin\/user\?id=([^"]+)">/g)].map((m) => m[1] ?? ''),
      );
      const older = /<a href="(\/_sekisho\/admin\/users\?q=[^"]*&offset=\d+)">Older<\/a>/.exec(body)?.[1];
      next = older ?? null;
    }
    return { ids: ids.map(decodeURIComponent), stated };
  }

  it('finds by any field or group in any case, states the full count and pages through all of it, never reading every user', async () => {
    const everyone = await gw.runtime.gateway.users.list();
    expect(everyone.length).toBe(COUNT + 1 + PHONE_PEOPLE.length);
    const list = vi.spyOn(gw.runtime.gateway.users, 'list');
    for (const text of [
      '',
      'EIGYO',
      'tanaka',
      '0099',
      '山田',
      'u01',
      '%',
      '_',
      '@example.jp',
      'nobody-at-all',
    ]) {
      const expected = everyone.filter((user) => matches(user, text)).map((user) => user.id);
      const shown = await browse(text);
      expect(shown.stated, text).toBe(expected.length);
      expect(shown.ids, text).toEqual(expected);
    }
    expect(list).not.toHaveBeenCalled();
  });

  it('finds a phone number typed as people write it (hyphens, brackets, full width, 0 or +81) in the E.164 it is stored as', async () => {
    for (const [text, ids] of [
      ['090-1234-5678', ['ph-tanaka']],
      ['090-1234', ['ph-tanaka']],
      ['0901234', ['ph-tanaka']],
      ['０９０－１２３４', ['ph-tanaka']],
      ['+81 (0)80-1234', ['ph-sato']],
      ['(03) 1234', ['ph-office']],
      ['1234-5678', ['ph-office', 'ph-tanaka']],
      ['+1 415-555', ['ph-us']],
      // Other text is searched as before.
      ['ph-', ['ph-office', 'ph-sato', 'ph-tanaka', 'ph-us']],
      ['+8131234', ['ph-office']],
      ['090-1234 ext', []],
    ] as const) {
      const shown = await browse(text);
      expect(shown.ids, text).toEqual(ids);
      expect(shown.stated, text).toBe(ids.length);
    }
  });

  it('a short number prefix finds every phone it starts, with any other field that contains the text, across pages', async () => {
    const everyone = await gw.runtime.gateway.users.list();
    const expected = everyone
      .filter((user) => matches(user, '090') || (user.phone ?? '').startsWith('+8190'))
      .map((user) => user.id);
    expect(expected.length).toBeGreaterThan(COUNT / 2);
    const shown = await browse('090');
    expect(shown.stated).toBe(expected.length);
    expect(shown.ids).toEqual(expected);
  });

  it('pages of 50, with "Newer" back from a later page; an offset past the end shows none but the count', async () => {
    const second = unescapeHtml((await boss.get(`${USERS}?q=tanaka&offset=50`, en)).body);
    expect([...second.matchAll(/<a href="\/_sekisho\/admin\/user\?id=/g)]).toHaveLength(50);
    expect(second).toContain('<a href="/_sekisho/admin/users?q=tanaka&offset=0">Newer</a>');
    const beyond = unescapeHtml((await boss.get(`${USERS}?q=tanaka&offset=5000`, en)).body);
    expect(beyond).toContain('No user matches.');
    expect(beyond).toMatch(/<p class="muted">\d+ users<\/p>/);
  });

  it('counts users and locked ones on the overview without reading every user', async () => {
    const list = vi.spyOn(gw.runtime.gateway.users, 'list');
    const home = await boss.get('/_sekisho/admin/', en);
    const [, , users, flagged] = [...home.body.matchAll(/<dd>(\d+)<\/dd>/g)].map((m) => Number(m[1]));
    expect(users).toBe(COUNT + 1 + PHONE_PEOPLE.length);
    // Every 10th person is locked and every 25th locked out for an hour (the 50th are both).
    const lockedOrOut = Array.from({ length: COUNT }, (_, i) => i + 1).filter(
      (n) => n % 10 === 0 || n % 25 === 0,
    );
    expect(flagged).toBe(lockedOrOut.length);
    expect(list).not.toHaveBeenCalled();
  });
});

/**
 * Enough people for paging and a full-table filter to matter, written in one statement (no
 * password hashing): names, some `%` and `_`, emails, phones, groups, locks and lockouts; then the
 * {@link PHONE_PEOPLE}.
 */
async function addPeople(gw: TestApp): Promise<void> {
  const { pool } = gw.runtime;
  const id = `'u' || lpad(n::text, 4, '0') || CASE WHEN n % 97 = 0 THEN '_x' ELSE '' END`;
  await pool.query("INSERT INTO groups (name) VALUES ('eigyo'), ('keiri')");
  await pool.query(
    `INSERT INTO users (id, display_name, phone, email, locked, lockout_until)
     SELECT ${id},
            CASE WHEN n % 3 = 0 THEN 'Tanaka ' ELSE '山田 ' END || n || CASE WHEN n % 89 = 0 THEN ' 50%' ELSE '' END,
            CASE WHEN n % 2 = 0 THEN '+8190' || lpad(n::text, 8, '0') END,
            CASE WHEN n % 5 = 0 THEN 'p' || n || '@Example.JP' END,
            n % 10 = 0,
            CASE WHEN n % 25 = 0 THEN now() + interval '1 hour' END
     FROM generate_series(1, $1::int) AS n`,
    [COUNT],
  );
  await pool.query(
    `INSERT INTO users (id, display_name, phone) SELECT id, 'Phone ' || id, phone
     FROM unnest($1::text[], $2::text[]) AS p(id, phone)`,
    [PHONE_PEOPLE.map(([id]) => id), PHONE_PEOPLE.map(([, phone]) => phone)],
  );
  await pool.query(
    `INSERT INTO memberships (user_id, group_name)
     SELECT ${id}, CASE WHEN n % 2 = 0 THEN 'eigyo' ELSE 'keiri' END
     FROM generate_series(7, $1::int, 7) AS n`,
    [COUNT],
  );
}
