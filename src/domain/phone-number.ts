/**
 * Phone numbers as people type them, on the self-service page, in the admin console and to the
 * CLI alike: full-width digits from a Japanese IME, spaces, hyphens (or the dashes and the long
 * vowel mark `ー` an IME may put in their place) and brackets, the domestic form (`090-1234-5678`)
 * and E.164 with or without the domestic trunk 0 (`+81 90…`, `+81 090…`, `+81 (0)90…`).
 * The auth DB keeps E.164 (`+819012345678`), the form SMS providers are given.
 */

const E164 = /^\+[1-9][0-9]{6,14}$/;

/** What may sit between the digits: whitespace, hyphens, dashes, `ー`, brackets and dots. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\u30fc().]/g;

/** The input with full-width forms made ASCII (NFKC) and the separators taken out. */
function compactPhone(input: string): string {
  return input.normalize('NFKC').replace(SEPARATORS, '');
}

/** E.164, or null when the input cannot be one. A leading 0 is read as a Japanese number. */
export function normalisePhone(input: string): string | null {
  const compact = compactPhone(input);
  if (compact.length === 0 || compact.length > 20) return null;
  const e164 = /^0\d{9,10}$/.test(compact)
    ? `+81${compact.slice(1)}`
    : // No Japanese number starts with 0 after the country code: the trunk 0 was typed out of habit.
      compact.replace(/^\+810(?=\d{9,10}$)/, '+81');
  return E164.test(e164) ? e164 : null;
}

/**
 * What a search term that looks like the start or a piece of a phone number stands for in the
 * E.164 the auth DB keeps, or null when the term does not look like one. `090-1234` and
 * `+81 (0)90 1234` give `+81901234` (a leading 0 followed by a digit other than 0 is the domestic
 * trunk prefix, so Japan); digits without a prefix (`1234-5678`) give just the digits, which may
 * sit anywhere in a number.
 */
export function phoneSearchPart(term: string): string | null {
  const compact = compactPhone(term);
  if (!/^\+?\d+$/.test(compact) || compact.length > 16) return null;
  if (/^0[1-9]/.test(compact)) return `+81${compact.slice(1)}`;
  return compact.replace(/^\+810/, '+81');
}
