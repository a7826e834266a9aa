/**
 * `branding` and `timeZone`: what the gateway's own pages show about the organisation running it
 * (its name, its logo, how to reach its help desk) and the zone their clock times are written in.
 */
import { z } from 'zod';
import { readLogoFile } from './logo-file.ts';

/** A line shown in both languages: one string for both, or `{ ja, en }` (a missing one falls back to the other). */
export const localText = z.union(
  [
    z.string().min(1, { error: 'must not be empty' }).max(300, { error: 'must be at most 300 characters' }),
    z
      .strictObject({
        ja: z.string().min(1, { error: 'must not be empty' }).max(300).optional(),
        en: z.string().min(1, { error: 'must not be empty' }).max(300).optional(),
      })
      .refine((v) => v.ja !== undefined || v.en !== undefined, { error: 'needs ja or en' }),
  ],
  { error: 'must be a string or { ja, en }' },
);

export type LocalText = z.output<typeof localText>;

export const brandingSchema = z.strictObject({
  /** The organisation's name in the page header (e.g. 「株式会社サンプル 社内ポータル」); omitted: 関所 Sekisho. */
  name: localText.optional(),
  /**
   * A PNG or SVG file (an absolute path, or relative to the gateway's working directory), read when
   * the config is loaded (the parsed config holds the file) and served from the gateway's own
   * origin; one that cannot be read stops start-up.
   */
  logo: z
    .string()
    .min(1, { error: 'must not be empty' })
    .transform((path, context) => {
      const logo = readLogoFile(path);
      if (!('problem' in logo)) return logo;
      context.addIssue({ code: 'custom', message: logo.problem });
      return z.NEVER;
    })
    .optional(),
  /** How to reach the help desk (e.g. 「情報システム部 ヘルプデスク 内線 1234」), shown wherever a user may be stuck. */
  helpDesk: localText.optional(),
  /** Where a user who forgot the password goes (an absolute URL or a path); omitted: the help-desk line only. */
  forgotPasswordUrl: z
    .string()
    .regex(/^(https?:\/\/[^\s]+|\/[^\s]*)$/, { error: 'must be an http(s) URL or an absolute path' })
    .optional(),
});

/** An IANA time zone name that this Node knows (`Asia/Tokyo`, `UTC`). */
export const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be an IANA time zone such as Asia/Tokyo' },
);
