/** HTML helpers for the sample intranet's pages: escaping and the small shared fragments. */

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

/** Amounts in yen, as the sales and finance tables show them. */
export const yen = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' });

/** A comma-separated header value as its trimmed, non-empty items. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Values as escaped chips, or `empty` in muted text when there are none. */
export function chips(values: string[], empty: string): string {
  if (values.length === 0) return `<span class="muted">${escapeHtml(empty)}</span>`;
  return values.map((v) => `<span class="chip">${escapeHtml(v)}</span>`).join(' ');
}

/** A bilingual panel heading. */
export function heading(ja: string, en: string): string {
  return `<h2>${escapeHtml(ja)} <small>${escapeHtml(en)}</small></h2>`;
}
