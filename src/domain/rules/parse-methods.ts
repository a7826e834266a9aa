import type { MethodCatalogue, MethodRequirement } from './types.ts';

/** Result of {@link parseMethods}. */
export type MethodsResult = { ok: true; value: MethodRequirement } | { ok: false; message: string };

const BYPASS: MethodRequirement = { kind: 'bypass' };
const NAME = /^[A-Z0-9_-]+$/;

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/**
 * Parses the methods field: empty (password only), `BYPASS`, or steps separated by `,`
 * whose alternatives are separated by `|`. Names are mapped to canonical names; each
 * method may appear once in the whole requirement.
 */
export function parseMethods(text: string, catalogue: MethodCatalogue): MethodsResult {
  if (text === '') return { ok: true, value: { kind: 'steps', steps: [] } };
  const written = text.split(',').map((step) => step.split('|').map((name) => name.trim()));
  const names = written.flat();
  if (names.some((name) => name.toUpperCase() === 'BYPASS')) {
    return names.length === 1
      ? { ok: true, value: BYPASS }
      : fail('BYPASS cannot be combined with other methods');
  }
  const seen = new Set<string>();
  const steps: string[][] = [];
  for (const step of written) {
    const alternatives: string[] = [];
    for (const name of step) {
      const canonical = canonicalMethod(name, catalogue);
      if (!canonical.ok) return canonical;
      if (seen.has(canonical.value)) return fail(`duplicate method ${describe(name, canonical.value)}`);
      seen.add(canonical.value);
      alternatives.push(canonical.value);
    }
    steps.push(alternatives);
  }
  return { ok: true, value: { kind: 'steps', steps } };
}

function canonicalMethod(
  name: string,
  catalogue: MethodCatalogue,
): { ok: true; value: string } | { ok: false; message: string } {
  if (name === '') return fail('empty method name (check for ",,", "||" or a stray separator)');
  const upper = name.toUpperCase();
  if (!NAME.test(upper)) return fail(`invalid method name "${name}"`);
  const implicit = 'the password is implicit and must not be listed (leave methods empty for password only)';
  if (upper === 'PASSWORD') return fail(implicit);
  const canonical = catalogue.canonical(upper);
  if (canonical === undefined) return fail(`unknown method "${upper}"`);
  if (canonical === 'password') return fail(implicit);
  return { ok: true, value: canonical };
}

function describe(written: string, canonical: string): string {
  const upper = written.toUpperCase();
  return upper === canonical ? `"${canonical}"` : `"${canonical}" (written "${upper}")`;
}

/** The rule-syntax form of a requirement using canonical names: `SMSOTP|TOTP`, `BYPASS`, ``. */
export function formatMethods(methods: MethodRequirement): string {
  if (methods.kind === 'bypass') return 'BYPASS';
  return methods.steps.map((step) => step.join('|')).join(',');
}
