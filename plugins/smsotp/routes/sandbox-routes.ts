/**
 * The sandbox inbox: what the sandbox provider "sent", as a page for people and as JSON for the
 * demo and browser tests. Full numbers and codes are shown to anyone: it is a development tool.
 * Mounted only when the sandbox provider is in use and `sms.sandbox.page` is true (docs/sms.md).
 */
import type { Catalogue, PluginMessages, PluginRoute } from '../../../src/plugin-api.ts';
import { clockTime } from '../otp-page.ts';
import type { SandboxProvider } from '../providers/sandbox.ts';

/** The template of the sandbox page, relative to the project root. */
export const SANDBOX_TEMPLATE = 'plugins/smsotp/views/sandbox';

/** `GET sandbox/sms` (page) and `GET sandbox/sms.json`. */
export function sandboxRoutes(
  sandbox: SandboxProvider,
  messages: Catalogue<PluginMessages>,
  timeZone: string,
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
