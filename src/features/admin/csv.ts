/**
 * CSV as RFC 4180 writes it, made safe to open in a spreadsheet: a cell that begins with a
 * character a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading
 * `'` (OWASP "CSV injection"), so a user agent such as `=HYPERLINK(…)` stays text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
