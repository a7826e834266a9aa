import type { MethodCatalogue } from '../domain/rules/types.ts';

/** What the core must know of an authentication method to evaluate rules. */
export interface MethodInfo {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly passwordless: boolean;
}

/** The catalogue of the methods this gateway runs: the password plus its plugins. */
export function buildCatalogue(methods: readonly MethodInfo[]): MethodCatalogue & { names(): string[] } {
  const byName = new Map<string, MethodInfo>();
  for (const method of methods) {
    byName.set(method.name.toUpperCase(), method);
    for (const alias of method.aliases) byName.set(alias.toUpperCase(), method);
  }
  return {
    canonical: (name) => byName.get(name.toUpperCase())?.name,
    isPasswordless: (name) => byName.get(name.toUpperCase())?.passwordless ?? false,
    names: () => methods.map((m) => m.name),
  };
}
