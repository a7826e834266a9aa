/**
 * What the console's browser and app tests share beyond the admin harness: logging in to the
 * console in a real browser, and a time as the console writes it.
 */
import type { Page } from 'playwright-core';
import { lastSandboxCode } from './admin-harness.ts';
import type { TestGateway } from './gateway.ts';

/** Opens `path` of the console, logs in with password and the sandbox's SMS code, and waits to be back there. */
export async function logInToConsole(
  page: Page,
  gw: TestGateway,
  login: { id: string; password: string; phone: string },
  path = '/_sekisho/admin/rules',
): Promise<void> {
  await page.goto(`${gw.url}${path}`);
  await page.waitForURL(/\/_sekisho\/login\?/);
  await page.fill('input[name=username]', login.id);
  await page.fill('input[name=password]', login.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/_sekisho\/mfa\/SMSOTP/);
  await page.fill('input[name=otp]', await lastSandboxCode(gw, login.phone));
  await page.locator('input[name=otp]').press('Enter');
  await page.waitForURL(`${gw.url}${path}`);
}

/** A time as a Japanese console page in Asia/Tokyo writes it (`2026/12/03 14:05`), worked out apart from the page's code. */
export function tokyoDateTime(at: Date | undefined): string {
  return new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}
