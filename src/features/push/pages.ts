/**
 * The push pages (docs/push.md §3): the authenticator a phone opens (an installable PWA with
 * its manifest and service worker) and the enrolment page that shows an activation link as a
 * QR code. The device API itself is in routes.ts; these pages only call it from the browser.
 */
import { activationUrl } from './activations.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../project-root.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { qrSvg } from '../../web/qr-code.ts';
import type { PushPagesDeps } from './deps.ts';
import { pickLocale } from '../../web/i18n.ts';
import { sendPage } from '../../web/pages.ts';
import { PATTERNS } from '../../../views/static/push/protocol.js';
import { pushPageMessages, pushScriptMessagesJson } from './page-messages.ts';

const APP_PATH = '/_sekisho/push/app';
const SCOPE = '/_sekisho/push/';
const serviceWorker = readFileSync(join(projectRoot, 'views', 'static', 'push', 'sw.js'));

/**
 * Registers the authenticator page, its manifest and service worker, and the enrolment page
 * (nothing when the gateway runs no push service).
 */
export async function registerPushPages(app: FastifyInstance, gateway: PushPagesDeps): Promise<void> {
  const push = gateway.push;
  if (!push) return;

  app.get(APP_PATH, async (request, reply) =>
    sendPushPage(request, reply, 'views/push/app', 'appTitle', '/_sekisho/static/push/authenticator.js'),
  );

  app.get(`${SCOPE}manifest.webmanifest`, async (request, reply) =>
    reply
      .type('application/manifest+json; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(manifest(pickLocale(request))),
  );

  // Served from the scope's own folder so the worker controls the authenticator page.
  app.get(`${SCOPE}sw.js`, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(serviceWorker),
  );

  app.get(`${SCOPE}enroll`, async (request, reply) =>
    sendPushPage(request, reply, 'views/push/enroll', 'enrolTitle', '/_sekisho/static/push/enroll.js'),
  );

  // The code arrives in a JSON body (it was in the page's fragment), never in a request line.
  app.post<{ Body: { code?: unknown } }>(
    `${SCOPE}enroll/qr`,
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const code = typeof request.body?.code === 'string' ? request.body.code : '';
      if (!PATTERNS.code.test(code)) return reply.code(400).send({ error: 'bad_request' });
      const live = await push.peekActivation(code);
      if (!live) return reply.code(410).send({ error: 'activation_invalid' });
      const url = activationUrl(gateway.config.publicUrl, code);
      const svg = await qrSvg(url);
      return reply.send({ svg, url, expiresAt: live.expiresAt });
    },
  );
}

function sendPushPage(
  request: FastifyRequest,
  reply: FastifyReply,
  view: string,
  titleKey: 'appTitle' | 'enrolTitle',
  script: string,
): FastifyReply {
  const locale = pickLocale(request);
  const pm = pushPageMessages(locale);
  return sendPage(request, reply, 200, view, () => pm[titleKey], {
    pm,
    scriptMessages: pushScriptMessagesJson(locale),
    script,
    manifest: view === 'views/push/app',
  });
}

function manifest(locale: 'ja' | 'en') {
  const pm = pushPageMessages(locale);
  return {
    name: 'Sekisho Authenticator',
    short_name: 'Sekisho',
    description: pm.appLead,
    lang: locale,
    start_url: APP_PATH,
    scope: SCOPE,
    display: 'standalone',
    background_color: '#f4f1ec',
    theme_color: '#8c1c13',
    icons: [{ src: '/_sekisho/static/push/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  };
}
