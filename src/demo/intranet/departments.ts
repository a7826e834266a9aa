/** The departmental page bodies (sales, engineering, finance, public notices) and their fictitious data. */
import { escapeHtml, heading, yen } from './html.ts';
import type { RequestInfo } from './request-info.ts';

const DEALS: readonly [string, string, number, string, string][] = [
  ['東都精機株式会社', '生産管理システム更改', 18_500_000, 'A', '佐藤'],
  ['みなと物流株式会社', '倉庫向けハンディ端末 300台', 7_240_000, 'B', '鈴木'],
  ['北斗電機工業', '保守契約 更新 (3年)', 3_960_000, 'A', '高橋'],
  ['さくら信用金庫', '窓口タブレット 導入支援', 12_800_000, 'C', '田中'],
  ['浪速フーズ株式会社', 'EDI 連携 追加開発', 2_150_000, 'B', '伊藤'],
];

/** 営業部: the pipeline table, an optional report echo, and the 日報 form. */
export function eigyoBody(report?: string): string {
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

/** The echo of a posted 日報, shown above the form. */
export function reportEcho(contentType: string | undefined, bytes: number, text: string): string {
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

/** 技術部: the list of technical documents. */
export function gijutsuBody(): string {
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

/** 経理部: the confidential expense reports. */
export function keiriBody(): string {
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

/** お知らせ: public notices, with a login hint for anonymous visitors. */
export function publicBody(info: RequestInfo): string {
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
