import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastSandboxCode } from '../support/admin-harness.ts';
import { addUser, type TestGateway } from '../support/gateway.ts';
import { startIntranetBrowser, type IntranetBrowser } from '../support/intranet-browser.ts';
import {
  DESKTOP,
  keepScreenshot,
  PHONE,
  seriousAxeViolations,
  type AxeViolation,
} from '../support/page-checks.ts';

const SIZES = { desktop: DESKTOP, phone: PHONE } as const;
type Size = keyof typeof SIZES;
const LOCALES = ['ja', 'en'] as const;
type Locale = (typeof LOCALES)[number];

const ADMIN_PHONE = '+819011112222';
const USER_PHONE = '+819033334444';

/** What a page must hold at one size and in one language, and its screenshot for the reviewer. */
interface PageCheck {
  readonly violations: AxeViolation[];
  readonly scrollsSideways: boolean;
}

async function checkPage(page: Page, name: string): Promise<PageCheck> {
  const violations = await seriousAxeViolations(page);
  const scrollsSideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await keepScreenshot(page, `a11y-${name}`);
  return { violations, scrollsSideways };
}

const CLEAN: PageCheck = { violations: [], scrollsSideways: false };

/**
 * Every page a user reaches without a plugin's special setup, through axe-core's WCAG 2.2 A/AA
 * rules in Chromium at desktop and phone size, in Japanese and English: no serious or critical
 * violation and no sideways scrolling. Screenshots land in test-results/screenshots (a11y-*).
 */
