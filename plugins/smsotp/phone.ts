/**
 * Phone numbers as Karaden can reach them: Japanese mobile numbers only. The auth DB keeps E.164
 * (`+819012345678`); Karaden wants the 11-digit domestic form (`09012345678`).
 */

/** `+81` then a mobile prefix (70/80/90 once the trunk 0 is dropped) and eight more digits. */
const JAPANESE_MOBILE_E164 = /^\+81([789]0\d{8})$/;

/**
 * The 11-digit domestic form of a Japanese mobile number given in E.164, or null when the number is
 * not one SMS can be sent to. Spaces and hyphens typed by an administrator are tolerated.
 */
export function toDomesticMobile(e164: string): string | null {
  const match = JAPANESE_MOBILE_E164.exec(e164.replace(/[\s-]/g, ''));
  return match ? `0${match[1]}` : null;
}

/** True when an SMS can be sent to `e164`. */
export function isSendableNumber(e164: string): boolean {
  return toDomesticMobile(e164) !== null;
}
