/** The TOTP pages' views: the code page after the password, and the enrolment page. */
import { qrSvg, type PluginView } from '../../src/plugin-api.ts';
import { DIGITS } from './algorithm.ts';

export function codeView(attemptsLeft?: number): PluginView {
  return { template: 'plugins/totp/views/otp', data: { codeLength: DIGITS, attemptsLeft } };
}

/** The QR code (inline SVG: the pages' CSP allows no data: images) and the key in groups of four. */
export async function enrolView(uri: string, secret: string, attemptsLeft?: number): Promise<PluginView> {
  const key = secret.replace(/(.{4})(?=.)/g, '$1 ');
  return {
    template: 'plugins/totp/views/enrol',
    data: { qrSvg: await qrSvg(uri), key, codeLength: DIGITS, attemptsLeft },
  };
}
