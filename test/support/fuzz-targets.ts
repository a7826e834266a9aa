import fc from 'fast-check';

/**
 * Request targets for test/integration/path-fuzz.test.ts: the gateway's prefixes and a backend's with a tail,
 * then mutations an attacker would try — ASCII case, Unicode case-folding characters
 * (U+212A, U+017F, U+0131, U+0130) and fullwidth letters and ligatures percent-encoded as
 * UTF-8, escapes of any character (upper or lower hex), dot segments (`.`, `..`, `%2e`), `;`
 * parameters, `#`, `?`, backslashes, overlong UTF-8, repeated slashes — and Japanese text, which must
 * keep working. All ASCII, so they go on the wire byte for byte.
 */

/** The gateway's own prefixes and a backend's, public and stricter subtrees included. */
const prefixes = ['/bk01/', '/bk01/admin/', '/bk01/open/', '/_sekisho/admin/', '/_sekisho/', '/'];
const tails = [
  '',
  'x',
  'users',
  'admin/',
  'admin',
  'open/x',
  'a/b/',
  'static/sekisho.css',
  'healthz',
  'login',
  'bk01/admin/',
  '%E7%B5%8C%E7%90%86/',
];

/** Characters whose Unicode case mapping lands on (or next to) ASCII letters. */
const caseFolding: Record<string, readonly string[]> = {
  k: ['\u212a'],
  K: ['\u212a'],
  s: ['\u017f'],
  S: ['\u017f'],
  i: ['\u0131', '\u0130'],
  I: ['\u0130', '\u0131'],
};
const ligatures: Record<string, string> = { ff: '\ufb00', fi: '\ufb01', fl: '\ufb02', st: '\ufb06' };
const insertions = {
  dots: [
    './',
    '../',
    '%2e/',
    '%2E%2e/',
    '.%2e/',
    'x/../',
    'admin/../',
    '../admin/',
    '%2e%2e/admin/',
    '.',
    '..',
  ],
  param: [';', ';x', ';jsessionid=1', '%3b', '%3Bx=1'],
  hash: ['#', '#x', '#/../admin/', '#/'],
  query: ['?', '?x=1', '?/../admin/', '?a#b'],
  japanese: ['%E7%B5%8C%E7%90%86/', '%e7%b5%8c%e7%90%86/', '%E7%B5%8C%E7%90%86'],
};
/** What replaces a `/` (or, for overlongDot, a `.`). */
const slashReplacements = {
  backslash: ['\\', '%5C', '%5c', '/\\'],
  overlong: ['%C0%AF', '%E0%80%AF', '%c0%af', '%F0%80%80%AF'],
  slashes: ['//', '///'],
  overlongDot: ['%C0%AE', '%E0%80%AE', '%c0%ae'],
};

/** Percent-encodes a string as UTF-8, upper- or lower-case hex. */
function escapeUtf8(text: string, upper: boolean): string {
  const hex = [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return upper ? hex.toUpperCase() : hex;
}

function fullwidth(letter: string): string {
  const base = letter >= 'A' && letter <= 'Z' ? 0xff21 : 0xff41;
  return String.fromCodePoint(base + letter.toLowerCase().charCodeAt(0) - 0x61);
}

/** A place in a path: the character there ('' at the end), its index, the path. */
type Place = (c: string, i: number, path: string) => boolean;
const isLetter: Place = (c) => /^[A-Za-z]$/.test(c);
const isSlash: Place = (c, i) => c === '/' && i > 0;
const isAfterSlash: Place = (_c, i, path) => path.charAt(i - 1) === '/';
const isSegmentEnd: Place = (c, i) => i > 1 && (c === '/' || c === '');
const isInside: Place = (_c, i) => i > 0;
const isCharacter: Place = (c) => c !== '';
const isDot: Place = (c) => c === '.';
const hasCaseFolding: Place = (c) => Object.hasOwn(caseFolding, c);
const startsLigature: Place = (_c, i, path) => Object.hasOwn(ligatures, path.slice(i, i + 2));

/** One mutation of `path`: at the `at`-th place it applies (modulo), in the variant `pick` selects. */
function edit(path: string, at: number, pick: number) {
  const choose = <T>(options: readonly T[]) => options[Math.floor(pick / 2) % options.length] as T;
  const escape = (text: string) => escapeUtf8(text, pick % 2 === 0);
  /** Replaces `length` characters at a place `where` accepts with `text` of what was there. */
  const replace = (where: Place, length: number, text: (was: string) => string) => {
    const found: number[] = [];
    for (let i = 0; i <= path.length; i++) if (where(path.charAt(i), i, path)) found.push(i);
    const i = found[at % Math.max(found.length, 1)];
    return i === undefined
      ? path
      : path.slice(0, i) + text(path.slice(i, i + length)) + path.slice(i + length);
  };
  const insert = (where: Place, options: readonly string[]) => replace(where, 0, () => choose(options));
  return { choose, escape, replace, insert };
}

const mutations = {
  case: (m) => m.replace(isLetter, 1, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())),
  caseFolding: (m) => m.replace(hasCaseFolding, 1, (c) => m.escape(m.choose(caseFolding[c] ?? []))),
  fullwidth: (m) => m.replace(isLetter, 1, (c) => m.escape(fullwidth(c))),
  ligature: (m) => m.replace(startsLigature, 2, (pair) => m.escape(ligatures[pair] ?? '')),
  escape: (m) => m.replace(isCharacter, 1, (c) => m.escape(c)),
  dots: (m) => m.insert(isAfterSlash, insertions.dots),
  param: (m) => m.insert(isSegmentEnd, insertions.param),
  hash: (m) => m.insert(isInside, insertions.hash),
  // Where a cut at `#` changes which prefix matches: `/bk01/admin#x/`.
  hashAtSegmentEnd: (m) => m.insert(isSegmentEnd, insertions.hash),
  query: (m) => m.insert(isInside, insertions.query),
  backslash: (m) => m.replace(isSlash, 1, () => m.choose(slashReplacements.backslash)),
  overlong: (m) => m.replace(isSlash, 1, () => m.choose(slashReplacements.overlong)),
  overlongDot: (m) => m.replace(isDot, 1, () => m.choose(slashReplacements.overlongDot)),
  slashes: (m) => m.replace(isSlash, 1, () => m.choose(slashReplacements.slashes)),
  japanese: (m) => m.insert(isAfterSlash, insertions.japanese),
} satisfies Record<string, (m: ReturnType<typeof edit>) => string>;
type MutationKind = keyof typeof mutations;

const mutation = fc.tuple(
  fc.constantFrom(...(Object.keys(mutations) as MutationKind[])),
  fc.nat({ max: 63 }),
  fc.nat({ max: 63 }),
);
/** A request target: a prefix, a tail, and up to four mutations applied in turn. */
export const requestTarget: fc.Arbitrary<string> = fc
  .record({
    prefix: fc.constantFrom(...prefixes),
    tail: fc.constantFrom(...tails),
    mutations: fc.array(mutation, { maxLength: 4 }),
  })
  .map(({ prefix, tail, mutations: applied }) =>
    applied.reduce((path, [kind, at, pick]) => mutations[kind](edit(path, at, pick)), prefix + tail),
  );
