/**
 * Collects every configuration problem as one `config: <key.path>: <message>` line, so that an
 * operator sees all of them at once instead of fixing one per restart.
 */
import type { z } from 'zod';

const REDACTED = '[redacted]';

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** One `[key, message]` pair per problem an issue describes. */
function issueEntries(issue: z.core.$ZodIssue): [string, string][] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => [dotted([...issue.path, key]), 'unrecognized key']);
    case 'invalid_key':
      // zod's own message ("Invalid key in record") hides why; the nested issues say it.
      return [[dotted(issue.path), issue.issues.map((i) => i.message).join('; ')]];
    default:
      return [[dotted(issue.path), issue.message]];
  }
}

/** Accumulates load and validation problems in the order they were found. */
export class Problems {
  /** Formatted error lines. */
  readonly errors: string[] = [];
  /** Dotted key paths whose value failed to load; schema issues there would only repeat that. */
  readonly #failedPaths = new Set<string>();
  /** Dotted key path → environment variable that supplied its value. */
  readonly #envSources = new Map<string, string>();

  /**
   * Records a problem under `key` (a dotted key path, file name or variable name). `failedPath` marks
   * the config key that consequently has no value, to suppress a follow-on "required" issue there.
   */
  add(key: string, message: string, failedPath?: readonly string[]): void {
    this.errors.push(`config: ${key}: ${message}`);
    if (failedPath) this.#failedPaths.add(dotted(failedPath));
  }

  /** Remembers that `path` was set from environment variable `name`, for error messages. */
  noteEnvSource(path: readonly string[], name: string): void {
    this.#envSources.set(dotted(path), name);
  }

  /**
   * Records schema issues. Any of `secrets` occurring in a message is replaced, as a backstop to
   * the schema's own messages, which are written not to echo values.
   */
  addIssues(issues: readonly z.core.$ZodIssue[], secrets: readonly string[]): void {
    for (const issue of issues) {
      for (const [key, message] of issueEntries(issue)) {
        if (this.#failedPaths.has(key)) continue;
        const source = this.#envSources.get(key);
        const text = source ? `${message} (from ${source})` : message;
        this.errors.push(redact(`config: ${key}: ${text}`, secrets));
      }
    }
  }

  /** True when nothing has been recorded. */
  get ok(): boolean {
    return this.errors.length === 0;
  }
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
}
