import QRCode from 'qrcode';

/**
 * A QR code of `text` as inline SVG, made here: the pages' CSP (default-src 'self') allows no data:
 * image and no third-party QR service. Error correction M, a two-module quiet zone.
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
