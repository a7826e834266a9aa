/**
 * Phone numbers as people type them, on the self-service page, in the admin console and to the
 * CLI alike: full-width digits from a Japanese IME, spaces, hyphens and brackets, the domestic
 * form (`090-1234-5678`) and E.164 with or without the domestic trunk 0 (`+81 90…`, `+81 090…`).
 * The auth DB keeps E.164 (`+819012345678`), the form SMS providers are given.
 */

const E164 = /^\+[1-9][0-9]{6,14}$/;

/** E.164, or null when the input cannot be one. A leading 0 is read as a Japanese number. */
export function normalisePhone(input: string): string | null {
  const compact = input.normalize('NFKC').replace(/[\s\-().]/g, '');
  if (compact.length === 0 || compact.length > 20) return null;
  const e164 = /^0\d{9,10}$/.test(compact)
    ? `+81${compact.slice(1)}`
    : // No Japanese number starts with 0 after the country code: the trunk 0 was typed out of habit.
      compact.replace(/^\+810(?=\d{9,10}$)/, '+81');
  return E164.test(e164) ? e164 : null;
}
