/**
 * How a phone number is shown to its owner on the gateway's pages: the way people write it, with
 * the middle hidden (`+819012345678` → `090-****-5678`). Audit rows and logs keep `maskPhone`'s
 * form (`+********5678`), which says nothing about the number's shape.
 */
import { maskPhone } from '../../src/plugin-api.ts';

/** Japanese mobile numbers (070, 080, 090) as `090-****-5678`; any other number as `maskPhone` has it. */
export function displayPhone(e164: string): string {
  const mobile = /^\+81([789]0)\d{4}(\d{4})$/.exec(e164.replace(/[\s-]/g, ''));
  return mobile ? `0${mobile[1]}-****-${mobile[2]}` : maskPhone(e164);
}
