/**
 * The built-in sample intranet (in the spirit of the IceWall sample backend): a small company portal
 * with departmental sites that shows what the gateway tells it about the user. Plain `node:http`, no
 * framework, no JavaScript and no external assets; every reflected value is HTML-escaped.
 *
 * The gateway serves backend `portal` (url `http://host:port/portal`) at `/portal/`, so the paths seen
 * here equal the paths the browser sees and links between sites are plain absolute paths.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the sample intranet listens; port 0 picks a free port. */
export interface IntranetOptions {
  port: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/** A running sample intranet. */
export interface RunningIntranet {
  /** Origin it is reachable at, e.g. `http://127.0.0.1:9201`. */
  url: string;
  close(): Promise<void>;
}

/** The identity headers the gateway sets by default (CONTRACT §6). */
const IDENTITY_HEADERS = {
  user: 'X-Remote-User',
  groups: 'X-Remote-Groups',
  methods: 'X-Remote-Auth-Methods',
} as const;

/** Largest request body accepted by the 日報 form. */
const MAX_BODY_BYTES = 64 * 1024;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** What the gateway said about the user (absent headers are undefined). */
interface Identity {
  user: string | undefined;
  groups: string | undefined;
  methods: string | undefined;
}

interface RequestInfo {
  method: string;
  /** Path and query as received. */
  target: string;
  identity: Identity;
  /** Names of the cookies the backend received (values are never shown). */
  cookieNames: string[];
}

interface Page {
  status: number;
  title: string;
  subtitle: string;
  body: string;
}

interface Site {
  /** Backend name and first path segment. */
  key: string;
  title: string;
  subtitle: string;
  description: string;
  render: (info: RequestInfo) => string;
}

/**
 * Node hands header values over as latin1 strings, one character per byte. Gateways may pass UTF-8
 * (a Japanese display name, say); show it decoded when the bytes are valid UTF-8.
 */
function headerText(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (text === undefined || text === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text) || /[^\x00-\xff]/.test(text)) return text;
  const decoded = Buffer.from(text, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? text : decoded;
}

function requestInfo(req: IncomingMessage): RequestInfo {
  const header = (name: string) => headerText(req.headers[name.toLowerCase()]);
  const cookieNames = (req.headers.cookie ?? '')
    .split(';')
    .map((part) => part.split('=')[0]?.trim() ?? '')
    .filter((name) => name !== '');
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    identity: {
      user: header(IDENTITY_HEADERS.user),
      groups: header(IDENTITY_HEADERS.groups),
      methods: header(IDENTITY_HEADERS.methods),
    },
    cookieNames,
  };
}

const yen = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' });

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function chips(values: string[], empty: string): string {
  if (values.length === 0) return `<span class="muted">${escapeHtml(empty)}</span>`;
  return values.map((v) => `<span class="chip">${escapeHtml(v)}</span>`).join(' ');
}

function heading(ja: string, en: string): string {
  return `<h2>${escapeHtml(ja)} <small>${escapeHtml(en)}</small></h2>`;
}

// ---------------------------------------------------------------------------------------------------
// Page blocks shared by every page

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

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Hiragino Kaku Gothic ProN","Hiragino Sans","Noto Sans JP","Yu Gothic UI",Meiryo,system-ui,sans-serif;
  background:#f3f1ec;color:#2b2b2b;line-height:1.6}