describe('accessibility of the gateway’s pages', () => {
  let rig: IntranetBrowser;
  let gw: TestGateway;
  let browser: Browser;
  let userPassword: string;
  let adminPassword: string;

  beforeAll(async () => {
    rig = await startIntranetBrowser({
      apps: ['portal', 'keiri'],
      rules: ['/portal/=ALL;;', '/keiri/=@keiri;;', '/kanri/=ALL;;SMSOTP|TOTP'],
      config: {
        // Far more logins from 127.0.0.1 than a person makes: keep the per-address limit out of the way.
        password: { ipMaxAttempts: 10_000 },
        branding: {
          name: { ja: '株式会社サンプル', en: 'Sample Corp.' },
          helpDesk: '内線 1234 / ext. 1234',
          forgotPasswordUrl: 'https://password.example.co.jp/',
        },
        sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
        otp: { resendCooldownSeconds: 0, maxSendsPerWindow: 100 },
      },
    });
    ({ gw, browser } = rig);
    userPassword = await addUser(gw, 'hanako', { phone: USER_PHONE });
    adminPassword = await addUser(gw, 'kanri', { groups: ['admins'], phone: ADMIN_PHONE });
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** A fresh browser in `locale` (its Accept-Language) at `size`. */
  async function open(locale: Locale, size: Size): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      locale: locale === 'ja' ? 'ja-JP' : 'en-US',
      viewport: SIZES[size],
      ...(size === 'phone' ? { isMobile: true, hasTouch: true } : {}),
    });
    return { context, page: await context.newPage() };
  }

  async function logIn(page: Page, id: string, password: string, next = '/portal/') {
    await page.goto(`${gw.url}/_sekisho/login?next=${encodeURIComponent(next)}`);
    await page.fill('#username', id);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
  }

  /** The page in each language and size, as a map `<locale>-<size>` → what was found. */
  async function everyWay(
    name: string,
    visit: (page: Page, locale: Locale) => Promise<unknown>,
  ): Promise<Record<string, PageCheck>> {
    const found: Record<string, PageCheck> = {};
    for (const locale of LOCALES) {
      for (const size of Object.keys(SIZES) as Size[]) {
        const { context, page } = await open(locale, size);
        await visit(page, locale);
        found[`${locale}-${size}`] = await checkPage(page, `${name}-${locale}-${size}`);
        await context.close();
      }
    }
    return found;
  }

  const allClean = { 'ja-desktop': CLEAN, 'ja-phone': CLEAN, 'en-desktop': CLEAN, 'en-phone': CLEAN };

  /** Opens `path` and checks that it is the page meant, by its status. */
  async function visit(page: Page, path: string, status: number) {
    const response = await page.goto(`${gw.url}${path}`);
    expect(response?.status(), path).toBe(status);
  }

  it('the login page', async () => {
    expect(await everyWay('login', (page) => visit(page, '/_sekisho/login?next=%2Fportal%2F', 200))).toEqual(
      allClean,
    );
  });

  it('the login page after a wrong password', async () => {
    const found = await everyWay('login-error', async (page) => {
      await logIn(page, 'hanako', 'not the password');
      await page.locator('p.error[role=alert]').waitFor();
    });
    expect(found).toEqual(allClean);
  });

  it('the logout page and the page after logging out', async () => {
    expect(await everyWay('logout', (page) => visit(page, '/_sekisho/logout', 200))).toEqual(allClean);
    const found = await everyWay('logged-out', async (page) => {
      await logIn(page, 'hanako', userPassword);
      await page.waitForURL(`${gw.url}/portal/`);
      await visit(page, '/_sekisho/logout', 200);
      await page.click('button[type=submit]');
      await page.locator('p.info[role=status]').waitFor();
    });
    expect(found).toEqual(allClean);
  });

  it('message pages: not found, and forbidden', async () => {
    expect(await everyWay('not-found', (page) => visit(page, '/_sekisho/no-such-page', 404))).toEqual(
      allClean,
    );
    const found = await everyWay('forbidden', async (page) => {
      await logIn(page, 'hanako', userPassword);
      await page.waitForURL(`${gw.url}/portal/`);
      await visit(page, '/keiri/', 403);
    });
    expect(found).toEqual(allClean);
  });

  it('the login page’s controls: a focus ring, borders and targets that WCAG 2.2 AA asks (beyond axe)', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ locale: 'ja-JP', viewport: PHONE, colorScheme: scheme });
      const page = await context.newPage();
      await visit(page, '/_sekisho/login?next=%2Fportal%2F', 200);
      const controls = await page.locator('a, input:not([type=hidden]), button').count();
      // Keyboard navigation from the top: a click on the organisation's name, then Tab after Tab.
      await page.click('#brand');
      const seen: ControlLook[] = [];
      for (let i = 0; i < controls; i++) {
        await page.keyboard.press('Tab');
        seen.push(await page.evaluate(lookOfFocused));
      }
      await keepScreenshot(page, `a11y-login-focus-${scheme}-phone`);
      expect(seen.map((c) => c.id).sort()).toEqual(
        ['#lang-ja', '#lang-en', '#username', '#password', 'button', '#forgot-password'].sort(),
      );
      for (const control of seen) {
        expect(control.outlineWidth, `${scheme} ${control.id}`).toBeGreaterThanOrEqual(2);
        expect(control.ringContrast, `${scheme} ${control.id}`).toBeGreaterThanOrEqual(3);
        expect(Math.min(control.width, control.height), `${scheme} ${control.id}`).toBeGreaterThanOrEqual(24);
        if (control.borderContrast !== null)
          expect(control.borderContrast, `${scheme} ${control.id}`).toBeGreaterThanOrEqual(3);
      }
      await context.close();
    }
  });

  /**
   * Pages behind a login: for each language and size, one browser logs in (`signIn`) and visits
   * every page; the result is page name → `<locale>-<size>` → what was found.
   */
  async function signedIn(
    signIn: (page: Page) => Promise<unknown>,
    pages: readonly (readonly [string, string])[],
    sizes: readonly Size[] = ['desktop', 'phone'],
    locales: readonly (typeof LOCALES)[number][] = LOCALES,
  ): Promise<Record<string, Record<string, PageCheck>>> {
    const found: Record<string, Record<string, PageCheck>> = {};
    for (const locale of locales) {
      for (const size of sizes) {
        const { context, page } = await open(locale, size);
        await signIn(page);
        for (const [name, path] of pages) {
          await visit(page, path, 200);
          (found[name] ??= {})[`${locale}-${size}`] = await checkPage(page, `${name}-${locale}-${size}`);
        }
        await context.close();
      }
    }
    return found;
  }

  // One test per language: four pages at both sizes each, so that a loaded machine stays within the timeout.
  for (const locale of LOCALES) {
    it(`after the password: the chooser, the SMS code, the recovery-code login and /me (${locale})`, async () => {
      const pages = [
        ['chooser', '/_sekisho/mfa?next=%2Fkanri%2F'],
        ['sms-otp', '/_sekisho/mfa/SMSOTP?next=%2Fkanri%2F'],
        ['recovery', '/_sekisho/recovery?next=%2Fkanri%2F'],
        ['me', '/_sekisho/me'],
      ] as const;
      const signIn = async (page: Page) => {
        await logIn(page, 'hanako', userPassword);
        await page.waitForURL(`${gw.url}/portal/`);
      };
      const found = await signedIn(signIn, pages, ['desktop', 'phone'], [locale]);
      const clean = { [`${locale}-desktop`]: CLEAN, [`${locale}-phone`]: CLEAN };
      expect(found).toEqual(Object.fromEntries(pages.map(([name]) => [name, clean])));
    });
  }

  it('the dark scheme: /me and the chooser, at both sizes', async () => {
    const found: Record<string, PageCheck> = {};
    for (const size of Object.keys(SIZES) as Size[]) {
      const context = await browser.newContext({
        locale: 'ja-JP',
        viewport: SIZES[size],
        colorScheme: 'dark',
      });
      const page = await context.newPage();
      await logIn(page, 'hanako', userPassword);
      await page.waitForURL(`${gw.url}/portal/`);
      for (const [name, path] of [
        ['me', '/_sekisho/me'],
        ['chooser', '/_sekisho/mfa?next=%2Fkanri%2F'],
      ] as const) {
        await visit(page, path, 200);
        found[`${name}-${size}`] = await checkPage(page, `${name}-dark-ja-${size}`);
      }
      await context.close();
    }
    expect(found).toEqual({
      'me-desktop': CLEAN,
      'me-phone': CLEAN,
      'chooser-desktop': CLEAN,
      'chooser-phone': CLEAN,
    });
  });

  /** The console's main pages, after the password and the SMS code its rule asks for. */
  const consolePages = [
    ['admin-home', '/_sekisho/admin/'],
    ['admin-rules', '/_sekisho/admin/rules'],
    ['admin-history', '/_sekisho/admin/rules/history'],
    ['admin-users', '/_sekisho/admin/users'],
    ['admin-user', '/_sekisho/admin/user?id=hanako'],
    ['admin-sessions', '/_sekisho/admin/sessions'],
    ['admin-audit', '/_sekisho/admin/audit'],
    ['admin-sms', '/_sekisho/admin/sms'],
  ] as const;

  async function consoleSignIn(page: Page) {
    await logIn(page, 'kanri', adminPassword, '/_sekisho/admin/');
    await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
    await page.fill('input[name=otp]', await lastSandboxCode(gw, ADMIN_PHONE));
    await page.locator('input[name=otp]').press('Enter');
    await page.waitForURL(`${gw.url}/_sekisho/admin/`);
  }

  // One test per language and size: eight pages each, so that a loaded machine stays within the timeout.
  for (const locale of LOCALES) {
    for (const size of ['desktop', 'phone'] as const) {
      it(`the admin console (${locale}, ${size})`, async () => {
        const found = await signedIn(consoleSignIn, consolePages, [size], [locale]);
        const clean = { [`${locale}-${size}`]: CLEAN };
        expect(found).toEqual(Object.fromEntries(consolePages.map(([name]) => [name, clean])));
      });
    }
  }
});

