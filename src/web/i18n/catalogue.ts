/**
 * The one way Sekisho keeps user-visible strings: a catalogue is a TypeScript module holding the
 * Japanese strings (the reference) and their English translation, typed so that English must have
 * exactly Japanese's keys. Placeholders are written `{name}` and filled by {@link fill}; a test
 * holds every catalogue to the same keys and the same placeholders in both languages.
 *
 * Core pages, the admin console, the push pages and each plugin keep their own catalogue (plugins
 * get these types and `fill` through src/plugin-api.ts); templates read them as plain objects.
 */

/** The languages of the gateway's pages; Japanese is the default and the reference. */
export const LOCALES = ['ja', 'en'] as const;

/** A language of the gateway's pages. */
export type Locale = (typeof LOCALES)[number];

/** Strings, possibly grouped under keys (`me.title`): every leaf is a string. */
export interface MessageTree {
  readonly [key: string]: string | MessageTree;
}

/** What a translation of the strings `T` must provide: each of its keys, every leaf a string. */
export type Translation<T> = {
  readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]>;
};

/** Some pages' strings in every language the gateway speaks. */
export type Catalogue<M> = Readonly<Record<Locale, M>>;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Fills `{name}` placeholders; names without a value stay as written. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  // Own keys only: `{constructor}` in an operator's template must not reach Object.prototype.
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The placeholder names of `text`, sorted, each once. */
export function placeholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1] ?? ''))].sort();
}

function named(text: string): string {
  const names = placeholders(text);
  return names.length === 0 ? 'none' : names.map((name) => `{${name}}`).join(' ');
}

/** Every leaf of a message tree as `[dotted.key, value]`; a non-string leaf is given as `undefined`. */
function leaves(tree: unknown, prefix = ''): [string, string | undefined][] {
  if (typeof tree === 'string') return [[prefix, tree]];
  if (typeof tree !== 'object' || tree === null) return [[prefix, undefined]];
  return Object.entries(tree).flatMap(([key, inner]) => leaves(inner, prefix ? `${prefix}.${key}` : key));
}

/**
 * What is wrong with a catalogue, one line each (none: consistent): a key one language lacks, an
 * empty string, or a translation whose placeholders differ from the Japanese string's.
 */
export function catalogueProblems(catalogue: Catalogue<unknown>): string[] {
  const reference = new Map(leaves(catalogue.ja));
  const problems: string[] = [];
  for (const locale of LOCALES) {
    const strings = new Map(leaves(catalogue[locale]));
    for (const key of reference.keys()) if (!strings.has(key)) problems.push(`${locale}.${key}: missing`);
    for (const [key, text] of strings) {
      const ja = reference.get(key);
      if (!reference.has(key)) problems.push(`${locale}.${key}: not in ja`);
      else if (text === undefined || text.trim() === '') problems.push(`${locale}.${key}: empty`);
      else if (ja !== undefined && placeholders(text).join() !== placeholders(ja).join()) {
        problems.push(`${locale}.${key}: placeholders ${named(text)}, ja has ${named(ja)}`);
      }
    }
  }
  return problems;
}
