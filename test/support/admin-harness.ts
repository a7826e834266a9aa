/**
 * The admin console's test setup: a gateway with the SMS sandbox (the console's default rule asks
 * for SMSOTP), admins and users, and a cookie-keeping client logged in with password and SMS code.
 */
import { expect } from 'vitest';
import { codeIn } from '../fakes/smsotp-harness.ts';
import { csrfField, FormClient, send } from './browser-client.ts';
import { addUser, startGateway, type GatewayOptions, type TestGateway } from './gateway.ts';
import { buildTestApp, httpTarget, type TestApp } from './test-app.ts';

export const CONSOLE = '/_sekisho/admin/';

/** A gateway or a test app with the console: the helpers below take either. */
export type ConsoleGateway = TestGateway | TestApp;

/** The options of a gateway whose console is guarded by the default `/_sekisho/admin/=@admins;;SMSOTP`. */
function consoleOptions(options: GatewayOptions): GatewayOptions {
  return {
    ...options,
    config: {
      sms: { provider: 'sandbox', sandbox: { enabled: true, page: true } },
      otp: { resendCooldownSeconds: 0, maxSendsPerWindow: 100 },
      ...options.config,
    },
  };
}

/** A listening gateway with the console (for a browser, a backend or a second instance). */
export function startConsoleGateway(options: GatewayOptions = {}): Promise<TestGateway> {
  return startGateway(consoleOptions(options));
}

/** The same console in a test app, driven through `inject()`. */
export function buildConsoleApp(options: GatewayOptions = {}): Promise<TestApp> {
  return buildTestApp(consoleOptions(options));
}

/** An admin: in group admins, with a phone for the SMS step. Returns the password. */
export function addAdmin(gw: ConsoleGateway, id: string, phone = '+819011112222'): Promise<string> {
  return addUser(gw, id, { groups: ['admins'], phone });
}

/** The code of the newest SMS the sandbox "sent" to `phone`. */
export async function lastSandboxCode(gw: ConsoleGateway, phone: string): Promise<string> {
  const response = await send(httpTarget(gw), 'GET', '/_sekisho/sandbox/sms.json', {});
  const { messages } = JSON.parse(response.body) as { messages: { to: string; body: string }[] };
  // Newest first; the sandbox shows numbers in the domestic form (090…), so compare the tail.
  const last = messages.find((m) => m.to.replace(/\D/g, '').endsWith(phone.replace(/\D/g, '').slice(-9)));
  if (!last) throw new Error(`no SMS to ${phone}`);
  return codeIn(last.body);
}

/** Logs in with the password only: the session lacks the console's second factor. */
export async function passwordOnlyClient(
  gw: ConsoleGateway,
  id: string,
  password: string,
): Promise<FormClient> {
  const client = new FormClient(httpTarget(gw));
  const login = await client.login(id, password, CONSOLE);
  expect(login.status).toBe(303);
  return client;
}

/** Logs in with password and SMS code, as the console's rule asks; returns the client on the console. */
export async function consoleClient(
  gw: ConsoleGateway,
  id: string,
  password: string,
  phone = '+819011112222',
  headers: Record<string, string> = {},
): Promise<FormClient> {
  const client = await passwordOnlyClient(gw, id, password);
  const otpPage = await client.get(`/_sekisho/mfa/SMSOTP?next=${encodeURIComponent(CONSOLE)}`, headers);
  expect(otpPage.status).toBe(200);
  const answer = await client.post(
    '/_sekisho/mfa/SMSOTP',
    { _csrf: csrfField(otpPage.body), next: CONSOLE, otp: await lastSandboxCode(gw, phone) },
    headers,
  );
  expect(answer.status).toBe(303);
  expect(answer.headers.location).toBe(CONSOLE);
  return client;
}

/** The audit rows written so far, newest first, as the console's reader returns them. */
export async function auditRows(gw: ConsoleGateway, event?: string) {
  return gw.runtime.gateway.auditTrail.query(event ? { event } : {}, { limit: 500, offset: 0 });
}

/** Every form's action and whether it carries a non-empty `_csrf` field. */
export function postForms(html: string): { action: string; hasCsrf: boolean }[] {
  const forms = html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
  return forms.map((form) => ({
    action: /action="([^"]+)"/.exec(form)?.[1] ?? '',
    hasCsrf: /<input type="hidden" name="_csrf" value="[^"]+">/.test(form),
  }));
}

/** Decodes the few entities Eta's escaping writes, for comparing page text. */
export function unescapeHtml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