a{color:#1d4f91}
header{background:linear-gradient(90deg,#1f3a5f,#2c5d8f);color:#fff;box-shadow:0 2px 6px rgba(0,0,0,.15)}
.bar{max-width:1040px;margin:0 auto;padding:.7rem 1.2rem;display:flex;flex-wrap:wrap;gap:.6rem 1.5rem;align-items:center}
.brand{font-weight:700;font-size:1.1rem;letter-spacing:.05em;color:#fff;text-decoration:none}
.brand small{font-weight:400;opacity:.75;margin-left:.4rem;font-size:.75rem}
nav{display:flex;gap:.2rem;flex-wrap:wrap;flex:1}
nav a{color:#dfe8f3;text-decoration:none;padding:.25rem .7rem;border-radius:4px;font-size:.92rem}
nav a:hover,nav a.on{background:rgba(255,255,255,.16);color:#fff}
.badge{background:#fff;color:#1f3a5f;border-radius:999px;padding:.2rem .8rem;font-size:.85rem;white-space:nowrap}
.badge small{color:#667}
.badge-anon{background:#f6e7c1;color:#6b4e00}
main{max-width:1040px;margin:0 auto;padding:1.5rem 1.2rem 3rem}
h1{margin:.2rem 0 1rem;font-size:1.6rem;border-left:6px solid #b8312f;padding-left:.7rem}
h1 small,h2 small,th small{font-weight:400;color:#777;font-size:.7em;margin-left:.3rem}
h2{font-size:1.05rem;margin:0 0 .6rem}
.panel{background:#fff;border-radius:8px;padding:1rem 1.2rem;margin:0 0 1.2rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:1rem;margin-bottom:1.2rem}
.card{display:block;background:#fff;border-radius:8px;padding:1rem 1.2rem;text-decoration:none;color:inherit;
  box-shadow:0 1px 3px rgba(0,0,0,.08);border-top:4px solid #2c5d8f}
.card:hover{box-shadow:0 3px 10px rgba(0,0,0,.14)}
.card b{display:block;font-size:1.1rem;color:#1f3a5f}
.card small{color:#777}
.card p{margin:.4rem 0 0;font-size:.9rem}
table{border-collapse:collapse;width:100%}
.data th,.data td{border-bottom:1px solid #e4e1da;padding:.45rem .6rem;text-align:left;font-size:.92rem}
.data th{background:#f7f5f0;font-weight:600}
.data td.num,.data th.num{text-align:right;font-variant-numeric:tabular-nums}
.data tfoot td{font-weight:700;border-top:2px solid #ccc}
.kv th{text-align:left;font-weight:600;padding:.25rem 1rem .25rem 0;white-space:nowrap;vertical-align:top;width:1%}
.kv td{padding:.25rem 0;word-break:break-all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1efe9;padding:0 .3rem;border-radius:3px}
.chip{display:inline-block;background:#e6eef8;color:#1f3a5f;border-radius:4px;padding:0 .5rem;font-size:.85rem;margin:0 .2rem .2rem 0}
.muted{color:#888}
.welcome{font-size:1.25rem;margin:0 0 .3rem}
.st{display:inline-block;border-radius:4px;padding:0 .5rem;font-size:.82rem}
.st-ok{background:#e1f3e4;color:#1d6b2c}.st-wait{background:#fff3d6;color:#7a5a00}.st-ng{background:#fbe3e1;color:#9b2520}
.secret{background:#fbe3e1;border:1px solid #e6a8a3;color:#7d1f1a;border-radius:6px;padding:.6rem 1rem;margin-bottom:1.2rem}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #ccc;border-radius:4px}
button,.btn{background:#2c5d8f;color:#fff;border:0;border-radius:4px;padding:.45rem 1.2rem;font:inherit;cursor:pointer;text-decoration:none;display:inline-block}
.btn-out{background:#b8312f}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f5f0;border-radius:4px;padding:.6rem .8rem;margin:.4rem 0 0}
.notice li{margin:.3rem 0}
.notice time{color:#777;font-variant-numeric:tabular-nums;margin-right:.8rem}
footer{max-width:1040px;margin:0 auto;padding:0 1.2rem 2rem;color:#888;font-size:.8rem}
`;

function layout(page: Page, info: RequestInfo, current: string | undefined): string {
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

// ---------------------------------------------------------------------------------------------------
// Sites

function portalBody(info: RequestInfo): string {
  const { user, groups, methods } = info.identity;
  const welcome =
    user === undefined
      ? `<p class="welcome">ようこそ</p>
  <p class="muted">利用者情報が届いていません。ゲートウェイ (関所) を経由してアクセスしてください。<br><small>No identity received: open this site through the Sekisho gateway.</small></p>`
      : `<p class="welcome">ようこそ、<b>${escapeHtml(user)}</b> さん</p>
  <p><small class="muted">Welcome, ${escapeHtml(user)}.</small></p>
  <p>所属グループ <small>Groups</small>: ${chips(splitList(groups), '(なし / none)')}</p>
  <p>認証方式 <small>Authenticated with</small>: ${chips(splitList(methods), '(不明 / unknown)')}</p>`;
  const cards = SITES.filter((s) => s.key !== 'portal')
    .map(
      (
        s,
      ) => `<a class="card" href="/${s.key}/"><b>${escapeHtml(s.title)}</b><small>${escapeHtml(s.subtitle)}</small>
  <p>${escapeHtml(s.description)}</p></a>`,
    )
    .join('\n');
  return `<section class="panel">
  ${welcome}
  <p><a class="btn btn-out" href="/_sekisho/logout">ログアウト <small>Log out</small></a></p>
</section>
<div class="grid">
${cards}
</div>`;
}

const DEALS: readonly [string, string, number, string, string][] = [
  ['東都精機株式会社', '生産管理システム更改', 18_500_000, 'A', '佐藤'],
  ['みなと物流株式会社', '倉庫向けハンディ端末 300台', 7_240_000, 'B', '鈴木'],
  ['北斗電機工業', '保守契約 更新 (3年)', 3_960_000, 'A', '高橋'],
  ['さくら信用金庫', '窓口タブレット 導入支援', 12_800_000, 'C', '田中'],
  ['浪速フーズ株式会社', 'EDI 連携 追加開発', 2_150_000, 'B', '伊藤'],
];

function eigyoBody(report?: string): string {
  const rows = DEALS.map(
    ([customer, deal, amount, rank, owner]) =>
      `<tr><td>${customer}</td><td>${deal}</td><td class="num">${yen.format(amount)}</td><td>${rank}</td><td>${owner}</td></tr>`,
  ).join('\n');
  const total = DEALS.reduce((sum, d) => sum + d[2], 0);
  return `<section class="panel">
  ${heading('今月の案件状況', 'Pipeline this month')}
  <table class="data">
    <thead><tr><th>顧客 <small>Customer</small></th><th>案件 <small>Deal</small></th><th class="num">金額 <small>Amount</small></th><th>確度 <small>Rank</small></th><th>担当 <small>Owner</small></th></tr></thead>
    <tbody>
${rows}
    </tbody>
    <tfoot><tr><td colspan="2">合計 <small>Total</small></td><td class="num">${yen.format(total)}</td><td colspan="2"></td></tr></tfoot>
  </table>
</section>
${report ?? ''}
<section class="panel">
  ${heading('営業日報の提出', 'Submit a daily report')}
  <form method="post" action="/eigyo/">
    <p><label for="nippo">本日の活動内容 <small class="muted">What did you do today? (echoed back below)</small></label></p>
    <textarea id="nippo" name="nippo" maxlength="4000" required></textarea>
    <p><button type="submit">提出する <small>Submit</small></button></p>
  </form>
</section>`;
}

function reportEcho(contentType: string | undefined, bytes: number, text: string): string {
  return `<section class="panel">
  ${heading('日報を受け付けました', 'Report received')}
  <p class="muted">受信したボディ <small>Body received</small>: ${bytes} bytes, <code>${escapeHtml(contentType ?? '(no content-type)')}</code></p>
  <pre id="nippo-echo">${escapeHtml(text)}</pre>
</section>`;
}

const DOCS: readonly [string, string, string, string][] = [
  ['社内ネットワーク構成図', 'v3.2', '2025-03-14', 'インフラ G'],
  ['リモートアクセス (VPN) 接続手順書', 'v2.0', '2025-02-28', '情報システム G'],
  ['TypeScript コーディング規約', 'v1.4', '2025-01-20', 'アーキテクチャ G'],
  ['障害対応手順 (オンコール)', 'v5.1', '2024-12-05', 'SRE G'],
  ['リリース手順書 (本番環境)', 'v4.0', '2024-11-18', 'SRE G'],
  ['新人研修資料: Git 入門', 'v1.0', '2024-04-01', '教育 G'],
];

function gijutsuBody(): string {
  const rows = DOCS.map(
    ([title, version, updated, owner]) =>
      `<tr><td>📄 ${title}</td><td>${version}</td><td><time>${updated}</time></td><td>${owner}</td></tr>`,
  ).join('\n');
  return `<section class="panel">
  ${heading('技術文書一覧', 'Technical documents')}
  <table class="data">
    <thead><tr><th>文書名 <small>Title</small></th><th>版 <small>Rev.</small></th><th>更新日 <small>Updated</small></th><th>管理部署 <small>Owner</small></th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
</section>`;
}

const EXPENSES: readonly [string, string, string, number, 'ok' | 'wait' | 'ng'][] = [
  ['K-2025-0412', '佐藤 一郎', '出張旅費 (大阪・東都精機 打合せ)', 38_420, 'ok'],
  ['K-2025-0413', '鈴木 花子', '接待交際費 (みなと物流 様)', 52_800, 'wait'],
  ['K-2025-0414', '高橋 健', '書籍購入 (技術書 4冊)', 14_960, 'ok'],
  ['K-2025-0415', '田中 美咲', 'タクシー代 (深夜帰宅)', 6_350, 'ng'],
  ['K-2025-0416', '伊藤 大輔', '展示会 出展費 (前払い)', 420_000, 'wait'],
];

const EXPENSE_STATUS = {
  ok: '<span class="st st-ok">承認済 <small>Approved</small></span>',
  wait: '<span class="st st-wait">審査中 <small>Pending</small></span>',
  ng: '<span class="st st-ng">差戻し <small>Returned</small></span>',
} as const;

function keiriBody(): string {
  const rows = EXPENSES.map(
    ([no, who, what, amount, status]) =>
      `<tr><td><code>${no}</code></td><td>${who}</td><td>${what}</td><td class="num">${yen.format(amount)}</td><td>${EXPENSE_STATUS[status]}</td></tr>`,
  ).join('\n');
  return `<div class="secret">🔒 <b>社外秘 (経理部限定)</b> — このページには機密情報が含まれます。<br><small>Confidential: Finance department only. The gateway may ask for an extra factor here.</small></div>
<section class="panel">
  ${heading('経費精算 申請一覧', 'Expense reports')}
  <table class="data">
    <thead><tr><th>申請番号 <small>No.</small></th><th>申請者 <small>Applicant</small></th><th>内容 <small>Description</small></th><th class="num">金額 <small>Amount</small></th><th>状態 <small>Status</small></th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
</section>`;
}

const NOTICES: readonly [string, string, string][] = [
  [
    '2025-04-01',
    '年度初めのご挨拶と組織変更のお知らせ',
    'Greetings for the new fiscal year and organisation changes',
  ],
  [
    '2025-03-21',
    '社内システム 定期メンテナンス (3/29 22:00〜翌 6:00)',
    'Scheduled maintenance of internal systems',
  ],
  ['2025-03-10', '健康診断の受診期限について', 'Deadline for the annual health check'],
  [
    '2025-02-14',
    '多要素認証 (SMS ワンタイムパスワード) 導入のご案内',
    'Multi-factor authentication (SMS OTP) is coming',
  ],
];

function publicBody(info: RequestInfo): string {
  const items = NOTICES.map(
    ([date, ja, en]) => `<li><time>${date}</time>${ja}<br><small class="muted">${en}</small></li>`,
  ).join('\n');
  const login =
    info.identity.user === undefined
      ? '<p>社員の方は <a href="/portal/">社内ポータル</a> からログインしてください。<br><small class="muted">Employees: log in via the <a href="/portal/">portal</a>.</small></p>'
      : '';
  return `<section class="panel">
  ${heading('社内のお知らせ', 'Notices (public, no login needed)')}
  <ul class="notice">
${items}
  </ul>
  ${login}
</section>`;
}

const SITES: readonly Site[] = [
  {
    key: 'portal',
    title: '社内ポータル',
    subtitle: 'Company portal',
    description: '社内サイトの入口です。',
    render: portalBody,
  },
  {
    key: 'eigyo',
    title: '営業部',
    subtitle: 'Sales',
    description: '案件状況ダッシュボードと営業日報。',
    render: () => eigyoBody(),
  },
  {
    key: 'gijutsu',
    title: '技術部',
    subtitle: 'Engineering',
    description: '技術文書・手順書の一覧。',
    render: gijutsuBody,
  },
  {
    key: 'keiri',
    title: '経理部',
    subtitle: 'Finance (confidential)',
    description: '経費精算の申請一覧 (社外秘)。',
    render: keiriBody,
  },
  {
    key: 'public',
    title: 'お知らせ',
    subtitle: 'Public notices',
    description: 'ログイン不要の公開ページ。',
    render: publicBody,
  },
];

// ---------------------------------------------------------------------------------------------------
// HTTP

const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
} as const;

function send(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
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

/** The site whose page `/key` or `/key/` is requested (query ignored), if any. */
function siteFor(target: string): Site | undefined {
  const path = target.split('?', 1)[0] ?? '';
  const match = /^\/([a-z]+)\/?$/.exec(path);
  return match ? SITES.find((s) => s.key === match[1]) : undefined;
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

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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

/** `0.0.0.0` and `::` are not addresses to connect to; point the URL at loopback instead. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the sample intranet; resolves once it is listening. */
export function startIntranet(options: IntranetOptions): Promise<RunningIntranet> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('sample intranet: request failed:', err instanceof Error ? err.message : err);
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${urlHost(host)}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
