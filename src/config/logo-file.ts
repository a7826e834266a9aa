/**
 * The organisation's logo (`branding.logo`): a PNG or SVG file, read and checked once, when the
 * config is loaded, so that a file that is missing, unreadable or not a logo stops start-up with its
 * key named instead of showing a broken image later; the parsed config carries what was read.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** A logo as the gateway serves it, read from `path`. */
export class LogoFile {
  readonly path: string;
  readonly type: 'image/png' | 'image/svg+xml';
  readonly body: Buffer;

  constructor(path: string, type: LogoFile['type'], body: Buffer) {
    this.path = path;
    this.type = type;
    this.body = body;
  }

  /** What the config's log line (and any other JSON of the config) shows: the path, not the bytes. */
  toJSON(): string {
    return this.path;
  }
}

/** The largest logo accepted: a header image, not a photograph. */
export const MAX_LOGO_BYTES = 512 * 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * What an SVG served from the gateway's own origin must not carry: it is opened as a document when
 * someone follows its URL, so a script in it would run with the gateway's pages.
 */
const ACTIVE_SVG = /<script|<foreignobject|\son[a-z]+\s*=|javascript:/i;

/** The logo file at `path`, or why it cannot be one (a sentence for `branding.logo: …`). */
export function readLogoFile(path: string): LogoFile | { readonly problem: string } {
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (error) {
    return { problem: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (body.length === 0) return { problem: `${path} is empty` };
  if (body.length > MAX_LOGO_BYTES) return { problem: `${path} is larger than 512 KiB` };
  const extension = extname(path).toLowerCase();
  if (extension === '.png') {
    if (!body.subarray(0, 8).equals(PNG_SIGNATURE)) return { problem: `${path} is not a PNG image` };
    return new LogoFile(path, 'image/png', body);
  }
  if (extension === '.svg') {
    const text = body.toString('utf8');
    if (!/<svg[\s>]/i.test(text)) return { problem: `${path} is not an SVG image` };
    if (ACTIVE_SVG.test(text))
      return { problem: `${path} must not contain scripts (<script>, on… attributes, javascript: links)` };
    return new LogoFile(path, 'image/svg+xml', body);
  }
  return { problem: `must be a .png or .svg file (got ${path})` };
}
