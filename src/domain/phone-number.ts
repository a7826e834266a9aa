/**
 * Phone numbers as users type them on the self-service page: full-width digits from a Japanese
 * IME, spaces, hyphens and brackets, and the domestic form (`090-1234-5678`). The auth DB keeps
 * E.164 (`+819012345678`).
 */

const E164 = /^\+[1-9][0-9]{6,14}$/;

/** E.164, or null when the input cannot be one. A leading 0 is read as a Japanese number. */
export function normalisePhone(input: string): string | null {
  const compact = input.normalize('NFKC').replace(/[\s\-().]/g, '');
  if (compact.length === 0 || compact.length > 20) return null;
  const e164 = /^0\d{9,10}$/.test(compact) ? `+81${compact.slice(1)}` : compact;
  return E164.test(e164) ? e164 : null;
}