/** How the focused control looks: its focus ring, its border and its size. */
interface ControlLook {
  readonly id: string;
  readonly outlineWidth: number;
  /** The focus ring against the background around the control. */
  readonly ringContrast: number;
  /** An input's border against the background around it; null for controls without one. */
  readonly borderContrast: number | null;
  readonly width: number;
  readonly height: number;
}

/** Runs in the page: the look of `document.activeElement` (self-contained, for `page.evaluate`). */
function lookOfFocused(): ControlLook {
  const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const luminance = (colour: string) => {
    const [r = 0, g = 0, b = 0] = rgb(colour).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: string, b: string) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  };
  /** The first opaque background behind an element. */
  const backdrop = (element: Element | null): string => {
    for (let e = element; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (!/rgba\(.*, 0\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const element = document.activeElement as HTMLElement;
  const style = getComputedStyle(element);
  const around = backdrop(element.parentElement);
  const box = element.getBoundingClientRect();
  const lang = element.getAttribute('lang');
  return {
    id: element.id ? `#${element.id}` : lang ? `#lang-${lang}` : element.tagName.toLowerCase(),
    outlineWidth: parseFloat(style.outlineWidth),
    ringContrast: contrast(style.outlineColor, around),
    borderContrast: element.tagName === 'INPUT' ? contrast(style.borderTopColor, around) : null,
    width: box.width,
    height: box.height,
  };
}
