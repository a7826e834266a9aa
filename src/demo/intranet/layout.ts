/** The page frame every sample intranet page shares: header and menu, then the identity and echo panels. */
import { chips, escapeHtml, heading } from './html.ts';
import { IDENTITY_HEADERS } from './request-info.ts';
import type { Identity, RequestInfo } from './request-info.ts';
import { STYLE } from './style.ts';

/** One page to frame: its status, heading and body HTML. */
export interface Page {
  /** HTTP status of the answer. */
  status: number;
  /** Japanese heading, also in the document title. */
  title: string;
  /** English subtitle beside the heading. */
  subtitle: string;
  /** Body HTML, already escaped. */
  body: string;
}

function userBadge(identity: Identity): string {
  if (identity.user === undefined) {
    return '<span class="badge badge-anon">未ログイン (公開ページ) <small>Not logged in</small></span>';
  }
  return `<span class="badge">ログイン中 <small>Signed in as</small> <b>${escapeHtml(identity.user)}</b></span>`;
}

function identityPanel(identity: Identity): string {
  const row = (name: string, value: string | undefined) =>
    `<tr><th><code>${escapeHtml(name)}</code></th><td>${
      value === undefined ? '<span class="muted">(なし / none)</span>' : `<code>${escapeHtml(value)}</code>`
    }</td></tr>`;
  const who =
    identity.user === undefined
      ? '<p class="muted">未ログイン (公開ページ) — ゲートウェイから利用者情報は届いていません。<br><small>Not logged in (public page): the gateway sent no identity.</small></p>'
      : `<p>ゲートウェイによる認証済み利用者: <b>${escapeHtml(identity.user)}</b><br><small>The gateway says you are this user.</small></p>`;
  return `<section class="panel">
  ${heading('ゲートウェイからの利用者情報', 'Identity from the gateway')}
  ${who}
  <table class="kv">
    ${row(IDENTITY_HEADERS.user, identity.user)}
    ${row(IDENTITY_HEADERS.groups, identity.groups)}
    ${row(IDENTITY_HEADERS.methods, identity.methods)}
  </table>
</section>`;
}

function echoPanel(info: RequestInfo): string {
  return `<section class="panel echo">
  ${heading('リクエスト エコー', 'Request echo')}
  <table class="kv">
    <tr><th>メソッド <small>Method</small></th><td><code>${escapeHtml(info.method)}</code></td></tr>
    <tr><th>パス <small>Path</small></th><td><code>${escapeHtml(info.target)}</code></td></tr>
    <tr><th>受信 Cookie <small>Cookies received</small></th><td>${chips(info.cookieNames, '(なし / none)')}</td></tr>
  </table>
</section>`;
}

const NAV: readonly { href: string; label: string }[] = [
  { href: '/portal/', label: 'ポータル' },
  { href: '/eigyo/', label: '営業部' },
  { href: '/gijutsu/', label: '技術部' },
  { href: '/keiri/', label: '経理部' },
  { href: '/public/', label: 'お知らせ' },
];

/** The whole HTML document for `page`; `current` is the site key highlighted in the menu. */
export function layout(page: Page, info: RequestInfo, current: string | undefined): string {
  const nav = NAV.map(
    (n) =>
      `<a href="${n.href}"${n.href === `/${current}/` ? ' class="on" aria-current="page"' : ''}>${n.label}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} | サンプル株式会社 社内ポータル</title>
<style>${STYLE}</style>
</head>
<body>
<header><div class="bar">
  <a class="brand" href="/portal/">サンプル株式会社<small>Sample Corp. Intranet</small></a>
  <nav>${nav}</nav>
  ${userBadge(info.identity)}
</div></header>
<main>
<h1>${escapeHtml(page.title)} <small>${escapeHtml(page.subtitle)}</small></h1>
${page.body}
${identityPanel(info.identity)}
${echoPanel(info)}
</main>
<footer>関所 (Sekisho) サンプル イントラネット — このサイトのデータはすべて架空のものです。 / All data on this site is fictitious.</footer>
</body>
</html>
`;
}
