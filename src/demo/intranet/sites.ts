/** The sample intranet's sites (one per backend): the portal that links them and the lookup by path. */
import { eigyoBody, gijutsuBody, keiriBody, publicBody } from './departments.ts';
import { chips, escapeHtml, splitList } from './html.ts';
import type { RequestInfo } from './request-info.ts';

/** One departmental site, served at `/<key>/`. */
export interface Site {
  /** Backend name and first path segment. */
  key: string;
  title: string;
  subtitle: string;
  description: string;
  render: (info: RequestInfo) => string;
}

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

/** The site whose page `/key` or `/key/` is requested (query ignored), if any. */
export function siteFor(target: string): Site | undefined {
  const path = target.split('?', 1)[0] ?? '';
  const match = /^\/([a-z]+)\/?$/.exec(path);
  return match ? SITES.find((s) => s.key === match[1]) : undefined;
}
