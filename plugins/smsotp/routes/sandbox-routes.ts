/**
 * The sandbox inbox: what the sandbox provider "sent", as a page for people and as JSON for the
 * demo and browser tests. Full numbers are shown: it is a development tool and the numbers are
 * test data. Mounted only when the sandbox is enabled and `plugins.SMSOTP.sandboxPage` is true.
 */
import type { Locale, PluginRoute } from '../../../src/plugin-api.ts';
import { clockTime } from '../otp-page.ts';
import type { SandboxProvider } from '../providers/sandbox.ts';

/** The template of the sandbox page, relative to the project root. */
export const SANDBOX_TEMPLATE = 'plugins/smsotp/views/sandbox';

/** `GET sandbox/sms` (page) and `GET sandbox/sms.json`. */
export function sandboxRoutes(
  sandbox: SandboxProvider,
  messages: Readonly<Record<Locale, Readonly<Record<string, string>>>>,
  timeZone?: string,
): PluginRoute[] {
  return [
    {
      method: 'GET',
      path: 'sandbox/sms',
      async handle(request) {
        const list = sandbox.messages().map((m) => ({
          id: m.id,
          to: m.to,
          body: m.body,
          at: new Date(m.at).toISOString(),
          time: clockTime(m.at, timeZone),
        }));
        const title = messages[request.client.locale].sandboxTitle ?? 'SMS sandbox';
        return { status: 200, view: { template: SANDBOX_TEMPLATE, data: { messages: list } }, title };
      },
    },
    {
      method: 'GET',
      path: 'sandbox/sms.json',
      async handle() {
        const list = sandbox.messages().map((m) => ({
          id: m.id,
          to: m.to,
          body: m.body,
          at: new Date(m.at).toISOString(),
        }));
        return { status: 200, json: { messages: list } };
      },
    },
  ];
}
