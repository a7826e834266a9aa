/** Answers one request to the sample intranet: a site's page, the 日報 form's echo, or an error page. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eigyoBody, reportEcho } from './departments.ts';
import { escapeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { Page } from './layout.ts';
import { requestInfo } from './request-info.ts';
import type { RequestInfo } from './request-info.ts';
import { siteFor } from './sites.ts';

/** Largest request body accepted by the 日報 form. */
const MAX_BODY_BYTES = 64 * 1024;

const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
} as const;

/** Sends an HTML (or plain) answer with the intranet's security headers. */
export function send(
  res: ServerResponse,
  status: number,
  html: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

function sendPage(
  res: ServerResponse,
  info: RequestInfo,
  page: Page,
  current: string | undefined,
  extra: Record<string, string> = {},
): void {
  send(res, page.status, layout(page, info, current), extra);
}

function errorPage(status: number, ja: string, en: string, detail: string): Page {
  return { status, title: ja, subtitle: en, body: `<section class="panel"><p>${detail}</p></section>` };
}

function notFound(info: RequestInfo): Page {
  return errorPage(
    404,
    'ページが見つかりません',
    'Not found',
    `<code>${escapeHtml(info.target)}</code> はありません。上のメニューからサイトを選んでください。<br><small class="muted">No such page. Pick a site from the menu above.</small>`,
  );
}

/** Reads the whole body, or returns undefined after answering 413 when it is too large. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function bodyText(contentType: string | undefined, body: Buffer): string {
  const text = body.toString('utf8');
  if (contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    return new URLSearchParams(text).get('nippo') ?? '';
  }
  return text;
}

/** Routes one request to its site's page, the 日報 echo, or a 404/405/413 page. */
export async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const info = requestInfo(req);
  const site = siteFor(info.target);
  if (!site) return sendPage(res, info, notFound(info), undefined);
  const page = (body: string): Page => ({ status: 200, title: site.title, subtitle: site.subtitle, body });

  if (info.method === 'GET' || info.method === 'HEAD') {
    return sendPage(res, info, page(site.render(info)), site.key);
  }
  if (info.method === 'POST' && site.key === 'eigyo') {
    const body = await readBody(req);
    if (body === undefined) {
      const tooLarge = errorPage(
        413,
        '送信内容が大きすぎます',
        'Payload too large',
        `上限は ${MAX_BODY_BYTES} バイトです。`,
      );
      return sendPage(res, info, tooLarge, site.key, { connection: 'close' });
    }
    const contentType = req.headers['content-type'];
    const echo = reportEcho(contentType, body.length, bodyText(contentType, body));
    return sendPage(res, info, page(eigyoBody(echo)), site.key);
  }
  const allow = site.key === 'eigyo' ? 'GET, HEAD, POST' : 'GET, HEAD';
  const notAllowed = errorPage(
    405,
    '許可されていないメソッドです',
    'Method not allowed',
    `このページで使えるメソッド: <code>${allow}</code>`,
  );
  sendPage(res, info, notAllowed, site.key, { allow });
}
