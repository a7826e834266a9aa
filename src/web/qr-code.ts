import { onFirstUse } from '../core/on-first-use.ts';

// Enrolment pages only: not loaded until the first QR code is drawn.
const qrLibrary = onFirstUse(async () => (await import('qrcode')).default);

/**
 * A QR code of `text` as inline SVG, made here: the pages' CSP (default-src 'self') allows no data:
 * image and no third-party QR service. Error correction M, a two-module quiet zone.
 */
export async function qrSvg(text: string): Promise<string> {
  const QRCode = await qrLibrary();
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
