import type { Config } from './config/schema.ts';
import type { MethodInfo } from './core/method-catalogue.ts';

/**
 * The authentication methods this gateway offers besides the password. Plugins register
 * here; a rule naming a method that is not listed is refused at `rule set` and at start.
 */
export function methodInfos(_config: Config): MethodInfo[] {
  return [];
}
